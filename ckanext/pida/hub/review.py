"""Detected priority datasets at the hub: what the import proposes, what hub editors decide, and the review queue.

At import, every harvested dataset gets the concepts the detector (ckanext/pida/detection.py) proposes for it,
besides those it declares, in ``pida_harvest["detection"]``:

``pending``    proposals waiting for a hub editor: ``[{"id", "score", "evidence"}]``, indexed as
               ``vocab_pida_detected`` and counted by the coverage as "detected, to be confirmed";
``confirmed``  concepts a hub editor confirmed: ``[{"id", "by", "at"}]``, also in ``pida_priority``, so that the
               coverage counts them as declared.

Decisions (``pida_detection_decision``) are kept against the dataset's original URI at its source, so they apply
again at every re-harvest: a confirmation always; a rejection while the dataset is unchanged (same content hash),
so that a new detection on a dataset that changed goes back to the queue. A decision updates the dataset as the
deciding user, so it is in the dataset's activity stream (with the ``activity`` plugin): who decided, and when.
"""
from __future__ import annotations

import datetime
from typing import Optional

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida import detection, vocabulary
from ckanext.pida.hub.model import CONFIRMED, REJECTED, DetectionDecision

DECISIONS = (CONFIRMED, REJECTED)
QUEUE_MAX = 1000


def _ids(value) -> list[str]:
    if not value:
        return []
    values = [value] if isinstance(value, str) else list(value)
    return [v for v in values if vocabulary.concept(v)]


def annotate(data: dict, guid: str, digest: str, country: Optional[str], decisions: Optional[dict] = None) -> None:
    """Adds the detection to ``data`` (the dict about to be created or updated at import), applying the decisions
    already taken on this dataset (``decisions``, by concept, when the caller read them already)."""
    declared = _ids(data.get("pida_priority"))
    if decisions is None:
        decisions = DetectionDecision.for_uri(guid)
    confirmed = [c for c, d in decisions.items() if d.decision == CONFIRMED and vocabulary.concept(c)]
    rejected = {c for c, d in decisions.items() if d.decision == REJECTED and d.content_hash == digest}
    pending = [s for s in detection.suggest(data, country=country, exclude=declared + confirmed)
               if s["id"] not in rejected]
    priority = declared + [c for c in confirmed if c not in declared]
    if priority:
        data["pida_priority"] = priority
    else:
        data.pop("pida_priority", None)  # an empty list is not a value for CKAN 2.11's vocabulary tags
    info: dict = {"pending": pending}
    if confirmed:
        users = {u.id: u.name for u in model.Session.query(model.User).filter(
            model.User.id.in_([decisions[c].user_id for c in confirmed if decisions[c].user_id]))}
        info["confirmed"] = [{"id": c, "by": users.get(decisions[c].user_id),
                              "at": _iso(decisions[c].decided_at)} for c in confirmed if c not in declared]
    data.setdefault("pida_harvest", {})["detection"] = info


def refresh(pkg: dict) -> Optional[dict]:
    """The detection of an existing harvested dataset recomputed (after the terms changed), or None if unchanged."""
    harvest = pkg.get("pida_harvest") or {}
    if not harvest.get("original_uri"):
        return None
    before = harvest.get("detection") or {}
    confirmed = {c["id"] for c in before.get("confirmed") or []}
    data = {k: pkg.get(k) for k in ("title", "notes", "tags", "publisher")}  # what the import saw
    data["pida_priority"] = [c for c in _ids(pkg.get("pida_priority")) if c not in confirmed]
    data["pida_harvest"] = dict(harvest)
    annotate(data, harvest["original_uri"], harvest.get("hash"), harvest.get("country") or pkg.get("pida_country"))
    priority = data.get("pida_priority") or []
    if data["pida_harvest"]["detection"] == before and set(priority) == set(_ids(pkg.get("pida_priority"))):
        return None
    return {"pida_priority": priority, "pida_harvest": data["pida_harvest"]}


