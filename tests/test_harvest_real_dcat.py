"""Real DCAT catalogues of national portals (tests/data/real/README.md), served on 127.0.0.1 and harvested by the
hub: every dataset lands with its licence, languages and frequency as the portal encoded them (ISO 639 codes,
LoC URIs, Dublin Core frequencies, time:DurationDescription...), and a run without change imports nothing."""
from __future__ import annotations

import os

import pytest

import ckan.model as model
from ckan.tests import helpers
from ckanext.harvest.model import HarvestObject

from ckanext.pida.hub.harvesters import runner
from tests.test_harvest import DATA, HUB_PLUGINS, harvested_from, hub, make_source, portal  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.ckan_config("ckan.plugins", HUB_PLUGINS), pytest.mark.usefixtures("hub")]

EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"

CATALOGUES = [
    # file, media type, expected per dataset: language, frequency, licence
    ("es_datos_gob_es.ttl", "text/turtle",
     {"language": [EU_LANGUAGE + "SPA"], "frequency": EU_FREQUENCY + "ANNUAL",
      "license_id": "https://datos.madrid.es/egob/catalogo/aviso-legal"}),
    ("de_opendata_hro.rdf", "application/rdf+xml",
     {"language": [EU_LANGUAGE + "DEU"], "license_id": "cc-zero"}),
    ("se_nobelprize.rdf", "application/rdf+xml",
     {"language": [EU_LANGUAGE + "ENG"], "frequency": EU_FREQUENCY + "DAILY", "license_id": "cc-nc"}),
    ("es_dcat_ap_es_catalogo.ttl", "text/turtle", {"license_id": "cc-by"}),
    ("se_dcat_ap_se_rekommenderat.rdf", "application/rdf+xml", {"license_id": "cc-zero"}),
]


@pytest.mark.parametrize("filename, media_type, expected", CATALOGUES, ids=[c[0] for c in CATALOGUES])
def test_a_real_national_catalogue_lands_whole_and_a_second_run_imports_nothing(hub, portal, filename, media_type,
                                                                                expected):
    path = "/catalog." + filename.rsplit(".", 1)[1]
    portal.serve_file(path, "real/" + filename, content_type=media_type)
    with open("tests/data/real/" + filename, encoding="utf-8") as f:
        text = f.read()
    in_file = text.count("a dcat:Dataset") + text.count("<dcat:Dataset ") + text.count("ns/dcat#Dataset\"")
    source = make_source(hub, portal.base + path, "CO")

    job = runner.run_now(source["id"])

    assert job["status"] == "Finished"
    datasets = list(harvested_from(source["id"]).values())
    health = helpers.call_action("pida_harvest_health", id=source["id"])[0]
    assert len(datasets) == in_file and in_file > 0, (health["problems"], health["object_errors"])
    for pkg in datasets:
        for key, value in expected.items():
            assert pkg.get(key) == value, (pkg["name"], key, pkg.get(key))
    health = helpers.call_action("pida_harvest_health", id=source["id"])[0]
    assert health["counts"]["added"] == in_file and health["counts"]["errored"] == 0

    objects = model.Session.query(HarvestObject).count()
    runner.run_now(source["id"])
    assert model.Session.query(HarvestObject).count() == objects  # unchanged: nothing even queued
    assert helpers.call_action("pida_harvest_health", id=source["id"])[0]["counts"]["unchanged"] == in_file


def test_a_value_the_hub_cannot_map_is_kept_in_provenance_and_reported_not_refused(hub, portal):
    portal.serve_file("/catalog.rdf", "real/se_nobelprize.rdf", content_type="application/rdf+xml",
                      edit=lambda t: t.replace("http://purl.org/cld/freq/daily", "http://example.org/freq/whenever")
                                      .replace("language/ENG", "language/TLH"))
    source = make_source(hub, portal.base + "/catalog.rdf", "CO")

    runner.run_now(source["id"])

    [pkg] = list(harvested_from(source["id"]).values())
    assert "frequency" not in pkg or not pkg["frequency"]
    assert pkg["license_id"] == "cc-nc"  # the rest landed
    assert {(u["field"], u["value"]) for u in pkg["pida_harvest"]["unmapped"]} == {
        ("frequency", "http://example.org/freq/whenever"),
        ("language", "http://publications.europa.eu/resource/authority/language/TLH")}
    health = helpers.call_action("pida_harvest_health", id=source["id"])[0]
    warnings = {p["code"] for p in health["problems"]}
    assert warnings == {"unmapped_values"} and health["health"] == "warning"
    assert any("http://example.org/freq/whenever" in p["message"] for p in health["problems"])
    assert health["last_run"]["complete"]  # a warning never blocks the run's deletions


