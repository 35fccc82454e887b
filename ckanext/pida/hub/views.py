"""Pages of the regional hub: /pida/hub/health (harvest health of every national catalogue) and the buttons that
ask for a run of a source (changes only, or a full run); /pida/hub/review, the queue of detected priority datasets
that a hub editor confirms or rejects (also posted from a dataset's page)."""
from __future__ import annotations

from flask import Blueprint

import ckan.plugins.toolkit as tk

from ckanext.pida.hub import review as review_module

blueprint = Blueprint("pida_hub", __name__)


@blueprint.route("/pida/hub/health")
def health():
    sources = tk.get_action("pida_harvest_health")({}, {})
    return tk.render("pida/hub_health.html", {"sources": sources})


@blueprint.route("/pida/hub/run/<id>", methods=["POST"])
def run(id):
    """Queues a job of the source for the fetch consumers; ``full=true`` reads the whole catalogue."""
    full = tk.asbool(tk.request.form.get("full"))
    try:
        tk.get_action("pida_harvest_source_run")({}, {"id": id, "full": full})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the source's administrators can ask for a harvest."))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Harvest source not found"))
    except tk.ValidationError as e:
        tk.h.flash_error(" ".join(m for messages in e.error_dict.values() for m in messages))
    else:
        tk.h.flash_success(tk._("Full run requested: the whole catalogue will be read.") if full
                           else tk._("Harvest requested: the changes will be read."))
    return tk.redirect_to("pida_hub.health")


@blueprint.route("/pida/hub/review")
def review():
    """The detections waiting for the user's decision, highest score first, by country and priority dataset."""
    if not tk.current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to review detections."))
    country = (tk.request.args.get("country") or "").upper() or None
    concept = tk.request.args.get("concept") or None
    context = {"user": tk.current_user.name}
    if review_module.reviewable_orgs(context) == []:
        return tk.abort(403, tk._("Only hub editors of a country's organisation can review its detections."))
    result = tk.get_action("pida_detection_queue")(context, {"country": country, "concept": concept})
    return tk.render("pida/hub_review.html", {"queue": result, "country": country, "concept": concept})


@blueprint.route("/pida/hub/review", methods=["POST"])
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
        tk.h.flash_error(tk._("You cannot decide on {n} of these datasets: they belong to another country's "
                              "organisation.").format(n=len(refused)))
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
    return tk.redirect_to("pida_hub.review", country=form.get("country") or None,
                          concept=form.get("concept") or None)
