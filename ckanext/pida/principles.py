"""The six Open Data Charter principles, evaluated for one dataset from its metadata and its priority concepts.

Which checks make up each principle is data (``checks`` of each principle in vocabularies/priority_datasets.yaml);
this module implements the checks. A check answers True (met), False (not met) or None (does not apply to this
kind of dataset, e.g. no standard exists for it). A principle is *met* when every check that applies passes,
*not met* when none does, *partly* otherwise.
"""
from __future__ import annotations

import datetime
import functools
import re
from typing import Any, Callable, Optional

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida import encodings, vocabulary
from ckanext.pida.validators import parse_iso_date

MET, PARTLY, NOT_MET = "met", "partly", "not_met"
PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
DEFAULT_TOLERANCE = 1.2


def tolerance() -> float:
    """How far past its declared interval a dataset may be before it counts as out of date
    (``ckanext.pida.coverage.tolerance``, 1.2 as in Argentina's open data monitor)."""
    return float(tk.config.get("ckanext.pida.coverage.tolerance") or DEFAULT_TOLERANCE)


# --- durations ------------------------------------------------------------------------------------------

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


@functools.lru_cache(maxsize=None)
def parse_duration(text: Optional[str]) -> Optional[datetime.timedelta]:
    """An ISO 8601 duration as a timedelta (years as 365 days, months as 30), or None."""
    match = _DURATION.match(text or "")
    if not text or not match or not any(match.groups()):
        return None
    y, mo, w, d, h, mi, s = (int(g or 0) for g in match.groups())
    return datetime.timedelta(days=365 * y + 30 * mo + 7 * w + d, hours=h, minutes=mi, seconds=s)


def declared_frequency(pkg: dict) -> Optional[dict]:
    """The dataset's update frequency from the vocabulary, whatever the encoding it is stored in (a dataset from
    before the plugin may say "Anual" or "R/P1Y")."""
    value = pkg.get("frequency")
    return vocabulary.frequency(value) or vocabulary.frequency(encodings.frequency_uri(value)) if value else None


def allowed_interval(pkg: dict) -> Optional[datetime.timedelta]:
    """The longest acceptable time between updates: the declared frequency's, else the strictest interval of
    the dataset's priority concepts."""
    frequency = declared_frequency(pkg)
    declared = parse_duration(frequency.get("duration")) if frequency else None
    if declared:
        return declared
    intervals = [parse_duration(c.get("max_update_interval")) for c in concepts_of(pkg)]
    intervals = [i for i in intervals if i]
    return min(intervals) if intervals else None


def last_update(pkg: dict) -> Optional[datetime.datetime]:
    """When the data were last updated: ``modified``, else the record's own modification time."""
    value = pkg.get("modified") or pkg.get("metadata_modified") or ""
    parsed = parse_iso_date(encodings.iso_date(value) or value)  # "15/03/2019" on a dataset from before the plugin
    return parsed.replace(tzinfo=None) if parsed else None


def stale_after(pkg: dict) -> Optional[datetime.datetime]:
    """When the dataset stops being up to date (its last update plus its allowed interval, times the tolerance),
    or None when that cannot be known. Indexed (``pida_stale_date``), so that the coverage tells up to date from
    out of date at request time, from the index alone."""
    interval, updated = allowed_interval(pkg), last_update(pkg)
    if interval is None or updated is None:
        return None
    return updated + interval * tolerance()


def is_up_to_date(pkg: dict, now: Optional[datetime.datetime] = None) -> Optional[bool]:
    stale = stale_after(pkg)
    if stale is None:
        return None
    return (now or datetime.datetime.utcnow()) <= stale


# --- the checks -----------------------------------------------------------------------------------------

def concepts_of(pkg: dict) -> list[dict]:
    return [c for c in (vocabulary.concept(i) for i in _list(pkg.get("pida_priority"))) if c]


def _list(value: Any) -> list:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _machine_readable(fmt: str) -> bool:
    return (fmt or "").strip().lower().lstrip(".") in vocabulary.load("formats")["machine_readable"]


def _open_license(pkg: dict) -> bool:
    if "isopen" in pkg:
        return bool(pkg["isopen"])
    license = model.Package.get_license_register().get(pkg.get("license_id") or "")
    return bool(license and license.isopen())


