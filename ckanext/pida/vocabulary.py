"""The PIDA vocabularies: read-only access to the data files in ``vocabularies/``.

The files are the single source of the priority datasets, the Charter principles, stages, standards, identifier
schemes, countries, frequencies, licences and jurisdiction levels. Everything else (choices, validation, RDF, the
concept scheme, coverage) reads them through this module. URIs are built here, from one configurable base, so that
every country publishes the same ones.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
from typing import Any, Iterable, Optional

import yaml

import ckan.plugins.toolkit as tk

HERE = os.path.join(os.path.dirname(__file__), "vocabularies")
LANGUAGES = ("es", "en", "pt", "fr")

#: Base of every PIDA URI until the OAS hosts them (``ckanext.pida.base_uri``).
DEFAULT_BASE_URI = "https://w3id.org/pida/"
EU_COUNTRY = "http://publications.europa.eu/resource/authority/country/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"

#: The CKAN tag vocabulary that holds the priority-dataset concepts.
PRIORITY_VOCABULARY = "pida_priority"


@functools.lru_cache(maxsize=None)
def load(name: str) -> Any:
    """The parsed data file ``vocabularies/<name>.yaml`` (cached: the files change only with a release)."""
    with open(os.path.join(HERE, name + ".yaml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


@functools.lru_cache(maxsize=None)
def data_digest() -> str:
    """SHA-1 of every vocabulary data file: what a harvested dataset's mapping and a catalogue's graph depend on
    besides the code (their caches and fingerprints include it)."""
    digest = hashlib.sha1()
    for name in sorted(n for n in os.listdir(HERE) if n.endswith(".yaml")):
        with open(os.path.join(HERE, name), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


def _index(items: Iterable[dict], key: str = "id") -> dict:
    return {item[key]: item for item in items}


# --- priority datasets and the Charter ------------------------------------------------------------------

def scheme() -> dict:
    return load("priority_datasets")["scheme"]


def concepts() -> list[dict]:
    return load("priority_datasets")["concepts"]


@functools.lru_cache(maxsize=None)
def _concepts_by_id() -> dict:
    return _index(concepts())


def concept(concept_id: str) -> Optional[dict]:
    return _concepts_by_id().get(concept_id)


def principles() -> list[dict]:
    return load("priority_datasets")["principles"]


def checks() -> dict:
    return load("priority_datasets")["checks"]


def section(name: str) -> list[dict]:
    """A list section of priority_datasets.yaml: stages, categories, types, standards, identifier_schemes."""
    return load("priority_datasets")[name]


@functools.lru_cache(maxsize=None)
def _section_index(name: str) -> dict:
    return _index(section(name))


def item(section_name: str, item_id: str) -> Optional[dict]:
    return _section_index(section_name).get(item_id)


# --- other vocabularies ----------------------------------------------------------------------------------

def countries() -> list[dict]:
    return load("countries")


@functools.lru_cache(maxsize=None)
def _countries_by_code() -> dict:
    return _index(countries(), "code")


def country(code: str) -> Optional[dict]:
    return _countries_by_code().get((code or "").upper())


def country_uri(code: str) -> Optional[str]:
    c = country(code)
    return EU_COUNTRY + c["alpha3"] if c else None


def country_from_uri(uri: str) -> Optional[dict]:
    if uri and uri.startswith(EU_COUNTRY):
        alpha3 = uri[len(EU_COUNTRY):]
        return next((c for c in countries() if c["alpha3"] == alpha3), None)
    return None


def frequencies() -> list[dict]:
    return load("frequencies")


@functools.lru_cache(maxsize=None)
def _frequencies_by_key() -> dict:
    by_key = {}
    for f in frequencies():
        by_key[f["uri"]] = f
        by_key[f["id"]] = f
    return by_key


def frequency(value: str) -> Optional[dict]:
    """A frequency by its EU authority URI (what datasets store) or its code (``ANNUAL``)."""
    return _frequencies_by_key().get(value or "")


def jurisdiction_levels() -> list[dict]:
    return load("jurisdiction_levels")


#: The vocabularies a choice field may name in ``pida_choice(...)``, each as (items, key of the stored value).
CHOICE_SOURCES = {
    "stages": (lambda: section("stages"), "id"),
    "standards": (lambda: section("standards"), "id"),
    "identifier_schemes": (lambda: section("identifier_schemes"), "id"),
    "countries": (countries, "code"),
    "frequencies": (frequencies, "uri"),
    "jurisdiction_levels": (jurisdiction_levels, "id"),
    "priority": (concepts, "id"),
}


def allowed_values(source: str) -> list[str]:
    items, key = CHOICE_SOURCES[source]
    return [i[key] for i in items()]


def label_of(source: str, value: str, lang: Optional[str] = None) -> str:
    items, key = CHOICE_SOURCES[source]
    for i in items():
        if i[key] == value:
            return text(i.get("label") or i.get("name"), lang)
    return value


# --- languages ------------------------------------------------------------------------------------------

def current_lang() -> str:
    try:
        return tk.h.lang() or "en"
    except Exception:  # no request (CLI, background job): the site's default
        return tk.config.get("ckan.locale_default") or "en"


def text(mapping: Any, lang: Optional[str] = None) -> str:
    """The text of a ``{es, en, pt, fr}`` mapping in ``lang`` (a CKAN locale such as ``pt_BR`` works), else
    English, else Spanish."""
    if not isinstance(mapping, dict):
        return mapping or ""
    lang = (lang or current_lang()).replace("-", "_")
    for candidate in (lang, lang.split("_")[0], "en", "es"):
        if mapping.get(candidate):
            return mapping[candidate]
    return next(iter(mapping.values()), "")


def scheming_label(mapping: dict) -> dict:
    """A four-language mapping keyed the way ckanext-scheming looks labels up (CKAN locales: pt_BR)."""
    out = dict(mapping)
    if "pt" in out:
        out.setdefault("pt_BR", out["pt"])
        out.setdefault("pt_PT", out["pt"])
    return out


# --- URIs -----------------------------------------------------------------------------------------------

def base_uri() -> str:
    base = tk.config.get("ckanext.pida.base_uri") or DEFAULT_BASE_URI
    return base if base.endswith(("/", "#")) else base + "/"


def scheme_uri() -> str:
    return base_uri() + "priority-datasets"


def concept_uri(concept_id: str) -> str:
    return base_uri() + "priority-datasets/" + concept_id


def concept_id_from_uri(uri: str) -> Optional[str]:
    """The concept id of a concept URI, whatever base the publishing portal used."""
    match = re.search(r"/priority-datasets/([a-z0-9-]+)/?$", uri or "")
    return match.group(1) if match and concept(match.group(1)) else None


def principle_uri(principle_id: str) -> str:
    return base_uri() + "principles/" + principle_id


def principles_scheme_uri() -> str:
    return base_uri() + "principles"


def terms_namespace() -> str:
    """The namespace of the small PIDA vocabulary of RDF terms (properties and classes)."""
    return base_uri() + "ns#"


def legislation_uri() -> str:
    """The OAS resolution that adopted PIDA, as the object of ``dcatap:applicableLegislation``."""
    return tk.config.get("ckanext.pida.legislation_uri") or base_uri() + "legislation/AG-RES-2931-XLIX-O-19"


def stage_uri(stage_id: str) -> str:
    return base_uri() + "stages/" + stage_id


def standard_uri(standard_id: str) -> Optional[str]:
    s = item("standards", standard_id)
    return s.get("uri") or s.get("url") if s else None


def identifier_scheme_uri(scheme_id: str) -> str:
    return base_uri() + "identifier-schemes/" + scheme_id
