"""The metadata quality score (data.europa.eu's MQA, ckanext/pida/quality) of real national catalogues harvested by
the hub: every dataset gets its 405-point score with its 23 indicators, and each indicator a reader can count in the
published file by hand (tests/data/real/README.md) comes out as counted. The accessibility indicators wait for the
link checker (tests/test_links.py): here no link has been checked, so they earn nothing and are counted pending."""
from __future__ import annotations

import pytest

from ckan.tests import helpers

from ckanext.pida.hub.harvesters import runner
from ckanext.pida.quality import score
from tests.test_harvest import HUB_PLUGINS, harvested_from, hub, make_source, portal  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.ckan_config("ckan.plugins", HUB_PLUGINS + " pida_datajson"), pytest.mark.usefixtures("hub")]


def _harvest(hub, portal, filename, media_type):
    path = "/" + filename
    portal.serve_file(path, "real/" + filename, content_type=media_type)
    source = make_source(hub, portal.base + path, "CO")
    if filename.endswith(".json"):
        source = helpers.call_action("harvest_source_patch", id=source["id"], source_type="pida_datajson")
    assert runner.run_now(source["id"])["status"] == "Finished"
    return harvested_from(source["id"])


# Counted by hand in the files, indicator by indicator (points of the 405). The hub adds dct:spatial (the source's
# country) to every dataset, so spatial is 20 even where the file has none (datos.gob.es).
BY_HAND = [
    ("se_nobelprize.rdf", "application/rdf+xml", "Linked Nobel prizes", {
        # 3 keywords, an EuroVoc theme, a GeoNames place, a PeriodOfTime
        "keyword": 30, "theme": 30, "spatial": 20, "temporal": 20,
        # one distribution: an accessURL only; dct:format application/rdf+xml (a media type: RDF_XML, on both
        # data.europa.eu lists)
        "download_url": 0, "format": 20, "media_type": 10, "non_proprietary": 20, "machine_readable": 20,
        # CC BY-NC 3.0 (in the EU licence table); no accessRights; adms:contactPoint is not dcat:contactPoint
        "licence": 20, "known_licence": 10, "access_rights": 0, "contact_point": 0, "publisher": 10,
        "rights": 0, "byte_size": 0, "issued": 5, "modified": 5}),
    ("de_opendata_hro.rdf", "application/rdf+xml", "Liefer- und Abholservices (Gastronomie)", {
        "keyword": 30, "theme": 30, "spatial": 20, "temporal": 0,
        # 9 distributions: 5 with a downloadURL and a byteSize, all 9 with dct:rights
        "download_url": round(20 * 5 / 9, 2), "byte_size": round(5 * 5 / 9, 2), "rights": 5,
        # the best distribution (GeoJSON or CSV): format, media type, open and machine-readable
        "format": 20, "media_type": 10, "non_proprietary": 20, "machine_readable": 20,
        # cc-zero, access right PUBLIC of the EU table, a vCard contact, a publisher
        "licence": 20, "known_licence": 10, "access_rights": 10, "access_rights_vocabulary": 5,
        "contact_point": 20, "publisher": 10, "issued": 5, "modified": 5}),
    ("ch_opendata_swiss_catalog.rdf", "application/rdf+xml", "Annuaire statistique de la Suisse 1894", {
        "keyword": 30, "theme": 30, "spatial": 20, "temporal": 20,
        # 3 distributions: 1 downloadURL (a PDF), 2 HTML pages; no byteSize, no rights on this one
        "download_url": round(20 / 3, 2), "byte_size": 0, "rights": 0, "machine_readable": 0,
        # no dct:description: not DCAT-AP compliant
        "dcat_ap_compliance": 0,
        "licence": 20, "known_licence": 10, "contact_point": 20, "publisher": 10, "issued": 5, "modified": 0}),
    ("ch_opendata_swiss_catalog.rdf", "application/rdf+xml", "Annuaire statistique de la Suisse 1901", {
        # only opendata.swiss' terms of use (dct:rights), no licence
        "licence": 0, "known_licence": 0, "rights": 5, "dcat_ap_compliance": 0, "modified": 0}),
    # Argentina's Ministry of Justice, data.json in the regional (POD/DCAT-AR) profile
    ("ar_datos_jus_gob_ar.json", "application/json", "Centros de Acceso a la Justicia -CAJ-", {
        # 7 keywords, a theme of the catalogue's own taxonomy; no temporal (spatial: the hub's country)
        "keyword": 30, "theme": 30, "spatial": 20, "temporal": 0,
        # one CSV distribution with a downloadURL, no mediaType, no byteSize
        "download_url": 20, "format": 20, "media_type": 0, "format_vocabulary": 10, "non_proprietary": 20,
        "machine_readable": 20, "dcat_ap_compliance": 30, "byte_size": 0, "rights": 0,
        # ODbL (ODC_BL in the EU table), a contact point with an email, a publisher; no accessLevel
        "licence": 20, "known_licence": 10, "access_rights": 0, "contact_point": 20, "publisher": 10,
        "issued": 5, "modified": 5}),
    ("ar_datos_jus_gob_ar.json", "application/json", "Base de datos legislativos Infoleg", {
        "keyword": 30, "theme": 30, "temporal": 0, "licence": 20, "known_licence": 10, "contact_point": 20,
        "publisher": 10, "issued": 5, "modified": 5, "access_rights": 0}),
    ("es_datos_gob_es.ttl", "text/turtle", "Estudio de Satisfacción con el Programa de Escuelas Municipales de "
                                           "Promoción Deportiva en centros escolares", {
        "keyword": 30, "theme": 30, "temporal": 0,
        # one XLS distribution with a byteSize: machine-readable but proprietary
        "download_url": 0, "byte_size": 5, "machine_readable": 20, "non_proprietary": 0,
        # the portal's own legal notice: a licence, not one of the EU table
        "licence": 20, "known_licence": 0, "contact_point": 0, "publisher": 10, "issued": 5, "modified": 5}),
]


