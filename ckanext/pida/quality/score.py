"""The Metadata Quality Assessment (MQA) of data.europa.eu, measured on a CKAN dataset dict.

The indicators, their points and the ratings are data (``mqa.yaml``, ``file_types.yaml``); each indicator is measured
here by the function of its ``id``, on the values the dataset's DCAT output carries (ckanext-dcat and the ``pida``
profile write them). ``dataset``-level indicators are met or not; ``distribution``-level ones earn the share of the
distributions that meet them; ``best_distribution`` ones (interoperability) are read on the distribution with the most
interoperability points. The accessibility indicators read the link checker's last answer for each URL
(``pida_link_check``); a URL not checked yet earns nothing and is counted as ``pending``.

What PIDA asks and MQA does not (a declared frequency, being up to date, a data dictionary, a standard, the personal
data answer, a priority concept) is scored apart, as ``pida``: never added to the MQA-comparable number.
"""
from __future__ import annotations

import datetime
import functools
import json
import os
from typing import Callable, Optional

import yaml

from ckanext.pida import principles

HERE = os.path.dirname(os.path.abspath(__file__))
WORKING = "working"
PENDING = "pending"


@functools.lru_cache(maxsize=None)
def methodology() -> dict:
    with open(os.path.join(HERE, "mqa.yaml"), encoding="utf-8") as f:
        data = yaml.safe_load(f)
    data["max"] = sum(i["points"] for i in data["indicators"])
    data["pida_max"] = sum(i["points"] for i in data["pida_indicators"])
    return data


@functools.lru_cache(maxsize=None)
def _file_types() -> dict:
    with open(os.path.join(HERE, "file_types.yaml"), encoding="utf-8") as f:
        data = yaml.safe_load(f)
    for key in ("machine_readable", "non_proprietary", "known", "iana_top_level"):
        data[key] = frozenset(data[key])
    return data


def sniff_table() -> dict:
    """What a file of each format may really be, by what its first bytes are (``file_types.yaml``)."""
    return _file_types()["sniffed_as"]


def rating(points: float) -> str:
    return next(r["id"] for r in methodology()["ratings"] if points >= r["min"])


def file_type(value) -> Optional[str]:
    """The EU file-type code a format or media type names ("CSV", "csv", ".csv", "text/csv", the authority URI), or
    None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if "/file-type/" in text:
        text = text.rstrip("/").rsplit("/", 1)[-1]
    if "iana.org/assignments/media-types/" in text:
        text = text.split("iana.org/assignments/media-types/", 1)[1]
    low = text.lower().lstrip(".").split(";")[0].strip()
    types = _file_types()
    if low in types["media_types"]:
        return types["media_types"][low]
    if low in types["aliases"]:
        return types["aliases"][low]
    code = low.upper().replace("-", "_").replace(" ", "_")
    return code if code in types["known"] else None


def is_media_type(value) -> bool:
    """Whether a value is written as an IANA media type (``text/csv``, or its iana.org URI)."""
    if not isinstance(value, str):
        return False
    text = value.strip().split("iana.org/assignments/media-types/")[-1].lower()
    top, _, sub = text.partition("/")
    return bool(sub) and not text.startswith("http") and top in _file_types()["iana_top_level"] \
        and " " not in text


# --- the values the indicators read -------------------------------------------------------------------------------

def _filled(value) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_filled(v) for v in value)
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    return value not in (None, "", "[]", "{}")


def access_url(resource: dict) -> Optional[str]:
    return resource.get("access_url") or resource.get("url") or None


def download_url(resource: dict) -> Optional[str]:
    """A URL that is the file itself: a declared download URL, or a file uploaded to the portal."""
    if resource.get("download_url"):
        return resource["download_url"]
    if resource.get("url_type") == "upload" and resource.get("url"):
        return resource["url"]
    return None


def _media(resource: dict) -> Optional[str]:
    if resource.get("mimetype"):
        return resource["mimetype"]
    return resource["format"] if is_media_type(resource.get("format")) else None


def declared_file_types(resource: dict) -> set:
    """The file types a distribution's format and media type name (a format "RDF" with the media type
    application/rdf+xml is RDF_XML)."""
    return {c for c in (file_type(resource.get("format")), file_type(resource.get("mimetype"))) if c}


def _source_themes(pkg: dict) -> list:
    """The themes a harvested data.json dataset declared from its catalogue's own taxonomy (ids, not URIs: the hub
    keeps them with the record, ``pida_harvest.source_fields``); DCAT-AR's dcat:theme."""
    origin = pkg.get("pida_harvest")
    if isinstance(origin, str):

        try:
            origin = json.loads(origin)
        except ValueError:
            return []
    fields = origin.get("source_fields") if isinstance(origin, dict) else None
    return list(fields.get("theme") or []) if isinstance(fields, dict) else []


