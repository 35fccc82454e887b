"""Detected priority datasets on a portal's own datasets: what the detector proposes at every write, what the
portal's editors confirm or reject, and the review queue (the same queue lists the hub's harvested detections).

A dataset of the portal keeps its detection in the schema field ``pida_detection`` (JSON, never in the form):

``pending``    the detector's proposals (ckanext/pida/detection.py) waiting for an editor: ``[{"id", "score",
               "evidence"}]``; indexed as ``vocab_pida_detected`` and counted by the coverage as "detected, to be
               confirmed";
``confirmed``  concepts an editor confirmed: ``[{"id", "by", "at"}]``, also in ``pida_priority`` (so they count as
               declared);
``rejected``   concepts an editor rejected: ``[{"id", "by", "at", "hash"}]``, not proposed again while the words
               the detector reads (title, description, keywords) are those it rejected (``hash``).

The detection is recomputed at every ``package_create`` / ``package_update`` (form, API, ``ckan pida adopt``); what a
client sends in ``pida_detection`` is ignored, only a decision writes it. A harvested dataset at the hub keeps its
detection in ``pida_harvest["detection"]`` instead (ckanext/pida/hub/review.py); the readers below take either.
"""
from __future__ import annotations

import datetime
import hashlib
import json
from typing import Optional

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida import detection, vocabulary
from ckanext.pida.model import ReviewLog

FIELD = "pida_detection"
CONFIRMED, REJECTED = "confirmed", "rejected"
DECISIONS = (CONFIRMED, REJECTED)
QUEUE_MAX = 1000
#: Set in an action's context by ``decide`` and ``ckan pida adopt``, the writes that set ``pida_detection``
#: themselves (a decision; the detection adopt already computed for its report). An action's context is the
#: server's: an API client cannot set it.
SET_CONTEXT = "pida_detection_set"


def concept_ids(value) -> list[str]:
    """The known priority concepts of a ``pida_priority`` value (a list, or one id, or ids separated by commas)."""
    if not value:
        return []
    values = value.split(",") if isinstance(value, str) else list(value)
    return [v.strip() for v in values if isinstance(v, str) and vocabulary.concept(v.strip())]


def info_of(pkg: dict) -> dict:
    """The detection of a dataset: the portal's own (``pida_detection``) or, on the hub, its harvest's."""
    own = pkg.get(FIELD)
    if isinstance(own, str):
        own = _loads(own)
    if isinstance(own, dict):
        return own
    harvest = pkg.get("pida_harvest")
    if isinstance(harvest, str):
        harvest = _loads(harvest)
    return (harvest.get("detection") or {}) if isinstance(harvest, dict) else {}


def pending(pkg: dict) -> list[dict]:
    """The detections of a dataset waiting for an editor: ``[{"id", "score", "evidence"}]``."""
    return [d for d in info_of(pkg).get("pending") or [] if isinstance(d, dict) and d.get("id")]


def content_hash(data: dict) -> str:
    """What a rejection holds for: the words the detector reads in the dataset's own title, description and tags."""
    fields = detection.fields_of({k: data.get(k) for k in ("title", "notes", "tags")})
    return hashlib.sha1(json.dumps(fields, sort_keys=True).encode("utf-8")).hexdigest()


def harvested(data: dict) -> bool:
    harvest = data.get("pida_harvest")
    if isinstance(harvest, str):
        harvest = _loads(harvest)
    return isinstance(harvest, dict) and bool(harvest.get("original_uri"))


def on_write(context: dict, data_dict: dict) -> None:
    """Sets ``pida_detection`` of the dataset about to be created or updated: the decisions already taken on it
    (read from the database, never from the client), and the detector's proposals on what it says now."""
    if context.get("pida_lenient") or harvested(data_dict):
        return  # a hub import, or a harvested dataset: the hub keeps their detection (hub/review.py)
    if context.get(SET_CONTEXT):
        return
    stored = _stored_info(data_dict)
    declared = concept_ids(data_dict.get("pida_priority"))
    confirmed = [c for c in stored.get("confirmed") or [] if c.get("id") in declared]
    rejected = [r for r in stored.get("rejected") or [] if r.get("id")]
    digest = content_hash(data_dict)
    still_rejected = [r["id"] for r in rejected if r.get("hash") == digest]
    seen = dict(data_dict)
    organization = model.Group.get(data_dict.get("owner_org")) if data_dict.get("owner_org") else None
    if organization is not None:
        seen["organization"] = {"title": organization.title}
    country = data_dict.get("pida_country") or tk.config.get("ckanext.pida.country") or None
    proposals = detection.suggest(seen, country=country, exclude=declared + still_rejected)
    info = {key: value for key, value in (("pending", proposals), ("confirmed", confirmed),
                                          ("rejected", rejected)) if value}
    if info:
        data_dict[FIELD] = info
    else:
        data_dict.pop(FIELD, None)


