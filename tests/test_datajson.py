"""A national PIDA portal publishes /data.json in the OAS regional metadata profile: it validates against the
profile's JSON Schemas (pydatajson's, tests/data/regional-profile/), lists public datasets only, and a dataset
that goes out as data.json, is harvested by the hub (source type pida_datajson) and comes back out as data.json
loses no field of the profile."""
from __future__ import annotations

import copy
import json
import pathlib

import jsonschema
import pytest

import ckan.model as model
from ckan.tests import helpers

from ckanext.pida import datajson
from ckanext.pida.hub.harvesters import runner
from tests.browser.conftest import LiveServer
from tests.test_harvest import make_source

SCHEMAS = pathlib.Path(__file__).resolve().parent / "data" / "regional-profile"
PLUGINS = "pida pida_hub pida_datajson scheming_datasets dcat harvest"


def validate(document: dict, schema_file: str):
    schema = json.loads((SCHEMAS / schema_file).read_text(encoding="utf-8"))
    resolver = jsonschema.RefResolver(base_uri=SCHEMAS.as_uri() + "/", referrer=schema)
    jsonschema.Draft4Validator(schema, resolver=resolver, format_checker=jsonschema.FormatChecker()).validate(document)


@pytest.fixture
def published(full_dataset, migrate_db_for):
    migrate_db_for("pida")
    helpers.call_action("package_create", **full_dataset)
    helpers.call_action("package_create", **dict(copy.deepcopy(full_dataset), name="contratos", title="Contratos",
                                                 pida_priority=["contracts-register"], pida_stages=["detection"],
                                                 temporal_coverage=[], language=["es"]))
    helpers.call_action("package_create", **dict(copy.deepcopy(full_dataset), name="oculto", title="Oculto",
                                                 private=True))
    helpers.call_action("package_create", **dict(copy.deepcopy(full_dataset), name="borrador", title="Borrador",
                                                 state="draft"))


@pytest.mark.ckan_config("ckan.plugins", "pida scheming_datasets dcat")
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_the_portal_data_json_validates_against_the_regional_profile(app, published):
    response = app.get("/data.json?lang=es")
    assert response.headers["Content-Type"].startswith("application/json")
    catalog = json.loads(response.get_data(as_text=True))

    validate(catalog, "catalog.json")
    validate(catalog, "required_fields_schema.json")
    assert sorted(d["title"] for d in catalog["dataset"]) == ["Contratos", "Registro de cabilderos"]  # public only
    lobby = next(d for d in catalog["dataset"] if d["title"] == "Registro de cabilderos")
    assert lobby["theme"] == ["lobbying-register"] and lobby["superTheme"] == ["GOVE"]
    assert "Registro de cabilderos" in lobby["keyword"]  # the concept's label is a keyword too
    assert lobby["accrualPeriodicity"] == "R/P1M" and lobby["language"] == ["spa", "eng"]
    assert lobby["temporal"] == "2020-01-01/2025-12-31" and lobby["pidaPersonalData"] == "yes"
    assert lobby["distribution"][0]["downloadURL"] == "https://transparencia.example.gov/cabilderos.csv"
    assert {t["id"] for t in catalog["themeTaxonomy"]} >= {"lobbying-register", "contracts-register"}


#: The profile's dataset fields that are the publishing site's own (its ids and URLs) and not the dataset's.
SITE_OWN = {"identifier"}
DISTRIBUTION_SITE_OWN = {"identifier", "accessURL", "issued"}


def _comparable(dataset: dict) -> dict:
    out = {k: v for k, v in dataset.items() if k not in SITE_OWN}
    out["keyword"] = sorted(out.get("keyword", []))
    out["distribution"] = [{k: v for k, v in d.items() if k not in DISTRIBUTION_SITE_OWN}
                           for d in out.get("distribution", [])]
    return out


@pytest.fixture
def hub_tables(clean_db, migrate_db_for):
    migrate_db_for("harvest")
    migrate_db_for("pida")
    from ckanext.harvest import queue
    queue.purge_queues()


@pytest.mark.ckan_config("ckan.plugins", PLUGINS)
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_a_dataset_goes_out_as_data_json_comes_back_through_the_hub_and_loses_no_field(hub_tables, app, published,
                                                                                       ckan_config, monkeypatch):
    from ckan.tests import factories
    server = LiveServer(app.app)  # the portal's /data.json over HTTP, as the hub reads it
    monkeypatch.setitem(ckan_config, "ckan.site_url", server.url)
    try:
        before = {d["title"]: d for d in json.loads(app.get("/data.json").get_data(as_text=True))["dataset"]}
        source = make_source({"org": factories.Organization(name="hub-federation")}, server.url + "/data.json", "CO")
        helpers.call_action("harvest_source_patch", id=source["id"], source_type="pida_datajson")

        runner.run_now(source["id"])
    finally:
        server.stop()

    harvested = {}
    for (pkg_id,) in model.Session.query(model.Package.id).filter(model.Package.name.like("co-%")):
        pkg = helpers.call_action("package_show", id=pkg_id)
        harvested[pkg["title"]] = pkg
    assert set(harvested) == set(before) == {"Registro de cabilderos", "Contratos"}
    lobby = harvested["Registro de cabilderos"]
    assert lobby["pida_priority"] == ["lobbying-register"] and lobby["pida_personal_data"] == "yes"
    for title, original in before.items():
        again = datajson.dataset(harvested[title], lang="en")  # the test site's language, as the first export
        assert _comparable(again) == _comparable(original), title
