"""The published PIDA vocabulary as one RDF graph: the concept scheme of the 30 priority datasets, the Charter
principles (and their checks), the stages, categories, types, identifier schemes and jurisdiction levels, the
standards, and the PIDA terms (``shapes/pida-ns.ttl``). Everything comes from the data files through
``ckanext.pida.vocabulary``; URIs follow ``ckanext.pida.base_uri``.
"""
from __future__ import annotations

import functools
import os

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS as DCT, OWL, RDF, RDFS, SKOS, XSD

from ckanext.pida import vocabulary
from ckanext.pida.profiles.pida import DQV, ELI, check_uri, jurisdiction_uri, pida_ns

SHAPES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "shapes")


def _langs(g, subject, predicate, mapping):
    """One literal per language of a ``{es, en, pt, fr}`` mapping (or a plain literal)."""
    if isinstance(mapping, dict):
        for lang, value in mapping.items():
            for v in value if isinstance(value, list) else [value]:
                if v:
                    g.add((subject, predicate, Literal(v, lang=lang)))
    elif isinstance(mapping, list):
        for v in mapping:
            _langs(g, subject, predicate, v)
    elif mapping:
        g.add((subject, predicate, Literal(mapping)))


def _scheme(g, uri, label):
    ref = URIRef(uri)
    g.add((ref, RDF.type, SKOS.ConceptScheme))
    _langs(g, ref, SKOS.prefLabel, label)
    _langs(g, ref, DCT.title, label)
    return ref


def _concept(g, uri, scheme_ref, item, top=True):
    ref = URIRef(uri)
    g.add((ref, RDF.type, SKOS.Concept))
    g.add((ref, SKOS.inScheme, scheme_ref))
    if top:
        g.add((ref, SKOS.topConceptOf, scheme_ref))
        g.add((scheme_ref, SKOS.hasTopConcept, ref))
    _langs(g, ref, SKOS.prefLabel, item.get("label") or item.get("name"))
    _langs(g, ref, SKOS.definition, item.get("definition") or item.get("description"))
    if item.get("notation") is not None or item.get("number") is not None:
        g.add((ref, SKOS.notation, Literal(str(item.get("notation", item.get("number"))))))
    return ref


def terms_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(os.path.join(SHAPES, "pida-ns.ttl"), format="turtle", publicID=vocabulary.base_uri())
    return g


def shapes_graph(name: str = "pida-shapes.ttl") -> rdflib.Graph:
    """SHACL shapes, for the configured base and legislation URIs: those of the PIDA profile (default) or, with
    ``pida-vocabulary-shapes.ttl``, those of the published vocabulary."""
    g = rdflib.Graph()
    g.parse(os.path.join(SHAPES, name), format="turtle", publicID=vocabulary.base_uri())
    default = URIRef(vocabulary.base_uri() + "legislation/AG-RES-2931-XLIX-O-19")
    configured = URIRef(vocabulary.legislation_uri())
    for s, p, o in list(g.triples((None, None, default))):
        g.remove((s, p, o))
        g.add((s, p, configured))
    return g


def _bind(g):
    for prefix, ns in (("pida", pida_ns()), ("skos", SKOS), ("dct", DCT), ("dqv", DQV), ("eli", ELI),
                       ("owl", OWL), ("xsd", XSD)):
        g.bind(prefix, ns)


