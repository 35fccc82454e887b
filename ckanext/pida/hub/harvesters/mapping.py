"""What a national catalogue says, mapped onto the PIDA schema before import: languages, update frequency and
licence in whatever common encoding the portal uses (ckanext/pida/encodings.py). Nothing is refused: a value that
cannot be mapped leaves its field and is kept in the dataset's provenance (``pida_harvest.unmapped``), and the run
reports it as a warning on the health page."""
from __future__ import annotations

import functools
import json

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from ckan.model.license import LicenseRegister

from ckanext.pida import encodings

DCAT_DISTRIBUTION = URIRef("http://www.w3.org/ns/dcat#distribution")


def normalise(dataset: dict, graph=None) -> list[dict]:
    """Maps ``language``, ``frequency`` and the licence of ``dataset`` in place. Returns what could not be mapped,
    as ``[{"field", "value"}]``."""
    unmapped: list[dict] = []

    languages, unknown = [], []
    for value in _as_list(dataset.get("language")):
        uri = encodings.language_uri(value)
        if not uri:
            unknown.append(value)
        elif uri not in languages:
            languages.append(uri)
    if languages:
        dataset["language"] = languages
    else:
        dataset.pop("language", None)
    unmapped += [{"field": "language", "value": str(v)} for v in unknown]

    frequency = dataset.get("frequency")
    if frequency:
        uri = encodings.frequency_uri(frequency) or encodings.frequency_uri(_described_duration(graph, frequency))
        if uri:
            dataset["frequency"] = uri
        else:
            dataset.pop("frequency")
            unmapped.append({"field": "frequency", "value": str(frequency)})

    licence = _licence(dataset, graph)
    if licence:
        dataset["license_id"] = licence
    return unmapped


TIME = "http://www.w3.org/2006/time#"
RDF_VALUE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#value")
DURATION_UNITS = (("years", "Y"), ("months", "M"), ("weeks", "W"), ("days", "D"))


def _described_duration(graph, frequency: str) -> str | None:
    """A frequency given as a node whose rdf:value is a time:DurationDescription (DCAT-AP-ES: ``time:years 1.0``),
    as an ISO 8601 duration (``P1Y``)."""
    if graph is None or not str(frequency).startswith("http"):
        return None
    node = URIRef(frequency)
    description = graph.value(node, RDF_VALUE) or node
    for unit, letter in DURATION_UNITS:
        amount = graph.value(description, URIRef(TIME + unit))
        if amount is not None:
            try:
                number = float(amount)
            except ValueError:
                return None
            return "P{:g}{}".format(number, letter)
    hours = graph.value(description, URIRef(TIME + "hours"))
    return "PT{:g}H".format(float(hours)) if hours is not None else None


def _licence(dataset: dict, graph) -> str | None:
    """The dataset's licence as a CKAN licence id, read wherever the profiles put it: the dataset's own
    ``dct:license`` (a URI, a typed ``dct:LicenseDocument`` node or a blank node with its identifier or title; which
    ckanext-dcat does not read), what ckanext-dcat found, the distributions' licences, then a ``dct:rights`` that
    names a licence. A free-text licence is read without its HTML, and a licence it names (its URL, or a known name
    such as "Licence Ouverte") is recognised. A licence no table knows is kept as given (its URL or its text, without
    HTML), never dropped."""
    candidates, rights = [], []
    node = dataset.pop("_node", None)
    uri = dataset.get("uri") or next((e.get("value") for e in dataset.get("extras") or []
                                      if isinstance(e, dict) and e.get("key") == "uri"), None)
    ref = (URIRef(uri) if uri else node) if graph is not None else None
    if ref is not None:
        candidates += [_licence_text(graph, o) for o in graph.objects(ref, DCTERMS.license)]
        rights += [_licence_text(graph, o) for o in graph.objects(ref, DCTERMS.rights)]
    candidates.append(dataset.get("license_id"))
    if ref is not None:
        for distribution in graph.objects(ref, DCAT_DISTRIBUTION):
            candidates += [_licence_text(graph, o) for o in graph.objects(distribution, DCTERMS.license)]
            rights += [_licence_text(graph, o) for o in graph.objects(distribution, DCTERMS.rights)]
    candidates += [r.get("license") for r in dataset.get("resources") or [] if isinstance(r, dict)]
    candidates = [c for c in candidates if c and c.strip()]
    known = _ckan_licences()
    for candidate in candidates + [r for r in rights if r]:
        if candidate in known:
            return candidate
        licence_id = encodings.licence_id(candidate) or encodings.licence_in_text(candidate)
        if licence_id:
            return licence_id
    return encodings.plain_text(candidates[0]) or None if candidates else None


def _licence_text(graph, node) -> str | None:
    """A licence node as text: its URI or literal, or (a blank node) its dct:identifier or dct:title."""
    if isinstance(node, (URIRef, Literal)):
        return str(node)
    for predicate in (DCTERMS.identifier, DCTERMS.title):
        value = graph.value(node, predicate)
        if value:
            return str(value)
    return None


@functools.lru_cache(maxsize=None)
def _ckan_licences() -> frozenset:
    return frozenset(licence_id for licence_id, _l in LicenseRegister().items())


def _as_list(value) -> list:
    """A list of values, from a list or from ckanext-dcat's JSON-encoded list (``'["es", "en"]'``)."""
    if not value:
        return []
    if isinstance(value, str):
        if value.strip().startswith("["):
            try:
                return [v for v in json.loads(value) if v]
            except ValueError:
                pass
        return [value]
    return list(value)