def _stored_info(data_dict: dict) -> dict:
    ref = data_dict.get("id") or data_dict.get("name")
    pkg = model.Package.get(ref) if ref else None
    if pkg is None:
        return {}
    value = _loads(pkg.extras.get(FIELD) or "")
    return value if isinstance(value, dict) else {}


def decide(context: dict, dataset_id: str, concept: str, decision: str) -> dict:
    """Confirms or rejects a detected concept on one of the portal's datasets, as the user of ``context``. A
    confirmation declares the concept (and asks for nothing else); a rejection takes back a confirmation."""
    check_decision(concept, decision)
    pkg = tk.get_action("package_show")(dict(context, ignore_auth=True), {"id": dataset_id})
    tk.check_access("package_update", dict(context), {"id": pkg["id"]})
    user = model.User.get(context.get("user")) if context.get("user") else None
    info = dict(info_of(pkg)) if isinstance(pkg.get(FIELD), dict) else {}
    was_confirmed = any(c.get("id") == concept for c in info.get("confirmed") or [])
    info["pending"] = [p for p in info.get("pending") or [] if p.get("id") != concept]
    info["confirmed"] = [c for c in info.get("confirmed") or [] if c.get("id") != concept]
    info["rejected"] = [r for r in info.get("rejected") or [] if r.get("id") != concept]
    priority = concept_ids(pkg.get("pida_priority"))
    stamp = {"id": concept, "by": user.name if user else None, "at": iso(utcnow())}
    if decision == CONFIRMED:
        info["confirmed"].append(stamp)
        if concept not in priority:
            priority.append(concept)
    else:
        info["rejected"].append(dict(stamp, hash=content_hash(pkg)))
        if was_confirmed:
            priority = [c for c in priority if c != concept]  # a confirmation taken back
    info = {key: value for key, value in info.items() if value}
    patch_context = {"user": context.get("user"), "ignore_auth": True, SET_CONTEXT: True}
    result = tk.get_action("package_patch")(patch_context, {"id": pkg["id"], "pida_priority": priority, FIELD: info})
    log(context, pkg["id"], concept, decision)
    return result


def undo(context: dict, dataset_id: str, concept: str) -> dict:
    """Takes back the decision on a concept of one of the portal's datasets: a confirmed concept is no longer
    declared, a rejected one is no longer held back; the detector's proposal goes back to the queue."""
    pkg = tk.get_action("package_show")(dict(context, ignore_auth=True), {"id": dataset_id})
    tk.check_access("package_update", dict(context), {"id": pkg["id"]})
    info = dict(info_of(pkg)) if isinstance(pkg.get(FIELD), dict) else {}
    was_confirmed = any(c.get("id") == concept for c in info.get("confirmed") or [])
    info["confirmed"] = [c for c in info.get("confirmed") or [] if c.get("id") != concept]
    info["rejected"] = [r for r in info.get("rejected") or [] if r.get("id") != concept]
    priority = concept_ids(pkg.get("pida_priority"))
    if was_confirmed:
        priority = [c for c in priority if c != concept]
    info["pending"] = [p for p in info.get("pending") or [] if p.get("id") != concept] + proposal_for(
        pkg, concept, priority)
    info = {key: value for key, value in info.items() if value}
    patch_context = {"user": context.get("user"), "ignore_auth": True, SET_CONTEXT: True}
    result = tk.get_action("package_patch")(patch_context, {"id": pkg["id"], "pida_priority": priority, FIELD: info})
    mark_undone(context, pkg["id"], concept)
    return result


def proposal_for(pkg: dict, concept: str, declared: list[str]) -> list[dict]:
    """The detector's proposal of one concept for a dataset (what an undone decision puts back), at any score:
    it was proposed once."""
    seen = dict(pkg)
    if isinstance(pkg.get("organization"), dict):
        seen["organization"] = {"title": pkg["organization"].get("title")}
    country = pkg.get("pida_country") or tk.config.get("ckanext.pida.country") or None
    return [p for p in detection.suggest(seen, country=country, threshold=0.0, exclude=declared)
            if p["id"] == concept]