def decide(context: dict, dataset_id: str, concept: str, decision: str) -> dict:
    """Confirms or rejects a detected concept on a harvested dataset, as the user of ``context``."""
    if decision not in DECISIONS:
        raise tk.ValidationError({"decision": [tk._("Choose confirm or reject.")]})
    if not vocabulary.concept(concept):
        raise tk.ValidationError({"concept": [tk._("Unknown priority dataset: {id}").format(id=concept)]})
    pkg = tk.get_action("package_show")(dict(context, ignore_auth=True), {"id": dataset_id})
    tk.check_access("package_update", dict(context), {"id": pkg["id"]})
    harvest = dict(pkg.get("pida_harvest") or {})
    if not harvest.get("original_uri"):
        raise tk.ValidationError({"id": [tk._("Only datasets harvested by the hub have detections to review.")]})
    user = model.User.get(context.get("user")) if context.get("user") else None
    DetectionDecision.record(harvest["original_uri"], concept, decision, harvest.get("hash"),
                             user.id if user else None)
    info = dict(harvest.get("detection") or {})
    info["pending"] = [p for p in info.get("pending") or [] if p.get("id") != concept]
    confirmed = [c for c in info.get("confirmed") or [] if c.get("id") != concept]
    priority = _ids(pkg.get("pida_priority"))
    if decision == CONFIRMED:
        confirmed.append({"id": concept, "by": user.name if user else None, "at": _iso(_utcnow())})
        if concept not in priority:
            priority.append(concept)
    elif any(c.get("id") == concept for c in info.get("confirmed") or []):
        priority = [c for c in priority if c != concept]  # a confirmation taken back
    if confirmed:
        info["confirmed"] = confirmed
    else:
        info.pop("confirmed", None)
    harvest["detection"] = info
    patch_context = {"user": context.get("user"), "ignore_auth": True, "pida_lenient": True}
    return tk.get_action("package_patch")(patch_context, {"id": pkg["id"], "pida_priority": priority,
                                                          "pida_harvest": harvest})


def reviewable_orgs(context: dict) -> Optional[list[str]]:
    """Ids of the organisations whose detections the user may decide on; None for a sysadmin (all of them)."""
    user = model.User.get(context.get("user")) if context.get("user") else None
    if not user:
        return []
    if user.sysadmin:
        return None
    orgs = tk.get_action("organization_list_for_user")(
        {"user": user.name}, {"id": user.id, "permission": "update_dataset"})
    return [o["id"] for o in orgs]


def queue(context: dict, country: Optional[str] = None, concept: Optional[str] = None) -> dict:
    """The detections waiting for the user's decision, highest score first, and the countries they come from."""
    orgs = reviewable_orgs(context)
    if orgs == []:
        return {"items": [], "countries": [], "total": 0}
    fq = "vocab_pida_detected:[* TO *]"
    if orgs is not None:
        fq += " AND owner_org:({})".format(" OR ".join('"{}"'.format(o) for o in orgs))
    base_fq = fq
    if country:
        fq += ' AND vocab_pida_country:"{}"'.format(country.upper())
    if concept:
        fq += ' AND vocab_pida_detected:"{}"'.format(concept)
    search_context = {"user": context.get("user"), "ignore_auth": True}
    result = tk.get_action("package_search")(search_context, {
        "fq": fq, "rows": QUEUE_MAX, "sort": "metadata_modified desc", "include_private": True})
    items = []
    for pkg in result["results"]:
        for proposal in ((pkg.get("pida_harvest") or {}).get("detection") or {}).get("pending") or []:
            if concept and proposal.get("id") != concept:
                continue
            items.append({"dataset": pkg, "proposal": proposal})
    items.sort(key=lambda i: (-i["proposal"].get("score", 0), i["dataset"].get("title") or ""))
    facets = tk.get_action("package_search")(search_context, {
        "fq": base_fq, "rows": 0, "facet.field": ["vocab_pida_country"], "facet.limit": -1})
    countries = sorted(facets.get("facets", {}).get("vocab_pida_country", {}).items())
    return {"items": items, "countries": countries, "total": len(items)}


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _iso(value) -> Optional[str]:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None
