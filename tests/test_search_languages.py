"""Search that reads the region's languages (issue 18), through the real Solr core built with ckanext-pida's
schema (scripts/services.sh: CKAN's own schema.xml plus solr/multilingual.xml): a singular finds the plural and
the plural the singular, in Spanish, Portuguese and French, with or without accents; CKAN's own search still
works. The suite runs on the CKAN 2.11 and 2.12 cores (make test, make test-ckan2.11)."""
import pytest

from ckan.tests import factories, helpers

from ckanext.pida import search_languages, solr_schema
from tests.conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")]

DATASETS = {
    # name: (title, description)
    "es-licitaciones": ("Licitaciones públicas del Estado", "Procesos de contratación adjudicados en 2024."),
    "pt-informacoes": ("Informações sobre contratos", "Dados dos contratos firmados pelos órgãos federais."),
    "fr-declarations": ("Déclarations de patrimoine", "Les déclarations des élus, publiées chaque année."),
    "en-lobbying": ("Lobbying register", "Meetings between registered lobbyists and public officials."),
}

PAIRS = [
    ("licitación", "es-licitaciones"), ("licitacion", "es-licitaciones"), ("Licitaciones", "es-licitaciones"),
    ("contratación", "es-licitaciones"),
    ("informação", "pt-informacoes"), ("informacao", "pt-informacoes"), ("informações", "pt-informacoes"),
    ("contrato", "pt-informacoes"),
    ("déclaration", "fr-declarations"), ("declaration", "fr-declarations"), ("élu", "fr-declarations"),
    ("lobbyist", "en-lobbying"), ("meeting", "en-lobbying"),  # CKAN's English stemming still works
]


@pytest.fixture
def catalogue():
    org = factories.Organization()
    for name, (title, notes) in DATASETS.items():
        helpers.call_action("package_create", name=name, title=title, notes=notes, owner_org=org["id"])


def found(q: str) -> set:
    return {d["name"] for d in helpers.call_action("package_search", q=q, rows=50)["results"]}


def test_the_test_core_has_the_language_fields():
    assert search_languages.core_has_language_fields()


@pytest.mark.parametrize("query, expected", PAIRS, ids=[q for q, _e in PAIRS])
def test_a_word_finds_its_other_forms_in_the_regions_languages(catalogue, query, expected):
    assert found(query) == {expected}


def test_the_same_search_on_ckans_own_fields_misses_the_plurals(catalogue):
    """What the plugin adds: CKAN's own fields alone (its English stemmer) do not fold these forms."""
    qf = "name^4 title^4 tags^2 groups^2 text"
    missed = [q for q, expected in PAIRS[:-2]
              if expected not in {d["name"] for d in helpers.call_action("package_search", q=q, qf=qf)["results"]}]
    assert len(missed) >= 3, missed


def test_the_schema_builder_adds_to_ckans_schema_and_changes_nothing_of_it():
    with open(solr_schema.ckan_schema_path(), encoding="utf-8") as f:
        ckan = f.read()
    built = solr_schema.build(ckan)
    assert solr_schema.build(built) == built  # idempotent
    for line in ckan.splitlines():
        assert line in built
    for field in solr_schema.FIELDS:
        assert 'name="{}"'.format(field) in built and 'dest="{}"'.format(field) in built
