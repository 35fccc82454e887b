"""Pages of the regional hub: /pida/hub/health (harvest health of every national catalogue) and the buttons that
ask for a run of a source (changes only, or a full run). The queue of detected priority datasets is every site's
(/pida/review, ckanext/pida/views/review.py); /pida/hub/review, its first address, leads there."""
from __future__ import annotations

from flask import Blueprint, redirect

import ckan.plugins.toolkit as tk

from ckanext.pida.hub import logic, source_lifecycle

blueprint = Blueprint("pida_hub", __name__)


@blueprint.route("/pida/hub/health")
def health():
    """Every source, failing ones first, with a count per health; ``?health=failing`` (or any other state) shows
    only those."""
    every = tk.get_action("pida_harvest_health")({}, {})
    wanted = tk.request.args.get("health")
    if wanted not in logic.HEALTH:
        wanted = None
    counts = {state: sum(1 for s in every if s["health"] == state) for state in logic.HEALTH_ORDER}
    return tk.render("pida/hub_health.html", {
        "sources": [s for s in every if not wanted or s["health"] == wanted], "total": len(every),
        "counts": counts, "labels": {state: tk._(label) for state, label in logic.HEALTH.items()},
        "wanted": wanted, "orphans": source_lifecycle.orphans()})


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


@blueprint.route("/pida/hub/review", methods=["GET", "POST"])
def review():
    """The review queue is the portal's (/pida/review); the hub's first address keeps working."""
    target = tk.h.url_for("pida_review.queue", **tk.request.args.to_dict())
    return redirect(target, code=308 if tk.request.method == "POST" else 301)