def vocabulary_graph() -> rdflib.Graph:
    """The whole published PIDA vocabulary."""
    g, PIDA, base = terms_graph(), pida_ns(), vocabulary.base_uri()
    _bind(g)
    section_uri = lambda name, item_id: base + name + "/" + item_id  # noqa: E731

    sections = {}
    for name, label in (("stages", {"en": "PIDA anti-corruption stages", "es": "Etapas anticorrupción PIDA"}),
                        ("categories", {"en": "PIDA priority dataset categories",
                                        "es": "Categorías de conjuntos prioritarios PIDA"}),
                        ("types", {"en": "PIDA priority dataset types", "es": "Tipos de conjuntos prioritarios PIDA"}),
                        ("identifier_schemes", {"en": "PIDA identifier schemes",
                                                "es": "Esquemas de identificadores PIDA"})):
        path = name.replace("_", "-")
        scheme_ref = _scheme(g, base + path, label)
        for item in vocabulary.section(name):
            uri = vocabulary.stage_uri(item["id"]) if name == "stages" else (
                vocabulary.identifier_scheme_uri(item["id"]) if name == "identifier_schemes"
                else section_uri(path, item["id"]))
            _concept(g, uri, scheme_ref, item)
        sections[name] = scheme_ref

    levels = _scheme(g, base + "jurisdiction-levels", {"en": "PIDA levels of government",
                                                        "es": "Niveles de gobierno PIDA"})
    for item in vocabulary.jurisdiction_levels():
        _concept(g, jurisdiction_uri(item["id"]), levels, item)

    for item in vocabulary.section("standards"):
        uri = vocabulary.standard_uri(item["id"])
        if uri:
            g.add((URIRef(uri), RDF.type, DCT.Standard))
            _langs(g, URIRef(uri), DCT.title, item.get("label"))
            if item.get("url") and item.get("url") != uri:
                g.add((URIRef(uri), RDFS.seeAlso, URIRef(item["url"])))

    # The Charter principles: concepts of their own scheme and DQV metrics; their checks are metrics too.
    principles_ref = _scheme(g, vocabulary.principles_scheme_uri(),
                             {"en": "Open Data Charter principles (PIDA)", "es": "Principios de la Carta (PIDA)"})
    checks = vocabulary.checks() or {}
    for principle in vocabulary.principles():
        ref = _concept(g, vocabulary.principle_uri(principle["id"]), principles_ref, principle)
        g.add((ref, RDF.type, DQV.Metric))
        g.add((ref, DQV.inDimension, PIDA.CharterPrinciples))
        g.add((ref, DQV.expectedDataType, XSD.string))
        for check_id in principle.get("checks") or []:
            check = URIRef(check_uri(check_id))
            g.add((check, RDF.type, DQV.Metric))
            g.add((check, DQV.expectedDataType, XSD.boolean))
            g.add((check, SKOS.broader, ref))
            details = checks.get(check_id) if isinstance(checks, dict) else None
            _langs(g, check, SKOS.prefLabel, (details or {}).get("label") if isinstance(details, dict) else None)

    scheme = vocabulary.scheme()
    scheme_ref = _scheme(g, vocabulary.scheme_uri(), scheme.get("label") or scheme.get("title"))
    _langs(g, scheme_ref, DCT.description, scheme.get("definition") or scheme.get("description"))
    if scheme.get("version"):
        g.add((scheme_ref, OWL.versionInfo, Literal(scheme["version"])))
    legislation = URIRef(vocabulary.legislation_uri())
    g.add((scheme_ref, DCT.source, legislation))
    g.add((legislation, RDF.type, ELI.LegalResource))
    details = scheme.get("legislation") or {}
    _langs(g, legislation, DCT.title, details.get("title"))
    if details.get("identifier"):
        g.add((legislation, DCT.identifier, Literal(details["identifier"])))
    for concept in vocabulary.concepts():
        ref = _concept(g, vocabulary.concept_uri(concept["id"]), scheme_ref, concept)
        _langs(g, ref, SKOS.altLabel, concept.get("alt_labels"))
        if concept.get("category"):
            g.add((ref, PIDA.category, URIRef(section_uri("categories", concept["category"]))))
        if concept.get("type"):
            g.add((ref, PIDA.datasetType, URIRef(section_uri("types", concept["type"]))))
        for stage in concept.get("stages") or []:
            g.add((ref, PIDA.stage, URIRef(vocabulary.stage_uri(stage))))
        for standard in concept.get("standards") or []:
            if vocabulary.standard_uri(standard):
                g.add((ref, PIDA.recommendedStandard, URIRef(vocabulary.standard_uri(standard))))
        for scheme_id in concept.get("identifier_schemes") or []:
            g.add((ref, PIDA.recommendedIdentifierScheme, URIRef(vocabulary.identifier_scheme_uri(scheme_id))))
        if concept.get("personal_data"):
            g.add((ref, PIDA.personalDataLevel, Literal(concept["personal_data"])))
        if concept.get("max_update_interval"):
            g.add((ref, PIDA.maxUpdateInterval, Literal(concept["max_update_interval"], datatype=XSD.duration)))
        for principle_id, text in (concept.get("principles") or {}).items():
            node = BNode()
            g.add((ref, PIDA.guidance, node))
            g.add((node, RDF.type, PIDA.Guidance))
            g.add((node, PIDA.principle, URIRef(vocabulary.principle_uri(principle_id))))
            _langs(g, node, RDFS.comment, text)
    return g


def resource_graph(uri: str) -> rdflib.Graph:
    """The description of one resource of the vocabulary (its triples, and those of its blank nodes)."""
    full, g = _cached_graph(vocabulary.base_uri()), rdflib.Graph()
    _bind(g)
    todo, seen = [URIRef(uri)], set()
    while todo:
        subject = todo.pop()
        seen.add(subject)
        for p, o in full.predicate_objects(subject):
            g.add((subject, p, o))
            if isinstance(o, BNode) and o not in seen:
                todo.append(o)
    return g


def describes(uri: str) -> bool:
    return (URIRef(uri), None, None) in _cached_graph(vocabulary.base_uri())


@functools.lru_cache(maxsize=4)
def _cached_graph(base: str) -> rdflib.Graph:
    return vocabulary_graph()


@functools.lru_cache(maxsize=64)
def serialized(base: str, fmt: str, uri: str | None = None) -> str:
    """A serialization, cached per base URI, format and resource (the data files change only with a release)."""
    g = resource_graph(uri) if uri else _cached_graph(base)
    if fmt == "json-ld":
        return g.serialize(format="json-ld", auto_compact=True)
    return g.serialize(format=fmt)
