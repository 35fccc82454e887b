"""The data.json readers: the OAS/RedGEALC regional metadata profile (source type ``pida_datajson``; Argentina's
datos.gob.ar and the other Andino/pydatajson portals) and DCAT-US 1.1 (source type ``pida_dcatus``; Socrata
portals such as datos.gov.co, the US). One document, read whole at every run (data.json has no paging and no
"changed since"), so every run is a full run: the content hash still skips what did not change.

The two profiles share most of their fields; each dataset is mapped onto the PIDA schema (what the schema has a
place for), and the rest of what the portal said is kept in the dataset's provenance (``pida_harvest.source_fields``)
so that nothing is thrown away."""
from __future__ import annotations

import functools
import json
import re

from ckan.lib.munge import munge_tag

from ckanext.pida import vocabulary
from ckanext.pida.hub.harvesters import fetch
from ckanext.pida.hub.harvesters.messages import HarvestProblem
from ckanext.pida.hub.harvesters.pipeline import Page, PidaPipeline, mapped

ACCEPT_JSON = "application/json, text/json;q=0.9, */*;q=0.1"
EU_ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
#: DCAT-US accessLevel -> the schema's access rights
ACCESS_LEVELS = {"public": EU_ACCESS + "PUBLIC", "restricted public": EU_ACCESS + "RESTRICTED",
                 "non-public": EU_ACCESS + "NON_PUBLIC"}
#: data.json keys the mapping below gives a place in the PIDA schema; every other key goes to provenance.
MAPPED = {"identifier", "title", "description", "keyword", "publisher", "contactPoint", "accrualPeriodicity",
          "issued", "modified", "language", "license", "landingPage", "temporal", "spatial", "distribution",
          "accessLevel", "references", "describedBy", "conformsTo", "@type", "version", "pidaPriorityDatasets"}
#: The PIDA terms a PIDA portal's /data.json gives as extension fields (ckanext/pida/datajson.py), back to the schema.
EXTENSIONS = {"pidaStages": "pida_stages", "pidaStandards": "pida_standards",
              "pidaIdentifierSchemes": "pida_identifier_schemes", "pidaJurisdictionLevel": "pida_jurisdiction",
              "pidaPersonalData": "pida_personal_data", "pidaAnonymisation": "pida_anonymisation",
              "pidaLegalBasis": "pida_legal_basis", "pidaWithheldInformation": "pida_withheld",
              "pidaCountry": "pida_country"}
_RDF_START = re.compile(rb"^\s*(@prefix|@base|PREFIX\s|BASE\s|<rdf:RDF|<\?xml)", re.IGNORECASE | re.MULTILINE)
_EMAIL = re.compile(r"^(mailto:)?(?P<address>[^@\s]+@[^@\s]+)$", re.IGNORECASE)


class DataJsonReader(PidaPipeline):
    """The reader; the two source types below differ in their names only (each reads both profiles' fields)."""

    always_full = True

    def first_page_url(self, source_url, cfg, modified_since):
        return source_url

    def read_page(self, url, cfg) -> Page:
        body, _media_type = fetch.get(url, timeout=cfg["timeout"], max_bytes=cfg["max_size_mb"] * 1024 * 1024,
                                      total_timeout=cfg["total_timeout"], accept=ACCEPT_JSON)
        kind = fetch.sniff(body)
        if kind == "html":
            raise HarvestProblem("looks_like_html", url=url)
        if kind == "ckan_api":
            raise HarvestProblem("looks_like_ckan_api", url=url)
        try:
            catalog = json.loads(body)
        except ValueError as e:
            if _RDF_START.search(body[:4096]):  # Turtle or RDF/XML
                raise HarvestProblem("looks_like_rdf", url=url)
            raise fetch.malformed(url, "JSON", e)
        if not isinstance(catalog, dict) or not isinstance(catalog.get("dataset"), list):
            raise HarvestProblem("not_data_json", url=url)
        themes = {t.get("id"): t.get("label") for t in catalog.get("themeTaxonomy") or []
                  if isinstance(t, dict) and t.get("id")}
        return Page(mapped(catalog["dataset"], to_ckan, themes))


class RegionalProfileHarvester(DataJsonReader):
    def info(self):
        return {
            "name": "pida_datajson",
            "title": "data.json, OAS regional metadata profile",
            "description": "A data.json in the OAS/RedGEALC regional metadata profile (datos.gob.ar and the other "
                           "Andino or pydatajson portals).",
        }


class DcatUsHarvester(DataJsonReader):
    def info(self):
        return {
            "name": "pida_dcatus",
            "title": "data.json, DCAT-US 1.1",
            "description": "A data.json in DCAT-US 1.1 (Socrata portals such as datos.gov.co, the US Project Open "
                           "Data).",
        }


