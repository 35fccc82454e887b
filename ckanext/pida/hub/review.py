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
The queue and the actions are the portal's (ckanext/pida/review.py); the hub chains ``pida_detection_decide`` for
harvested datasets.
"""
from __future__ import annotations

from typing import Optional

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida import detection, vocabulary
from ckanext.pida.hub.model import CONFIRMED, REJECTED, DetectionDecision
from ckanext.pida.review import (check_decision, concept_ids as _ids, harvested, iso as _iso, log, mark_undone,
                                 proposal_for, utcnow as _utcnow)


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
    check_decision(concept, decision)
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
    result = tk.get_action("package_patch")(patch_context, {"id": pkg["id"], "pida_priority": priority,
                                                            "pida_harvest": harvest})
    log(context, pkg["id"], concept, decision)
    return result


def undo(context: dict, dataset_id: str, concept: str) -> dict:
    """Takes back a hub editor's decision on a harvested dataset: the decision is forgotten (it no longer applies
    at re-harvests) and the detector's proposal goes back to the queue."""
    pkg = tk.get_action("package_show")(dict(context, ignore_auth=True), {"id": dataset_id})
    tk.check_access("package_update", dict(context), {"id": pkg["id"]})
    harvest = dict(pkg.get("pida_harvest") or {})
    if not harvest.get("original_uri"):
        raise tk.ValidationError({"id": [tk._("Only datasets harvested by the hub have detections to review.")]})
    model.Session.query(DetectionDecision).filter_by(original_uri=harvest["original_uri"], concept=concept).delete()
    model.Session.commit()
    info = dict(harvest.get("detection") or {})
    was_confirmed = any(c.get("id") == concept for c in info.get("confirmed") or [])
    info["confirmed"] = [c for c in info.get("confirmed") or [] if c.get("id") != concept]
    if not info["confirmed"]:
        info.pop("confirmed")
    priority = _ids(pkg.get("pida_priority"))
    if was_confirmed:
        priority = [c for c in priority if c != concept]
    info["pending"] = [p for p in info.get("pending") or [] if p.get("id") != concept] + proposal_for(
        pkg, concept, priority)
    harvest["detection"] = info
    patch_context = {"user": context.get("user"), "ignore_auth": True, "pida_lenient": True}
    result = tk.get_action("package_patch")(patch_context, {"id": pkg["id"], "pida_priority": priority,
                                                            "pida_harvest": harvest})
    mark_undone(context, pkg["id"], concept)
    return result


def harvested_package(pkg: model.Package) -> bool:
    """Whether a dataset (its database row) was harvested by the hub: its decisions are kept here."""
    return harvested({"pida_harvest": pkg.extras.get("pida_harvest")})
