"""The portal's catalogue as data.json in the OAS/RedGEALC regional metadata profile (``/data.json``), so that the
region's existing tools (pydatajson, the Andino federation, the hub's ``pida_datajson`` source type) read it.

Every required and recommended field of the profile that the PIDA schema has is filled; the 30 priority datasets are
the catalogue's ``themeTaxonomy`` (a dataset's priority concepts are its ``theme``s, and their labels are also
keywords), and the PIDA terms the profile has no field for are extension fields (``pidaStages``,
``pidaPersonalData``...). Like the RDF catalogue, it lists public, active datasets only, and it is streamed: the
datasets are read from the search index a page at a time, in a stable order (by id), so the cost of a page is
bounded and memory stays flat however large the catalogue."""
from __future__ import annotations

import json
import re
from typing import Iterator, Optional

import ckan.plugins.toolkit as tk

from ckanext.pida import catalog, encodings, principles, vocabulary

PAGE = 500
SUPER_THEME_TAXONOMY = "http://datos.gob.ar/superThemeTaxonomy.json"
#: the profile's keyword pattern: letters (with Spanish accents), digits, spaces and . _ -
_KEYWORD = re.compile(r"^[ 0-9a-zá-źÁ-ŹA-ZñÑ._-]+$")
EXTENSIONS = {"pida_stages": "pidaStages", "pida_standards": "pidaStandards",
              "pida_identifier_schemes": "pidaIdentifierSchemes", "pida_jurisdiction": "pidaJurisdictionLevel",
              "pida_personal_data": "pidaPersonalData", "pida_anonymisation": "pidaAnonymisation",
              "pida_legal_basis": "pidaLegalBasis", "pida_withheld": "pidaWithheldInformation",
              "pida_country": "pidaCountry"}


def catalog_head(lang: str = "es") -> dict:
    """The catalogue's own fields (everything but ``dataset``)."""
    site_url = tk.config.get("ckan.site_url", "").rstrip("/")
    return {
        "identifier": site_url,
        "title": tk.config.get("ckan.site_title") or "CKAN",
        "description": tk.config.get("ckan.site_description") or vocabulary.text(vocabulary.scheme()["title"], lang),
        "publisher": {"name": tk.config.get("ckanext.pida.catalog_publisher_name") or tk.config.get(
            "ckan.site_title") or "CKAN", "mbox": tk.config.get("ckanext.pida.catalog_publisher_email") or ""},
        "superThemeTaxonomy": SUPER_THEME_TAXONOMY,
        "themeTaxonomy": [{"id": c["id"], "label": vocabulary.text(c["label"], lang),
                           "description": vocabulary.text(c.get("definition"), lang)}
                          for c in vocabulary.concepts()],
        "language": [_iso639(lang) or "spa"],
        "homepage": site_url,
    }


def stream(lang: str = "es") -> Iterator[str]:
    """The data.json document, in chunks: the catalogue's fields, then its datasets one search page at a time."""
    head = json.dumps(catalog_head(lang), ensure_ascii=False)
    yield head[:-1] + ', "dataset": ['
    first = True
    for pkg in public_datasets():
        yield ("" if first else ",") + json.dumps(dataset(pkg, lang), ensure_ascii=False)
        first = False
    yield "]}"


def public_datasets() -> Iterator[dict]:
    """Public, active datasets, by id, a page of the search index at a time (a cursor, not offsets)."""
    after = None
    fq_list = catalog.filters({})  # what the RDF catalogue shows: public and active only
    while True:
        result = catalog._search(fq_list + (['id:{"%s" TO *]' % after] if after else []), None, None, PAGE)
        yield from result["results"]
        if len(result["results"]) < PAGE:
            return
        after = result["results"][-1]["id"]


