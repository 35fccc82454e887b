"""The published PIDA vocabulary: the concept scheme, the principles and the PIDA terms, in Turtle and JSON-LD."""
import pytest
import rdflib
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from ckanext.pida import vocabulary

from tests.conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("with_plugins")]


def graph(response, fmt):
    return rdflib.Graph().parse(data=response.body, format=fmt)


@pytest.mark.parametrize("path,fmt,ctype", [
    ("/pida/priority-datasets.ttl", "turtle", "text/turtle"),
    ("/pida/priority-datasets.jsonld", "json-ld", "application/ld+json"),
    ("/pida/vocabulary.rdf", "xml", "application/rdf+xml"),
])
def test_scheme_has_30_concepts_and_6_principles_in_four_languages(app, path, fmt, ctype):
    response = app.get(path, status=200)
    assert response.headers["Content-Type"].startswith(ctype)
    g = graph(response, fmt)
    scheme = URIRef(vocabulary.scheme_uri())
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    concepts = set(g.objects(scheme, SKOS.hasTopConcept))
    assert len(concepts) == 30
    principles = set(g.objects(URIRef(vocabulary.principles_scheme_uri()), SKOS.hasTopConcept))
    assert len(principles) == 6
    for concept in concepts | principles:
        assert {label.language for label in g.objects(concept, SKOS.prefLabel)} >= {"es", "en", "pt", "fr"}
    budgets = URIRef(vocabulary.concept_uri("budgets"))
    assert (budgets, SKOS.inScheme, scheme) in g and (budgets, SKOS.definition, None) in g
    # The PIDA terms travel with the scheme.
    assert (URIRef(vocabulary.terms_namespace() + "priorityDataset"), RDF.type, RDF.Property) in g


def test_concept_uri_path_negotiates(app):
    ttl = app.get("/pida/priority-datasets/budgets", headers={"Accept": "text/turtle"}, status=200)
    assert ttl.headers["Content-Type"].startswith("text/turtle")
    g = graph(ttl, "turtle")
    budgets = URIRef(vocabulary.concept_uri("budgets"))
    assert (budgets, SKOS.inScheme, URIRef(vocabulary.scheme_uri())) in g
    assert len(set(g.subjects(RDF.type, SKOS.Concept))) == 1  # only this concept

    jsonld = app.get("/pida/priority-datasets/budgets", headers={"Accept": "application/ld+json"}, status=200)
    assert jsonld.headers["Content-Type"].startswith("application/ld+json")
    assert (budgets, RDF.type, SKOS.Concept) in graph(jsonld, "json-ld")

    assert app.get("/pida/priority-datasets/budgets.jsonld", status=200).headers["Content-Type"].startswith(
        "application/ld+json")
    principle = app.get("/pida/principles/open-by-default.ttl", status=200)
    assert (URIRef(vocabulary.principle_uri("open-by-default")), RDF.type, SKOS.Concept) in graph(principle, "turtle")


def test_unknown_concept_is_404(app):
    app.get("/pida/priority-datasets/no-such-dataset.ttl", status=404)
    app.get("/pida/priority-datasets/budgets.exe", status=404)


def test_terms(app):
    g = graph(app.get("/pida/ns.ttl", status=200), "turtle")
    ns = vocabulary.terms_namespace()
    for term in ("priorityDataset", "stage", "identifierScheme", "personalData", "anonymisation", "legalBasis",
                 "withheldInformation", "jurisdictionLevel"):
        assert (URIRef(ns + term), RDF.type, RDF.Property) in g, term


@pytest.mark.ckan_config("ckanext.pida.base_uri", "https://data.oas.org/pida")
def test_uris_follow_the_configured_base(app):
    g = graph(app.get("/pida/priority-datasets.ttl", status=200), "turtle")
    assert (URIRef("https://data.oas.org/pida/priority-datasets/budgets"), RDF.type, SKOS.Concept) in g
    assert not any("w3id.org" in str(s) for s in g.subjects())


def test_a_browser_gets_the_concepts_page_and_any_other_client_rdf(app):
    """The same URI: a person reads what the priority dataset is and what each principle asks of it, in their
    language; a client that asks for RDF, or for anything (``*/*``), gets RDF as before."""
    browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = app.get("/es/pida/priority-datasets/asset-declarations", headers={"Accept": browser_accept}, status=200)
    assert page.headers["Content-Type"].startswith("text/html")
    body = page.get_data(as_text=True)
    assert "<h1>Declaraciones patrimoniales</h1>" in body
    assert vocabulary.text(vocabulary.concept("asset-declarations")["definition"], "es") in body
    asks = vocabulary.concept("asset-declarations")["principles"]["accessible-usable"]["es"]
    assert asks in body and "Abiertos por defecto" in body
    assert "/pida/requests/new?concept=asset-declarations" in body
    assert vocabulary.concept_uri("asset-declarations") in body and "asset-declarations.ttl" in body

    for accept in ("*/*", "text/turtle", "text/turtle,text/html;q=0.5"):
        answer = app.get("/pida/priority-datasets/asset-declarations", headers={"Accept": accept}, status=200)
        assert answer.headers["Content-Type"].startswith("text/turtle"), accept
