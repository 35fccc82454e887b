"""The `pida` RDF profile: every PIDA field written and read back, and SHACL-valid output (PIDA shapes and the
official DCAT-AP 3.0.1 shapes, in tests/data/shacl/)."""
import os

import pytest
import pyshacl
import rdflib
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from ckan.tests import helpers
from ckanext.dcat.processors import RDFParser, RDFSerializer
from ckanext.dcat.profiles import DCAT, DCATAP, DCT

from ckanext.pida import vocabulary
from ckanext.pida.profiles import scheme
from ckanext.pida.profiles.pida import DQV, pida_ns

from tests.conftest import PORTAL_PLUGINS

SHACL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "shacl")
PIDA_FIELDS = ("pida_priority", "pida_stages", "pida_standards", "pida_identifier_schemes", "pida_country",
               "pida_jurisdiction", "pida_legal_basis", "pida_withheld", "pida_personal_data",
               "pida_anonymisation")
PROFILES = ["euro_dcat_ap_3", "euro_dcat_ap_scheming", "pida"]


SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def dcat_ap_shapes():
    """The official DCAT-AP 3.0.1 shapes plus the range shapes. The ranges file lists, on its node shapes, property
    shapes it never defines (they have no sh:path): pyshacl refuses those, so the dangling links are dropped;
    every defined shape is kept."""
    g = rdflib.Graph()
    for name in ("dcat-ap-3.0.1-SHACL.ttl", "dcat-ap-3.0.1-ranges.ttl"):
        path = os.path.join(SHACL_DIR, name)
        assert os.path.exists(path), "official DCAT-AP shapes missing: %s" % path
        g.parse(path, format="turtle")
    dangling = [(s, o) for s, o in g.subject_objects(SH.property) if (o, SH.path, None) not in g]
    for s, o in dangling:
        g.remove((s, SH.property, o))
    assert len(list(g.subject_objects(SH.property))) > 200  # still the full set of DCAT-AP property shapes
    return g


def violations(data_graph, shapes_graph):
    conforms, report, text = pyshacl.validate(data_graph, shacl_graph=shapes_graph, advanced=True,
                                              allow_warnings=True)
    found = [r for r in report.subjects(SH.resultSeverity, SH.Violation)]
    return len(found), text


