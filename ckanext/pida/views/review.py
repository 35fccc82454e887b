"""/pida/review: the detected priority datasets that an editor confirms or rejects, on a national portal (its own
datasets) and on the hub (harvested ones); the dataset page's Confirm / Reject buttons post here too."""
from __future__ import annotations

from flask import Blueprint

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida import review, vocabulary

blueprint = Blueprint("pida_review", __name__)

HISTORY_SHOWN = 20


@blueprint.route("/pida/review")
def queue():
    """The detections waiting for the user's decision, highest score first, by country and priority dataset."""
    if not tk.current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to review detections."))
    country = (tk.request.args.get("country") or "").upper() or None
    concept = tk.request.args.get("concept") or None
    context = {"user": tk.current_user.name}
    if review.reviewable_orgs(context) == []:
        return tk.abort(403, tk._("Only editors of an organisation can review its detections."))
    result = tk.get_action("pida_detection_queue")(context, {"country": country, "concept": concept})
    history = tk.get_action("pida_detection_history")(context, {"limit": HISTORY_SHOWN})
    return tk.render("pida/review.html", {"queue": result, "country": country, "concept": concept,
                                          "history": history})


@blueprint.route("/pida/review", methods=["POST"])
def decide():
    """Confirms or rejects detections: the checked items with the bulk buttons, or one item with its own button.
    Comes back to the queue (same filters), or to ``next`` (a dataset's page)."""
    if not tk.current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to review detections."))
    form = tk.request.form
    if form.get("single"):
        dataset_id, concept, decision = (form["single"].split("|") + ["", "", ""])[:3]
        items = [(dataset_id, concept)]
    else:
        decision = form.get("decision")
        items = [tuple((value.split("|") + [""])[:2]) for value in form.getlist("item")]
    if not items:
        tk.h.flash_error(tk._("Choose at least one detection."))
    elif not form.get("single") and decision == "confirmed" and not form.get("sure"):
        return _confirm_step(items, form)  # a bulk confirmation adds to the coverage: it is asked twice
    done, refused = 0, []
    for dataset_id, concept in items:
        try:
            tk.get_action("pida_detection_decide")({"user": tk.current_user.name}, {
                "id": dataset_id, "concept": concept, "decision": decision})
            done += 1
        except tk.NotAuthorized:
            refused.append(dataset_id)
        except tk.ObjectNotFound:
            tk.h.flash_error(tk._("Dataset not found"))
        except tk.ValidationError as e:
            tk.h.flash_error(" ".join(str(v) for v in (e.error_summary or {}).values()) or str(e))
    if refused:
        tk.h.flash_error(tk._("You cannot decide on {n} of these datasets: they belong to an organisation "
                              "you do not edit.").format(n=len(refused)))
    if done and decision == "confirmed":
        tk.h.flash_success(tk.ungettext("{n} confirmed: it now counts as published.",
                                        "{n} confirmed: they now count as published.", done).format(n=done))
    elif done:
        tk.h.flash_success(tk.ungettext("{n} rejected: not proposed again while the dataset is unchanged.",
                                        "{n} rejected: not proposed again while the datasets are unchanged.",
                                        done).format(n=done))
    target = form.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return tk.redirect_to(target)
    return tk.redirect_to("pida_review.queue", country=form.get("country") or None,
                          concept=form.get("concept") or None)


def _confirm_step(items: list, form) -> str:
    """The page that asks again before several detections are confirmed at once: each one named."""
    named = []
    for dataset_id, concept in items:
        pkg = model.Package.get(dataset_id)
        named.append({"key": dataset_id + "|" + concept, "title": pkg.title if pkg else dataset_id,
                      "concept": vocabulary.text((vocabulary.concept(concept) or {}).get("label")) or concept})
    return tk.render("pida/review_confirm.html", {"items": named, "country": form.get("country") or "",
                                                  "concept": form.get("concept") or ""})


@blueprint.route("/pida/review/undo", methods=["POST"])
def undo():
    """Takes back a decision of the history: the detection goes back to the queue."""
    if not tk.current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to review detections."))
    try:
        pkg = tk.get_action("pida_detection_undo")({"user": tk.current_user.name},
                                                  {"log_id": tk.request.form.get("log_id") or ""})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("You cannot change this dataset."))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Decision not found"))
    except tk.ValidationError as e:
        tk.h.flash_error(" ".join(str(v) for v in (e.error_summary or {}).values()) or str(e))
    else:
        tk.h.flash_success(tk._("Undone: the detection of \"{title}\" is back in the queue.").format(
            title=pkg.get("title") or pkg.get("name")))
    return tk.redirect_to("pida_review.queue")
