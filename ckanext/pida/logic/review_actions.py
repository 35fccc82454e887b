"""The review of detected priority datasets (ckanext/pida/review.py): the detector at every write of a portal's
own dataset (``package_create`` and ``package_update`` chained, so every resource action and ``package_patch`` too),
the queue and the decisions."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida import review
from ckanext.pida.model import ReviewLog


@tk.chained_action
def package_create(original_action, context, data_dict):
    review.on_write(context, data_dict)
    return original_action(context, data_dict)


@tk.chained_action
def package_update(original_action, context, data_dict):
    review.on_write(context, data_dict)
    return original_action(context, data_dict)


def pida_detection_decide(context, data_dict):
    """Confirms or rejects a priority dataset detected in a dataset that does not declare it. Who may: whoever may
    update the dataset (a sysadmin, or an editor of its organisation). A confirmation declares the concept and asks
    for no other field; a rejection holds while the dataset's title, description and keywords are unchanged (on the
    hub: while the harvested dataset is unchanged, at every re-harvest). The decision is in the dataset's activity
    stream.

    :param id: the dataset's id or name
    :param concept: the priority dataset's id (e.g. ``contracts-register``)
    :param decision: ``confirmed`` or ``rejected``
    :returns: the updated dataset
    """
    return review.decide(context, tk.get_or_bust(data_dict, "id"), tk.get_or_bust(data_dict, "concept"),
                         tk.get_or_bust(data_dict, "decision"))


def pida_detection_undo(context, data_dict):
    """Takes back a decision of the review's history: a confirmed priority dataset is no longer declared, a
    rejected one comes back to the queue. Only the latest decision on a dataset's concept can be undone, once, by
    whoever may update the dataset.

    :param log_id: the decision's id in ``pida_detection_history``
    """
    entry = model.Session.get(ReviewLog, tk.get_or_bust(data_dict, "log_id"))
    if entry is None:
        raise tk.ObjectNotFound(tk._("Decision not found"))
    latest = (model.Session.query(ReviewLog).filter_by(package_id=entry.package_id, concept=entry.concept)
              .order_by(ReviewLog.at.desc()).first())
    if entry.undone_at is not None or latest.id != entry.id:
        raise tk.ValidationError({"log_id": [tk._("Only the latest decision on a priority dataset can be undone, "
                                                  "once.")]})
    return tk.get_action("pida_detection_undo_decision")(context, {"id": entry.package_id,
                                                                   "concept": entry.concept})


def pida_detection_undo_decision(context, data_dict):
    """Takes back the decision on one concept of a dataset (``pida_detection_undo`` calls it with a decision of
    the history; the hub chains it for harvested datasets), and marks it undone in the history.

    :param id: the dataset's id or name
    :param concept: the priority dataset's id
    """
    return review.undo(context, tk.get_or_bust(data_dict, "id"), tk.get_or_bust(data_dict, "concept"))


@tk.side_effect_free
def pida_detection_history(context, data_dict):
    """The latest decisions on detected priority datasets of the organisations the user may edit, newest first,
    with whether each can still be undone.

    :param limit: optional, at most 200 (default 50)
    """
    if not context.get("user"):
        raise tk.NotAuthorized(tk._("Log in to review detections."))
    try:
        limit = min(int(data_dict.get("limit") or 50), 200)
    except (TypeError, ValueError):
        raise tk.ValidationError({"limit": [tk._("Must be a whole number")]})
    return review.history(context, limit)


@tk.side_effect_free
def pida_detection_queue(context, data_dict):
    """The detections waiting for the user's decision (only those of the organisations the user may edit),
    highest score first.

    :param country: optional ISO 3166-1 alpha-2 code
    :param concept: optional priority dataset id
    :returns: ``{"total", "countries": [[code, count]], "items": [{"dataset", "proposal": {"id", "score",
        "evidence"}}]}``
    """
    if not context.get("user"):
        raise tk.NotAuthorized(tk._("Log in to review detections."))
    return review.queue(context, country=data_dict.get("country"), concept=data_dict.get("concept"))


def get_actions() -> dict:
    return {"package_create": package_create, "package_update": package_update,
            "pida_detection_decide": pida_detection_decide, "pida_detection_queue": pida_detection_queue,
            "pida_detection_undo": pida_detection_undo, "pida_detection_undo_decision": pida_detection_undo_decision,
            "pida_detection_history": pida_detection_history}
