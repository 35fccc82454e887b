"""API actions of the regional hub: harvest health per source, and asking for a (full) run."""
from __future__ import annotations

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.plugins import plugin_loaded
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestObjectError, HarvestSource

from ckanext.pida import vocabulary
from ckanext.pida.data_requests import logic as requests_logic
from ckanext.pida.hub import review, source_lifecycle
from ckanext.pida.hub.harvesters import config as source_config, runner, sources
from ckanext.pida.hub.harvesters.messages import N_, parse_object_error, problem, render, render_group
from ckanext.pida.hub.model import HarvestRecord, HarvestRun
from ckanext.pida.model import DataRequest

COUNTS = ("added", "updated", "unchanged", "deleted", "errored")
OBJECT_ERRORS_SHOWN = 20  # distinct messages
OBJECT_ERRORS_READ = 2000  # the errors of a run grouped by message (a run of 100,000 failing stays cheap)
ERROR_EXAMPLES = 3
HEALTH = {
    "never_run": N_("Never harvested"),
    "running": N_("Harvesting now"),
    "ok": N_("Healthy"),
    "warning": N_("Harvested, with problems"),
    "failing": N_("Failing"),
}
#: The order of the health page: what needs an administrator first.
HEALTH_ORDER = ["failing", "warning", "running", "never_run", "ok"]


@tk.side_effect_free
def pida_harvest_health(context, data_dict):
    """The health of each PIDA harvest source: its last run (full or incremental, complete or not), datasets
    added / updated / unchanged / deleted / errored, and the problems in words an administrator can act on.

    :param id: optional id or name of one harvest source
    """
    wanted = data_dict.get("id")
    out = []
    for source in sources.pida_sources():
        pkg = model.Package.get(source.id)
        if wanted and wanted not in (source.id, pkg.name if pkg else None):
            continue
        out.append(source_health(source, pkg))
    if wanted and not out:
        raise tk.ObjectNotFound(tk._("Harvest source not found"))
    return sorted(out, key=lambda e: (HEALTH_ORDER.index(e["health"]), (e["title"] or "").lower()))


def source_health(source, pkg=None) -> dict:
    country = sources.country_of(source)
    job = (model.Session.query(HarvestJob).filter(HarvestJob.source_id == source.id)
           .order_by(HarvestJob.created.desc()).first())
    entry = {
        "id": source.id, "name": pkg.name if pkg else source.id, "title": source.title, "url": source.url,
        "country": country, "country_name": vocabulary.text((vocabulary.country(country) or {}).get("name")),
        "datasets": HarvestRecord.active_query(source.id).count(),
        "last_run": None, "counts": {k: 0 for k in COUNTS}, "problems": [], "object_errors": [],
        **failure_history(source.id),
    }
    if not job:
        entry["health"] = "never_run"
    else:
        run = HarvestRun.get(job.id)
        counts = dict(model.Session.query(HarvestObject.report_status, sa.func.count(HarvestObject.id))
                      .filter(HarvestObject.harvest_job_id == job.id).group_by(HarvestObject.report_status))
        entry["counts"] = {"added": counts.get("added", 0), "updated": counts.get("updated", 0),
                           "unchanged": (run.unchanged if run else 0) + counts.get("not modified", 0),
                           "deleted": counts.get("deleted", 0), "errored": counts.get("errored", 0)}
        entry["last_run"] = {
            "job_id": job.id, "status": job.status, "created": _iso(job.created), "finished": _iso(job.finished),
            "mode": run.mode if run else None, "complete": bool(run and run.complete),
            "modified_since": _iso(run.modified_since) if run else None, "pages": run.pages if run else None,
        }
        entry["problems"] = [{"code": p["code"], "message": render(p)} for p in (run.problems if run else [])]
        entry["problems"] += [{"code": p["code"], "message": render(p)} for p in _also_listed_by(source.id)]
        errors = (model.Session.query(HarvestObjectError.message, HarvestObject.guid)
                  .join(HarvestObject, HarvestObject.id == HarvestObjectError.harvest_object_id)
                  .filter(HarvestObject.harvest_job_id == job.id).limit(OBJECT_ERRORS_READ))
        entry["object_errors"] = group_errors(errors)[:OBJECT_ERRORS_SHOWN]
        if job.status != "Finished":
            entry["health"] = "running"
        elif run and not run.complete and not run.pages:
            entry["health"] = "failing"
        elif entry["problems"] or entry["counts"]["errored"]:
            entry["health"] = "warning"
        else:
            entry["health"] = "ok"
    label = HEALTH[entry["health"]]  # marked with N_ above; a literal inside _() would be extracted as a message
    entry["health_label"] = tk._(label)
    return entry