@pytest.mark.parametrize("filename, media_type, title, expected", BY_HAND, ids=[c[2][:30] for c in BY_HAND])
def test_a_real_catalogues_datasets_score_as_counted_by_hand(hub, portal, filename, media_type, title, expected):
    datasets = _harvest(hub, portal, filename, media_type)
    quality = helpers.call_action("pida_quality_show", id=datasets[title]["id"])

    points = {i["id"]: i["points"] for i in quality["indicators"]}
    assert len(points) == 23 and quality["max"] == 405
    for indicator, value in expected.items():
        assert points[indicator] == value, (indicator, points[indicator], value)
    # no link checked yet: the accessibility statuses earn nothing, and say why
    assert points["access_url_status"] == 0 and quality["pending_links"] > 0
    assert quality["score"] == round(sum(points.values()))
    assert quality["rating"] == score.rating(quality["points"])
    assert quality["opens"] is None


def test_the_score_is_indexed_sortable_and_its_rating_is_a_facet(hub, portal):
    datasets = _harvest(hub, portal, "ch_opendata_swiss_catalog.rdf", "application/rdf+xml")
    scores = {t: helpers.call_action("pida_quality_show", id=d["id"])["score"] for t, d in datasets.items()}
    assert len(set(scores.values())) == 2  # the 1901 yearbook has no licence: fewer points

    result = helpers.call_action("package_search", q="*:*", sort="pida_quality_score desc",
                                 **{"facet.field": '["vocab_pida_quality"]'})
    assert [d["title"] for d in result["results"]] == sorted(scores, key=scores.get, reverse=True)
    ratings = {i["name"] for i in result["search_facets"]["vocab_pida_quality"]["items"]}
    assert ratings == {score.rating(s) for s in scores.values()}


def test_what_pida_asks_beyond_mqa_is_scored_apart(hub, portal):
    datasets = _harvest(hub, portal, "se_nobelprize.rdf", "application/rdf+xml")
    quality = helpers.call_action("pida_quality_show", id=datasets["Linked Nobel prizes"]["id"])
    pida = {i["id"]: i["points"] for i in quality["pida"]["indicators"]}
    # daily frequency declared, last modified in 2014: not up to date; conforms to Nobel's linked data terms; no
    # data dictionary, no personal data answer, no priority concept
    assert pida == {"frequency": 10, "up_to_date": 0, "data_dictionary": 0, "standard": 10, "personal_data": 0,
                    "priority_concept": 0}
    assert quality["pida"]["max"] == 60
    assert quality["score"] == round(sum(i["points"] for i in quality["indicators"]))  # never mixed in


def test_file_types_read_as_portals_write_them():
    assert score.file_type("text/csv") == score.file_type("CSV") == score.file_type(".csv") == "CSV"
    assert score.file_type("http://publications.europa.eu/resource/authority/file-type/JSON") == "JSON"
    assert score.file_type("https://www.iana.org/assignments/media-types/application/geo+json") == "GEOJSON"
    assert score.file_type("Esri REST") is None
    assert score.is_media_type("application/vnd.ms-excel") and not score.is_media_type("XLS")