def log(context: dict, package_id: str, concept: str, decision: str) -> None:
    """Writes a decision in the review's history (``pida_review_log``)."""
    user = model.User.get(context.get("user")) if context.get("user") else None
    model.Session.add(ReviewLog(package_id=package_id, concept=concept, decision=decision,
                                user_id=user.id if user else None))
    model.Session.commit()


def mark_undone(context: dict, package_id: str, concept: str) -> None:
    """Marks the latest decision on a dataset's concept undone in the history."""
    entry = (model.Session.query(ReviewLog).filter_by(package_id=package_id, concept=concept)
             .order_by(ReviewLog.at.desc()).first())
    if entry is not None and entry.undone_at is None:
        user = model.User.get(context.get("user")) if context.get("user") else None
        entry.undone_at, entry.undone_by = utcnow(), (user.id if user else None)
        model.Session.commit()


def history(context: dict, limit: int = 50) -> list[dict]:
    """The latest decisions on the datasets the user may review, newest first: ``{"id", "dataset": {"id",
    "name", "title"}, "concept", "decision", "by", "at", "undone_at", "undone_by", "can_undo"}``. Only the
    latest decision on a dataset's concept can be undone, once."""
    orgs = reviewable_orgs(context)
    if orgs == []:
        return []
    query = (model.Session.query(ReviewLog, model.Package)
             .join(model.Package, model.Package.id == ReviewLog.package_id)
             .filter(model.Package.state != "deleted"))
    if orgs is not None:
        query = query.filter(model.Package.owner_org.in_(orgs))
    rows = query.order_by(ReviewLog.at.desc()).limit(limit).all()
    users = {u.id: u.name for u in model.Session.query(model.User).filter(model.User.id.in_(
        {r.user_id for r, _p in rows} | {r.undone_by for r, _p in rows}))}
    latest: dict = {}
    out = []
    for entry, pkg in rows:  # newest first: the first row of a (dataset, concept) is its latest decision
        key = (entry.package_id, entry.concept)
        out.append({"id": entry.id, "dataset": {"id": pkg.id, "name": pkg.name, "title": pkg.title},
                    "concept": entry.concept, "decision": entry.decision, "by": users.get(entry.user_id),
                    "at": iso(entry.at), "undone_at": iso(entry.undone_at), "undone_by": users.get(entry.undone_by),
                    "can_undo": key not in latest and entry.undone_at is None})
        latest.setdefault(key, entry.id)
    return out


def check_decision(concept: str, decision: str) -> None:
    if decision not in DECISIONS:
        raise tk.ValidationError({"decision": [tk._("Choose confirm or reject.")]})
    if not vocabulary.concept(concept):
        raise tk.ValidationError({"concept": [tk._("Unknown priority dataset: {id}").format(id=concept)]})


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
        for proposal in pending(pkg):
            if concept and proposal.get("id") != concept:
                continue
            items.append({"dataset": pkg, "proposal": proposal, "confidence": detection.confidence(proposal),
                          "context": _context_of(pkg)})
    items.sort(key=lambda i: (-i["confidence"]["value"], -i["proposal"].get("score", 0),
                              i["dataset"].get("title") or ""))
    facets = tk.get_action("package_search")(search_context, {
        "fq": base_fq, "rows": 0, "facet.field": ["vocab_pida_country"], "facet.limit": -1,
        "include_private": True})
    countries = sorted(facets.get("facets", {}).get("vocab_pida_country", {}).items())
    return {"items": items, "countries": countries, "total": len(items)}


def _context_of(pkg: dict) -> dict:
    """What a reviewer reads beside a detection: who publishes the dataset, from which catalogue, what it says."""
    publishers = pkg.get("publisher") if isinstance(pkg.get("publisher"), list) else []
    publisher = next((p.get("name") for p in publishers if isinstance(p, dict) and p.get("name")), None)
    organization = (pkg.get("organization") or {}).get("title")
    harvest = pkg.get("pida_harvest") if isinstance(pkg.get("pida_harvest"), dict) else {}
    return {"publisher": publisher or organization, "organization": organization if publisher else None,
            "catalogue": harvest.get("source_title") or harvest.get("source_url"),
            "description": (pkg.get("notes") or "").strip()}


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def iso(value) -> Optional[str]:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def _loads(value: str):
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return None
