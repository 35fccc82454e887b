"""PIDA facets through the real Solr core: counts per priority dataset, stage, standard, country, principle."""
import copy
import json

import pytest

from ckan.tests import helpers

from tests.conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]

FACETS = ["vocab_pida_priority", "vocab_pida_stages", "vocab_pida_standards", "vocab_pida_country",
          "vocab_pida_principles"]


def facet_counts(result, field):
    return {item["name"]: item["count"] for item in result["search_facets"][field]["items"]}


@pytest.fixture
def three_datasets(clean_index, full_dataset):
    a = copy.deepcopy(full_dataset)
    b = dict(copy.deepcopy(full_dataset), name="contratos", pida_priority=["contracts-register", "lobbying-register"],
             pida_stages=["detection"], pida_standards=["ocds"], pida_country="MX")
    c = dict(copy.deepcopy(full_dataset), name="presupuesto", pida_priority=["budgets"],
             pida_stages=["prevention"], pida_standards=[], conforms_to=[], pida_country="MX",
             frequency="http://publications.europa.eu/resource/authority/frequency/ANNUAL",
             modified="2019-01-01")
    for data in (a, b, c):
        helpers.call_action("package_create", **data)


@pytest.mark.usefixtures("three_datasets")
def test_facet_counts():
    result = helpers.call_action("package_search", q="*:*", **{"facet.field": json.dumps(FACETS), "facet.limit": -1})

    assert facet_counts(result, "vocab_pida_priority") == {
        "lobbying-register": 2, "contracts-register": 1, "budgets": 1}
    assert facet_counts(result, "vocab_pida_stages") == {"prevention": 2, "detection": 2}
    assert facet_counts(result, "vocab_pida_standards") == {"popolo": 1, "ocds": 1}
    assert facet_counts(result, "vocab_pida_country") == {"CO": 1, "MX": 2}
    principles = facet_counts(result, "vocab_pida_principles")
    assert principles["timely-comprehensive:met"] == 2
    assert principles["timely-comprehensive:partly"] == 1  # the 2019 annual budget is out of date


@pytest.mark.usefixtures("three_datasets")
def test_filter_by_priority_concept():
    result = helpers.call_action("package_search", fq='vocab_pida_priority:"lobbying-register"')
    assert sorted(r["name"] for r in result["results"]) == ["contratos", "registro-de-cabilderos"]


@pytest.mark.usefixtures("three_datasets")
@pytest.mark.parametrize("locale, concept_label, facet_title", [
    ("es", "Registro de cabilderos", "Conjunto de datos prioritario PIDA"),
    ("fr", "Registre des lobbyistes", "Jeu de données prioritaire du PIDA"),
])
def test_search_page_shows_translated_facets(app, locale, concept_label, facet_title):
    page = app.get("/{}/dataset/".format(locale))
    assert concept_label in page.body
    assert facet_title in page.body


@pytest.mark.usefixtures("three_datasets")
def test_principle_facet_labels_are_shown_whole_with_their_status(app):
    page = app.get("/es/dataset/").body
    # Two values of the same principle, told apart by their status (cut at 22 characters they read the same).
    assert "Oportunos y exhaustivos: cumplido" in page
    assert "Oportunos y exhaustivos: cumplido parcialmente" in page