def to_ckan(raw: dict, themes: dict | None = None) -> dict:
    """A data.json dataset as a dict for ``package_create`` under the PIDA schema (before the hub's own keys)."""
    if not isinstance(raw, dict):
        raise ValueError("a dataset is not a JSON object")
    out: dict = {"title": _text(raw.get("title")), "notes": _text(raw.get("description"))}
    identifier = _text(raw.get("identifier"))
    if identifier:  # the dataset's identity at its source (the pipeline reads it from here)
        out["extras"] = [{"key": "identifier", "value": identifier}]
    concept_labels = _concept_labels()
    tags = [_tag(k) for k in _list(raw.get("keyword"))
            if isinstance(k, str) and k.strip().lower() not in concept_labels]  # labels come back from the themes
    tags = [t for t in tags if t]
    if tags:
        out["tags"] = [{"name": t} for t in dict.fromkeys(tags)]
    publisher = raw.get("publisher")
    if isinstance(publisher, dict) and (publisher.get("name") or publisher.get("mbox")):
        out["publisher"] = [_clean({"name": publisher.get("name"), "email": _email(publisher.get("mbox"))})]
    contact = raw.get("contactPoint")
    if isinstance(contact, dict) and (contact.get("fn") or contact.get("hasEmail")):
        out["contact"] = [_clean({"name": contact.get("fn"), "email": _email(contact.get("hasEmail"))})]
    for key, source in (("frequency", "accrualPeriodicity"), ("issued", "issued"), ("modified", "modified"),
                        ("license_id", "license"), ("url", "landingPage"), ("version", "version")):
        if _text(raw.get(source)):
            out[key] = _text(raw.get(source))
    if raw.get("language"):
        out["language"] = [str(v) for v in _list(raw["language"])]
    temporal = _text(raw.get("temporal"))
    if temporal and "/" in temporal:
        start, _slash, end = temporal.partition("/")
        out["temporal_coverage"] = [_clean({"start": start.strip(), "end": end.strip()})]
    if _text(raw.get("spatial")):
        out["spatial_coverage"] = [{"text": _text(raw.get("spatial"))}]
    access = ACCESS_LEVELS.get(_text(raw.get("accessLevel")).lower())
    if access:
        out["access_rights"] = access
    documentation = [u for u in _list(raw.get("references")) + _list(raw.get("describedBy"))
                     if isinstance(u, str) and u.startswith("http")]
    if documentation:
        out["documentation"] = documentation
    conforms = [u for u in _list(raw.get("conformsTo")) if isinstance(u, str) and u.startswith("http")]
    if conforms:
        out["conforms_to"] = conforms
    out["resources"] = [_resource(d) for d in _list(raw.get("distribution")) if isinstance(d, dict)]
    out["resources"] = [r for r in out["resources"] if r.get("url")]
    # The priority datasets: a PIDA portal's themes (and pidaPriorityDatasets) are the concepts' ids and URIs.
    concepts = [t for t in _list(raw.get("theme")) if isinstance(t, str) and vocabulary.concept(t)]
    concepts += [c for c in (vocabulary.concept_id_from_uri(u) for u in _list(raw.get("pidaPriorityDatasets"))) if c]
    if concepts:
        out["pida_priority"] = list(dict.fromkeys(concepts))
    for key, field in EXTENSIONS.items():
        if raw.get(key) not in (None, "", []):
            out[field] = raw[key]
    rest = {k: v for k, v in raw.items() if k not in MAPPED and k not in EXTENSIONS and v not in (None, "", [], {})}
    if concepts and rest.get("theme"):
        rest["theme"] = [t for t in _list(rest["theme"]) if t not in concepts]
        if not rest["theme"]:
            del rest["theme"]
    if rest.get("theme") and themes:
        rest["theme_labels"] = [themes.get(t, t) for t in _list(rest["theme"])]
    if rest:
        out["_source_fields"] = rest
    return out


_TAG = re.compile(r"^[\w \-.]{2,100}$", re.UNICODE)


def _tag(keyword: str) -> str:
    """A keyword as a CKAN tag: as written when CKAN allows it (letters, digits, spaces, - _ .), else munged."""
    keyword = keyword.strip()
    return keyword if _TAG.match(keyword) else munge_tag(keyword)[:100]


@functools.lru_cache(maxsize=None)
def _concept_labels() -> frozenset:
    """The priority concepts' labels in every language, lower-cased: a PIDA portal adds them as keywords."""
    return frozenset(label.strip().lower() for c in vocabulary.concepts()
                     for label in (c.get("label") or {}).values())


def _resource(raw: dict) -> dict:
    # As ckanext-dcat reads a dcat:Distribution: url is the file when there is one, and both URLs are kept.
    resource = {"url": _text(raw.get("downloadURL")) or _text(raw.get("accessURL")),
                "access_url": _text(raw.get("accessURL")), "download_url": _text(raw.get("downloadURL")),
                "name": _text(raw.get("title")) or _text(raw.get("fileName")),
                "description": _text(raw.get("description")),
                "format": _text(raw.get("format")) or _text(raw.get("mediaType")),
                "modified": _text(raw.get("modified"))}
    if raw.get("describedBy") and str(raw["describedBy"]).startswith("http"):
        resource["documentation"] = [raw["describedBy"]]
    if raw.get("conformsTo") and str(raw["conformsTo"]).startswith("http"):
        resource["conforms_to"] = [raw["conformsTo"]]
    if raw.get("license"):
        resource["license"] = _text(raw.get("license"))
    if raw.get("field"):  # the data dictionary of the regional profile
        resource["fields"] = json.dumps(raw["field"], ensure_ascii=False)
    return _clean(resource)


def _email(value) -> str | None:
    match = _EMAIL.match(_text(value))
    return match.group("address") if match else None


def _text(value) -> str:
    if isinstance(value, (list, dict)) or value is None:
        return ""
    return str(value).strip()


def _list(value) -> list:
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [])}