def dataset(pkg: dict, lang: str = "es") -> dict:
    """A PIDA dataset as a data.json dataset of the regional profile."""
    site_url = tk.config.get("ckan.site_url", "").rstrip("/")
    concepts = [c for c in (vocabulary.concept(i) for i in _list(pkg.get("pida_priority"))) if c]
    harvested = pkg.get("pida_harvest") if isinstance(pkg.get("pida_harvest"), dict) else {}
    kept = harvested.get("source_fields") or {}  # what a harvested data.json said beyond the schema
    organization = pkg.get("organization") or {}
    publisher = next(iter(_list(pkg.get("publisher"))), None) or {}
    contact = next(iter(principles.contact_points(pkg)), None) or {}  # the maintainer of a dataset from before
    out = {
        "identifier": pkg["id"],
        "title": pkg.get("title") or pkg["name"],
        "description": pkg.get("notes") or pkg.get("title") or pkg["name"],
        "publisher": _clean({"name": publisher.get("name") or organization.get("title") or organization.get("name"),
                             "mbox": publisher.get("email")}),
        "contactPoint": _clean({"fn": contact.get("name"), "hasEmail": contact.get("email")}),
        "superTheme": kept.get("superTheme") or _super_themes(concepts),
        "theme": [c["id"] for c in concepts] + [t for t in _list(kept.get("theme"))
                                                if t not in {c["id"] for c in concepts}],
        "keyword": _keywords([t["name"] for t in pkg.get("tags") or [] if t.get("vocabulary_id") is None]
                             + [vocabulary.text(c["label"], lang) for c in concepts]),
        "accrualPeriodicity": _periodicity(pkg.get("frequency") or _extra(pkg, "accrualPeriodicity")),
        "issued": encodings.iso_date(pkg.get("issued")) or pkg.get("metadata_created"),
        "modified": encodings.iso_date(pkg.get("modified")) or pkg.get("metadata_modified"),
        "language": [code for code in (_iso639(u) for u in _list(pkg.get("language"))) if code],
        "landingPage": pkg.get("url") or "{}/dataset/{}".format(site_url, pkg["name"]),
        "license": _licence(pkg),
        "distribution": [_distribution(pkg, r, site_url) for r in pkg.get("resources") or []],
    }
    temporal = next(iter(_list(pkg.get("temporal_coverage"))), None)
    if isinstance(temporal, dict) and temporal.get("start") and temporal.get("end"):
        out["temporal"] = "{}/{}".format(temporal["start"], temporal["end"])
    country = vocabulary.country(pkg.get("pida_country") or "")
    spatial = next((s.get("text") for s in _list(pkg.get("spatial_coverage")) if isinstance(s, dict)), None)
    if spatial or country:
        out["spatial"] = spatial or country["alpha3"]
    if concepts:
        out["pidaPriorityDatasets"] = [vocabulary.concept_uri(c["id"]) for c in concepts]
    for key, name in EXTENSIONS.items():
        if pkg.get(key) not in (None, "", []):
            out[name] = pkg[key]
    for key, value in kept.items():  # the rest of a harvested data.json, as the portal said it
        out.setdefault(key, value)
    distributions = out["distribution"]
    out = _clean(out)
    out["distribution"] = distributions  # required, even when empty
    return out


def _distribution(pkg: dict, resource: dict, site_url: str) -> dict:
    out = {
        "identifier": resource["id"],
        "accessURL": "{}/dataset/{}/resource/{}".format(site_url, pkg["name"], resource["id"]),
        "downloadURL": resource.get("url") or "",
        "title": resource.get("name") or resource.get("url") or resource["id"],
        "description": resource.get("description"),
        "format": resource.get("format"),
        "mediaType": resource.get("mimetype"),
        "issued": (resource.get("created") or pkg.get("metadata_created") or "")[:19] or None,
        "modified": resource.get("modified") or None,
        "license": _licence(pkg),
    }
    if resource.get("fields"):
        try:
            out["field"] = json.loads(resource["fields"]) if isinstance(resource["fields"], str) else resource["fields"]
        except ValueError:
            pass
    return _clean(out)


def _super_themes(concepts: list[dict]) -> list[str]:
    by_category = {c["id"]: c.get("super_theme") for c in vocabulary.section("categories")}
    themes = sorted({by_category.get(c.get("category")) for c in concepts} - {None})
    return themes or ["GOVE"]


def _periodicity(frequency: Optional[str]) -> Optional[str]:
    """The profile's repeating interval (``R/P1M``; ``eventual`` for an irregular one) of a frequency in any common
    encoding; None (left out) when the dataset declares none, or one that cannot be read: never made up."""
    found = vocabulary.frequency(encodings.frequency_uri(frequency) or "") if frequency else None
    return (found or {}).get("iso_repeating")


def _extra(pkg: dict, key: str) -> Optional[str]:
    """A free extra of the dataset (one from before the plugin may keep its accrualPeriodicity there)."""
    return next((e.get("value") for e in pkg.get("extras") or [] if e.get("key") == key), None)


def _licence(pkg: dict) -> Optional[str]:
    return pkg.get("license_title") or pkg.get("license_id") or None


def _iso639(value: str) -> Optional[str]:
    """An EU language URI (or a code) as the ISO 639-2 code the profile uses ("spa")."""
    uri = encodings.language_uri(value)
    return uri.rsplit("/", 1)[-1].lower() if uri else None


def _keywords(words: list[str]) -> list[str]:
    out = []
    for word in words:
        word = (word or "").strip()
        if word and _KEYWORD.match(word) and word not in out:
            out.append(word)
    return out


def _list(value) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        if value.startswith("["):
            try:
                return json.loads(value)
            except ValueError:
                return [value]
        return [value]
    return list(value)


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}