def _licence_id(pkg: dict) -> Optional[str]:
    value = pkg.get("license_id")
    return None if not value or value in methodology()["no_licence"] else value


DATASET_CHECKS: dict[str, Callable[[dict, dict], bool]] = {
    "keyword": lambda pkg, ctx: any((t.get("name") if isinstance(t, dict) else t) for t in pkg.get("tags") or [])
    or _filled(pkg.get("tag_string")),
    "theme": lambda pkg, ctx: _filled(pkg.get("pida_priority")) or _filled(pkg.get("theme"))
    or bool(_source_themes(pkg)),
    "spatial": lambda pkg, ctx: any(_filled(pkg.get(k)) for k in ("pida_country", "spatial_coverage", "spatial_uri",
                                                                   "spatial")),
    "temporal": lambda pkg, ctx: any(_filled(t.get("start")) or _filled(t.get("end"))
                                     for t in pkg.get("temporal_coverage") or [] if isinstance(t, dict))
    or _filled(pkg.get("temporal_start")) or _filled(pkg.get("temporal_end")),
    "dcat_ap_compliance": lambda pkg, ctx: _filled(pkg.get("title")) and _filled(pkg.get("notes"))
    and all(access_url(r) for r in pkg.get("resources") or []),
    "access_rights": lambda pkg, ctx: _filled(pkg.get("access_rights")),
    "access_rights_vocabulary": lambda pkg, ctx: str(pkg.get("access_rights") or "").startswith(
        methodology()["access_rights_vocabulary"]),
    "contact_point": lambda pkg, ctx: any(_filled(c) for c in pkg.get("contact") or [])
    or any(_filled(pkg.get(k)) for k in ("maintainer", "maintainer_email", "author", "author_email")),
    "publisher": lambda pkg, ctx: any(_filled((p or {}).get("name")) for p in pkg.get("publisher") or []
                                      if isinstance(p, dict)) or _filled(pkg.get("owner_org")),
    "issued": lambda pkg, ctx: _filled(pkg.get("issued")),
    "modified": lambda pkg, ctx: _filled(pkg.get("modified")),
}


def _link_state(url: Optional[str], ctx: dict) -> Optional[str]:
    if not url:
        return None
    return (ctx["links"].get(url) or {}).get("state", PENDING)


DISTRIBUTION_CHECKS: dict[str, Callable[[dict, dict, dict], Optional[bool]]] = {
    # None: cannot be known yet (a URL the link checker has not answered for)
    "access_url_status": lambda r, pkg, ctx: _answered(_link_state(access_url(r), ctx)),
    "download_url": lambda r, pkg, ctx: bool(download_url(r)),
    "download_url_status": lambda r, pkg, ctx: _answered(_link_state(download_url(r), ctx)),
    "format": lambda r, pkg, ctx: _filled(r.get("format")) and not is_media_type(r.get("format")),
    "media_type": lambda r, pkg, ctx: bool(_media(r)),
    "format_vocabulary": lambda r, pkg, ctx: bool(file_type(r.get("format"))) or is_media_type(_media(r)),
    "non_proprietary": lambda r, pkg, ctx: bool(declared_file_types(r) & _file_types()["non_proprietary"]),
    "machine_readable": lambda r, pkg, ctx: bool(declared_file_types(r) & _file_types()["machine_readable"]),
    "licence": lambda r, pkg, ctx: bool(_licence_id(pkg)) or _filled(r.get("license")),
    "known_licence": lambda r, pkg, ctx: _licence_id(pkg) in methodology()["known_licences"],
    "rights": lambda r, pkg, ctx: _filled(r.get("rights")),
    "byte_size": lambda r, pkg, ctx: _positive(r.get("size")),
}