def _failed(job, run) -> bool:
    """A finished run that read nothing of its catalogue (the source's health says "failing")."""
    return job.status == "Finished" and bool(run) and not run.complete and not run.pages


def group_errors(errors) -> list[dict]:
    """The datasets' errors of a run, one entry per problem (the same code and reason, whichever dataset), the
    most frequent first: ``{"code", "message"`` (one sentence in the reader's language, no dataset named),
    ``"count", "examples"`` (up to three ``{"title", "guid"}``), ``"detail"`` (a message this version of the
    harvester did not write, shown as it is)``}``."""
    groups: dict = {}
    for message, guid in errors:
        item = parse_object_error(message)
        params = item["params"]
        key = (item["code"], tuple(sorted((k, v) for k, v in params.items() if k not in ("title", "guid"))))
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"code": item["code"], "message": render_group(item), "count": 0, "examples": [],
                                   "detail": params.get("detail") if item["code"] == "unknown" else None}
        group["count"] += 1
        if len(group["examples"]) < ERROR_EXAMPLES:
            group["examples"].append({"title": params.get("title") or "", "guid": params.get("guid") or guid})
    return sorted(groups.values(), key=lambda g: -g["count"])


def failure_history(source_id: str) -> dict:
    """``{"failing_since", "last_success", "last_harvest"}`` of a source (ISO dates or None), from its last 50
    finished jobs: since when its runs read nothing of the catalogue, and when one last did."""
    jobs = (model.Session.query(HarvestJob, HarvestRun)
            .outerjoin(HarvestRun, HarvestRun.job_id == HarvestJob.id)
            .filter(HarvestJob.source_id == source_id, HarvestJob.status == "Finished")
            .order_by(HarvestJob.created.desc()).limit(50).all())
    out = {"failing_since": None, "last_success": None, "last_harvest": _iso(jobs[0][0].finished) if jobs else None}
    for job, run in jobs:  # newest first: the failures since the last success
        if not _failed(job, run):
            out["last_success"] = _iso(job.finished)
            break
        out["failing_since"] = _iso(job.created)
    return out


def country_data_status() -> dict:
    """Whether the hub can read each country's catalogues, for the coverage's data-status line:
    ``{code: {"sources", "failing", "failing_since", "last_harvest", "last_success"}}`` (ISO dates), one entry per
    country with at least one PIDA source. A country missing from it has no source: its 0 % says nothing of what it
    publishes."""
    out: dict = {}
    for source in sources.pida_sources():
        country = sources.country_of(source)
        if not country:
            continue
        entry = out.setdefault(country, {"sources": 0, "failing": 0, "failing_since": None, "last_harvest": None,
                                         "last_success": None})
        entry["sources"] += 1
        history = failure_history(source.id)
        for key in ("last_success", "last_harvest"):
            entry[key] = max(filter(None, [entry[key], history[key]]), default=None)
        if history["failing_since"]:
            entry["failing"] += 1
            entry["failing_since"] = min(filter(None, [entry["failing_since"], history["failing_since"]]))
    return out