def describe(pkg):
    """A fully described dataset: add what the PIDA fields alone do not give (withheld information)."""
    pkg = dict(pkg)
    pkg["pida_withheld"] = "Números de documento de personas naturales (Ley 1581 de 2012, art. 5)."
    return pkg


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestProfile:

    def _graph(self, pkg):
        serializer = RDFSerializer(profiles=PROFILES)
        ref = serializer.graph_from_dataset(pkg)
        return serializer.g, ref

    def test_writes_the_pida_pattern(self, full_dataset):
        pkg = helpers.call_action("package_create", **describe(full_dataset))
        g, ref = self._graph(pkg)
        PIDA = pida_ns()
        concept = URIRef(vocabulary.concept_uri("lobbying-register"))

        assert (ref, DCAT.theme, concept) in g
        assert (ref, PIDA.priorityDataset, concept) in g
        assert (concept, SKOS.inScheme, URIRef(vocabulary.scheme_uri())) in g
        assert (ref, DCATAP.applicableLegislation, URIRef(vocabulary.legislation_uri())) in g
        assert (ref, DCT.spatial, URIRef("http://publications.europa.eu/resource/authority/country/COL")) in g
        assert (ref, DCT.conformsTo, URIRef(vocabulary.standard_uri("popolo"))) in g
        assert (ref, DCT.accrualPeriodicity,
                URIRef("http://publications.europa.eu/resource/authority/frequency/MONTHLY")) in g
        assert (ref, PIDA.stage, URIRef(vocabulary.stage_uri("prevention"))) in g
        assert (ref, PIDA.identifierScheme, URIRef(vocabulary.identifier_scheme_uri("tax-id"))) in g
        assert str(g.value(ref, PIDA.personalData)) == "true"
        assert "suprimen" in str(g.value(ref, PIDA.anonymisation))
        # The Charter evaluation: one measurement per principle, with the status principles.evaluate() gives.
        statuses = {str(g.value(m, DQV.isMeasurementOf)): str(g.value(m, DQV.value))
                    for m in g.objects(ref, DQV.hasQualityMeasurement)}
        for principle in vocabulary.principles():
            assert statuses[vocabulary.principle_uri(principle["id"])] in ("met", "partly", "not_met")

    def test_a_dataset_without_priority_carries_no_legislation(self, org):
        pkg = helpers.call_action("package_create", name="otro", title="Otro", notes="Otro conjunto.",
                                  owner_org=org["id"], pida_country="CO", pida_personal_data="no",
                                  frequency="http://publications.europa.eu/resource/authority/frequency/ANNUAL",
                                  license_id="cc-by")
        g, ref = self._graph(pkg)
        assert not list(g.objects(ref, DCATAP.applicableLegislation))
        # no Charter evaluation: only the MQA metrics (piveau's), which every dataset has
        metrics = {str(g.value(m, DQV.isMeasurementOf)) for m in g.objects(ref, DQV.hasQualityMeasurement)}
        assert metrics and all(m.startswith("https://piveau.eu/ns/voc#") for m in metrics)

    def test_round_trip_keeps_every_pida_field(self, full_dataset):
        pkg = helpers.call_action("package_create", **describe(full_dataset))
        ttl = RDFSerializer(profiles=PROFILES).serialize_dataset(pkg, _format="turtle")

        parser = RDFParser(profiles=PROFILES)
        parser.parse(ttl, _format="turtle")
        parsed = list(parser.datasets())
        assert len(parsed) == 1
        back = parsed[0]
        for field in PIDA_FIELDS:
            expected = pkg[field]
            got = back.get(field)
            if isinstance(expected, list):
                assert sorted(got or []) == sorted(expected), field
            else:
                assert got == expected, field
        # ckanext-dcat's fields are still there, and the PIDA values are not duplicated into them.
        assert back["frequency"] == pkg["frequency"]
        assert back["contact"][0]["email"] == "datos@transparencia.example.gov"
        assert not any(vocabulary.concept_id_from_uri(t) for t in back.get("theme") or [])
        assert vocabulary.standard_uri("popolo") not in (back.get("conforms_to") or [])
        assert not any("/country/" in (s.get("uri") or "") for s in back.get("spatial_coverage") or [])

        # ... and the parsed dict creates the same dataset again.
        back.update(name="copia", owner_org=pkg["owner_org"])
        back.pop("extras", None)
        copy = helpers.call_action("package_create", **back)
        for field in PIDA_FIELDS:
            assert copy[field] == pkg[field], field

    def test_parses_concepts_published_under_another_base(self):
        ttl = """
        @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <https://portal.example/dataset/1> a dcat:Dataset ; dct:title "Presupuesto" ;
            dcat:theme <https://data.oas.org/pida/priority-datasets/budgets>,
                       <http://eurovoc.europa.eu/100142> .
        """
        parser = RDFParser(profiles=PROFILES)
        parser.parse(ttl, _format="turtle")
        parsed = next(parser.datasets())
        assert parsed["pida_priority"] == ["budgets"]
        # A theme that is not a PIDA concept stays where ckanext-dcat put it.
        assert "http://eurovoc.europa.eu/100142" in str(parsed.get("theme") or parsed.get("extras"))


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_index")
class TestShacl:

    def test_catalogue_of_full_datasets_has_zero_violations(self, app, full_dataset):
        helpers.call_action("package_create", **describe(full_dataset))
        second = describe(full_dataset)
        second.update(name="contratos", title="Contratos", pida_priority=["contracts-register"],
                      pida_standards=["ocds"], pida_personal_data="no")
        second.pop("pida_anonymisation")
        helpers.call_action("package_create", **second)

        for fmt in ("ttl", "jsonld", "rdf"):
            body = app.get("/catalog.%s" % fmt, status=200).body
            g = rdflib.Graph().parse(data=body, format={"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}[fmt])
            assert len(list(g.subjects(RDF.type, DCAT.Dataset))) == 2

            count, text = violations(g, scheme.shapes_graph())
            assert count == 0, text
            count, text = violations(g, dcat_ap_shapes())
            assert count == 0, text

    def test_per_dataset_endpoint_has_zero_violations(self, app, full_dataset):
        pkg = helpers.call_action("package_create", **describe(full_dataset))
        body = app.get("/dataset/%s.ttl" % pkg["name"], status=200).body
        g = rdflib.Graph().parse(data=body, format="turtle")
        assert violations(g, scheme.shapes_graph())[0] == 0
        count, text = violations(g, dcat_ap_shapes())
        assert count == 0, text

    def test_pida_shapes_catch_an_incomplete_priority_dataset(self, full_dataset):
        pkg = helpers.call_action("package_create", **describe(full_dataset))
        serializer = RDFSerializer(profiles=PROFILES)
        ref = serializer.graph_from_dataset(pkg)
        g = serializer.g
        PIDA = pida_ns()
        g.remove((ref, PIDA.anonymisation, None))      # personal data without anonymisation
        g.remove((ref, DCT.accrualPeriodicity, None))  # no frequency
        g.remove((ref, DCATAP.applicableLegislation, None))
        count, text = violations(g, scheme.shapes_graph())
        assert count == 3, text
        assert "anonymised" in text and "frequency" in text and "resolution" in text

    def test_published_vocabulary_conforms(self):
        count, text = violations(scheme.vocabulary_graph(), scheme.shapes_graph("pida-vocabulary-shapes.ttl"))
        assert count == 0, text