def _answered(state: Optional[str]) -> Optional[bool]:
    if state is None:
        return False
    if state == PENDING:
        return None
    return state == WORKING


def _positive(value) -> bool:
    try:
        return int(float(value)) > 0
    except (TypeError, ValueError):
        return False


PIDA_CHECKS: dict[str, Callable[[dict, dict], bool]] = {
    "frequency": lambda pkg, ctx: _filled(pkg.get("frequency")),
    "up_to_date": lambda pkg, ctx: principles.is_up_to_date(pkg, ctx["now"]) is True,
    "data_dictionary": lambda pkg, ctx: any(_filled(r.get("documentation")) for r in pkg.get("resources") or []),
    "standard": lambda pkg, ctx: _filled(pkg.get("pida_standards")) or _filled(pkg.get("conforms_to")),
    "personal_data": lambda pkg, ctx: _filled(pkg.get("pida_personal_data")),
    "priority_concept": lambda pkg, ctx: _filled(pkg.get("pida_priority")),
}


def assess(pkg: dict, links: Optional[dict] = None, now: Optional[datetime.datetime] = None) -> dict:
    """The quality of one dataset: ``score`` (of 405, rounded as MQA shows it), ``rating``, points by dimension,
    each indicator (``met``: the share earned, ``pending``: distributions not checked yet), and ``pida`` apart.
    ``links``: the link checker's states by URL (``links.states``); without it every URL is pending."""
    ctx = {"links": links or {}, "now": now or datetime.datetime.utcnow()}
    resources = [r for r in pkg.get("resources") or [] if isinstance(r, dict)]
    method = methodology()
    indicators, dimensions = [], {d: {"points": 0.0, "max": 0} for d in method["dimensions"]}
    best = _best_distribution(resources, pkg, ctx)
    for ind in method["indicators"]:
        pending = 0
        if ind["scope"] == "dataset":
            share = 1.0 if DATASET_CHECKS[ind["id"]](pkg, ctx) else 0.0
        elif ind["scope"] == "best_distribution":
            share = 1.0 if best is not None and DISTRIBUTION_CHECKS[ind["id"]](best, pkg, ctx) else 0.0
        else:
            results = [DISTRIBUTION_CHECKS[ind["id"]](r, pkg, ctx) for r in resources]
            pending = sum(1 for r in results if r is None)
            share = (sum(1 for r in results if r) / len(results)) if results else 0.0
        points = round(share * ind["points"], 2)
        dimensions[ind["dimension"]]["points"] += points
        dimensions[ind["dimension"]]["max"] += ind["points"]
        indicators.append({"id": ind["id"], "dimension": ind["dimension"], "points": points, "max": ind["points"],
                           "met": round(share, 4), "pending": pending})
    total = sum(d["points"] for d in dimensions.values())
    pida = [{"id": ind["id"], "points": ind["points"] if PIDA_CHECKS[ind["id"]](pkg, ctx) else 0,
             "max": ind["points"]} for ind in method["pida_indicators"]]
    for d in dimensions.values():
        d["points"] = round(d["points"], 2)
    return {"score": int(round(total)), "points": round(total, 2), "max": method["max"], "rating": rating(total),
            "dimensions": dimensions, "indicators": indicators,
            "pending_links": sum(i["pending"] for i in indicators if i["id"].endswith("_status")),
            "pida": {"points": sum(i["points"] for i in pida), "max": method["pida_max"], "indicators": pida}}


def _best_distribution(resources: list, pkg: dict, ctx: dict) -> Optional[dict]:
    interoperable = [i for i in methodology()["indicators"] if i["scope"] == "best_distribution"]

    def points(resource):
        return sum(i["points"] for i in interoperable if DISTRIBUTION_CHECKS[i["id"]](resource, pkg, ctx))
    return max(resources, key=points) if resources else None