def _also_listed_by(source_id: str) -> list[dict]:
    """The other sources whose last run found datasets this source owns (their "listed_by_another_source"), read
    in one query."""
    latest = (model.Session.query(HarvestJob.source_id, sa.func.max(HarvestJob.created).label("created"))
              .group_by(HarvestJob.source_id).subquery())
    rows = (model.Session.query(HarvestSource.title, HarvestRun.problems)
            .join(HarvestJob, HarvestJob.source_id == HarvestSource.id)
            .join(latest, sa.and_(latest.c.source_id == HarvestJob.source_id, latest.c.created == HarvestJob.created))
            .join(HarvestRun, HarvestRun.job_id == HarvestJob.id)
            .filter(HarvestSource.id != source_id,
                    sa.cast(HarvestRun.problems, sa.Text).like('%"listed_by_another_source"%')))
    return [dict(problem("also_listed_by", count=item["params"]["count"], other=title), level="warning")
            for title, problems in rows for item in problems or []
            if item.get("code") == "listed_by_another_source" and item["params"].get("owner_id") == source_id]


def pida_harvest_source_run(context, data_dict):
    """Queues a harvest job for a source (who may: as ckanext-harvest's ``harvest_job_create``).

    :param id: id or name of the harvest source
    :param full: true for a full run (reads the whole catalogue and propagates deletions)
    """
    source = tk.get_action("harvest_source_show")(context, {"id": tk.get_or_bust(data_dict, "id")})
    tk.check_access("harvest_job_create", context, {"source_id": source["id"]})
    try:
        return runner.request_job(source["id"], full=tk.asbool(data_dict.get("full")))
    except runner.JobPending as e:
        raise tk.ValidationError({"id": [str(e)]})


@tk.chained_action
def pida_detection_decide(up_func, context, data_dict):
    """On the hub, a decision on a harvested dataset is kept against its original URI, so that it holds at every
    re-harvest (hub/review.py); on any other dataset, the portal's decision (ckanext/pida/review.py)."""
    pkg = model.Package.get(tk.get_or_bust(data_dict, "id"))
    if pkg is not None and review.harvested_package(pkg):
        return review.decide(context, pkg.id, tk.get_or_bust(data_dict, "concept"),
                             tk.get_or_bust(data_dict, "decision"))
    return up_func(context, data_dict)


@tk.chained_action
def pida_data_request_create(up_func, context, data_dict):
    """At the hub, a citizen's request for a country is also told to that country's portal team: the
    ``requests_email`` of the country's harvest sources (the hub's own administrators are told as on any site)."""
    created = up_func(context, data_dict)
    emails: list[str] = []
    for source in sources.pida_sources():
        if sources.country_of(source) == created["country"]:
            try:
                wanted = source_config.parse(source.config).get("requests_email") or []
            except ValueError:
                continue  # a source whose configuration does not validate is reported on the health page
            emails += [e for e in wanted if e not in emails]
    if emails:
        requests_logic.notify(DataRequest.get(created["id"]), [(e, e) for e in emails])
    return created


@tk.chained_action
def pida_detection_undo_decision(up_func, context, data_dict):
    """On the hub, an undone decision on a harvested dataset is forgotten against its original URI (hub/review.py);
    on any other dataset, the portal's."""
    pkg = model.Package.get(tk.get_or_bust(data_dict, "id"))
    if pkg is not None and review.harvested_package(pkg):
        return review.undo(context, pkg.id, tk.get_or_bust(data_dict, "concept"))
    return up_func(context, data_dict)


def _iso(value):
    return value.isoformat() if value else None


def get_actions() -> dict:
    actions = {
        "pida_harvest_health": pida_harvest_health,
        "pida_harvest_source_run": pida_harvest_source_run,
        "pida_detection_decide": pida_detection_decide,
        "pida_detection_undo_decision": pida_detection_undo_decision,
        "pida_data_request_create": pida_data_request_create,
    }
    if plugin_loaded("harvest"):  # a chain needs ckanext-harvest's action under it
        actions["harvest_source_clear"] = source_lifecycle.harvest_source_clear
    return actions