def test_a_catalogue_whose_distributions_are_blank_nodes_is_not_reimported_when_unchanged(hub, portal):
    import re
    portal.serve_file("/catalog.rdf", "real/de_opendata_hro.rdf", content_type="application/rdf+xml",
                      edit=lambda t: re.sub(r'<dcat:Distribution rdf:about="[^"]+">', "<dcat:Distribution>", t))
    source = make_source(hub, portal.base + "/catalog.rdf", "CO")
    runner.run_now(source["id"])
    objects = model.Session.query(HarvestObject).count()

    runner.run_now(source["id"])

    assert model.Session.query(HarvestObject).count() == objects
    h = helpers.call_action("pida_harvest_health", id=source["id"])[0]
    assert h["counts"]["unchanged"] == 1 and not h["problems"], (h["counts"], h["problems"])


def test_a_dataset_fingerprint_reads_its_triples_not_their_order_nor_rdflibs_blank_node_ids():
    """The RDF reader compares a dataset's fingerprint before mapping it (issue #11: an unchanged dataset costs a
    hash): the same description in another order or another syntax gives the same fingerprint; a value moved from
    one blank-node distribution to another, a changed licence label or a new mapping version gives a new one."""
    import rdflib
    from ckanext.pida.hub.harvesters.rdf import fingerprint

    def fp(ttl, version="v1"):
        g = rdflib.Graph().parse(data="@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: "
                                      "<http://purl.org/dc/terms/> . " + ttl, format="turtle")
        return fingerprint(g, rdflib.URIRef("http://x.example/ds"), version)

    base = ('<http://x.example/ds> a dcat:Dataset ; dct:title "Contratos" ; dct:license <http://x.example/lic> ; '
            'dcat:distribution [ dct:format "CSV" ; dcat:accessURL <http://x.example/a> ] , '
            '[ dct:format "JSON" ; dcat:accessURL <http://x.example/b> ] . '
            '<http://x.example/lic> dct:title "CC BY 4.0" .')
    reordered = ('<http://x.example/lic> dct:title "CC BY 4.0" . <http://x.example/ds> dcat:distribution '
                 '[ dcat:accessURL <http://x.example/b> ; dct:format "JSON" ] , [ dcat:accessURL <http://x.example/a> ;'
                 ' dct:format "CSV" ] ; dct:license <http://x.example/lic> ; dct:title "Contratos" ; a dcat:Dataset .')
    swapped = base.replace('"CSV"', '"TMP"').replace('"JSON"', '"CSV"').replace('"TMP"', '"JSON"')
    assert fp(base) == fp(base) == fp(reordered)
    assert fp(swapped) != fp(base)
    assert fp(base.replace("CC BY 4.0", "CC BY-SA 4.0")) != fp(base)
    assert fp(base, version="v2") != fp(base)


@pytest.mark.parametrize("filename", ["es_datos_gob_es.ttl", "es_dcat_ap_es_catalogo.ttl", "de_opendata_hro.rdf",
                                      "se_dcat_ap_se_rekommenderat.rdf", "se_nobelprize.rdf"])
def test_real_catalogues_give_the_same_fingerprints_whatever_the_order_of_their_triples(filename):
    """Each real catalogue, re-parsed from its triples in four shuffled orders (new blank node ids each time),
    gives every dataset the same fingerprint."""
    import random
    import rdflib
    from rdflib.namespace import DCAT, RDF
    from ckanext.pida.hub.harvesters.rdf import fingerprint
    lines = rdflib.Graph().parse(os.path.join(DATA, "real", filename)).serialize(format="nt").splitlines()
    seen = []
    for seed in range(4):
        random.Random(seed).shuffle(lines)
        g = rdflib.Graph().parse(data="\n".join(lines), format="nt")
        seen.append({str(ref): fingerprint(g, ref, "v") for ref in g.subjects(RDF.type, DCAT.Dataset)
                     if isinstance(ref, rdflib.URIRef)})
    assert seen[0] and all(fingerprints == seen[0] for fingerprints in seen)