CHECKS: dict[str, Callable[[dict, list, datetime.datetime], Optional[bool]]] = {
    "public_access": lambda pkg, cs, now: not pkg.get("private") and pkg.get("access_rights") in (None, "", PUBLIC),
    "withholding_legal_basis": lambda pkg, cs, now: bool(pkg.get("pida_legal_basis")),
    "personal_data_protected": lambda pkg, cs, now: (
        None if pkg.get("pida_personal_data") != "yes" else bool(pkg.get("pida_anonymisation"))),
    "frequency_declared": lambda pkg, cs, now: (declared_frequency(pkg) or {}).get("id") not in (None, "UNKNOWN"),
    "updated_within_interval": lambda pkg, cs, now: bool(is_up_to_date(pkg, now)),
    "temporal_coverage_declared": lambda pkg, cs, now: any(
        p.get("start") for p in _list(pkg.get("temporal_coverage")) if isinstance(p, dict)),
    "has_data_resource": lambda pkg, cs, now: any(r.get("url") for r in pkg.get("resources") or []),
    "open_license": lambda pkg, cs, now: _open_license(pkg),
    "machine_readable_format": lambda pkg, cs, now: any(
        _machine_readable(r.get("format")) for r in pkg.get("resources") or []),
    "data_dictionary": lambda pkg, cs, now: any(r.get("documentation") for r in pkg.get("resources") or []),
    "standard_declared": lambda pkg, cs, now: (
        bool(pkg.get("pida_standards") or pkg.get("conforms_to"))
        or (None if cs and not any(c.get("standards") for c in cs) else False)),
    "identifier_schemes_declared": lambda pkg, cs, now: (
        bool(pkg.get("pida_identifier_schemes"))
        or (None if cs and not any(c.get("identifier_schemes") for c in cs) else False)),
    "contact_point": lambda pkg, cs, now: bool(contact_points(pkg)),
    "anticorruption_stage_declared": lambda pkg, cs, now: bool(pkg.get("pida_stages")),
    "multilingual_description": lambda pkg, cs, now: len(_list(pkg.get("language"))) >= 2,
    "documentation_linked": lambda pkg, cs, now: bool(pkg.get("documentation")),
}


def contact_points(pkg: dict) -> list[dict]:
    """Whom to write to about the dataset: its contact points that give an email or a web address, else CKAN's own
    maintainer, else its author, when they give an email (the contact of datasets from before the plugin)."""
    contacts = [c for c in _list(pkg.get("contact")) if isinstance(c, dict) and (c.get("email") or c.get("url"))]
    if contacts:
        return contacts
    for role in ("maintainer", "author"):
        if pkg.get(role + "_email"):
            return [{"name": pkg.get(role) or "", "email": pkg[role + "_email"]}]
    return []


def evaluate(pkg: dict, now: Optional[datetime.datetime] = None) -> dict:
    """``{principle_id: {"status": met|partly|not_met, "checks": {check_id: True|False|None}}}``."""
    now = now or datetime.datetime.utcnow()
    cs = concepts_of(pkg)
    result = {}
    for principle in vocabulary.principles():
        outcomes = {check: CHECKS[check](pkg, cs, now) for check in principle["checks"]}
        applicable = [v for v in outcomes.values() if v is not None]
        passed = sum(1 for v in applicable if v)
        status = MET if passed == len(applicable) else NOT_MET if passed == 0 else PARTLY
        result[principle["id"]] = {"status": status, "checks": outcomes}
    return result


def explain(evaluation: dict, lang: Optional[str] = None) -> list[dict]:
    """The evaluation in words, in the principles' order: label, status and the reasons of each failed check."""
    checks = vocabulary.checks()
    out = []
    for principle in vocabulary.principles():
        entry = evaluation[principle["id"]]
        out.append({
            "id": principle["id"],
            "number": principle["number"],
            "uri": vocabulary.principle_uri(principle["id"]),
            "label": vocabulary.text(principle["label"], lang),
            "status": entry["status"],
            "checks": [
                {"id": check, "passed": passed, "label": vocabulary.text(checks[check]["label"], lang)}
                for check, passed in entry["checks"].items()
            ],
            "reasons": [vocabulary.text(checks[check]["fail"], lang)
                        for check, passed in entry["checks"].items() if passed is False],
        })
    return out
