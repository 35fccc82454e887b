"""The data.json readers (source types pida_datajson, the OAS regional profile, and pida_dcatus, DCAT-US 1.1) on
real published catalogues (tests/data/real/README.md) served on 127.0.0.1, through the same pipeline as DCAT RDF:
the first run creates everything, a run without change imports nothing, an edit updates exactly that dataset, a
deletion is propagated, a failed run deletes nothing, and a dataset two countries list is federated once."""
from __future__ import annotations

import json

import pytest

import ckan.model as model
from ckan.tests import helpers
from ckanext.harvest.model import HarvestObject

from ckanext.pida.hub.harvesters import runner
from tests.test_harvest import counts, harvested_from, hub, make_source, portal  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.ckan_config("ckan.plugins",
                                      "pida pida_hub pida_datajson pida_dcatus scheming_datasets dcat harvest"),
              pytest.mark.usefixtures("hub")]

FREQ = "http://publications.europa.eu/resource/authority/frequency/"
LANG = "http://publications.europa.eu/resource/authority/language/"


def serve_catalogue(portal, path, filename, edit=None):
    with open("tests/data/real/" + filename, encoding="utf-8") as f:
        catalog = json.load(f)
    if edit:
        edit(catalog)
    portal.routes[path] = (200, "application/json", json.dumps(catalog, ensure_ascii=False).encode("utf-8"))
    return catalog


def test_argentina_regional_profile_catalogue_lives_through_every_kind_of_run(hub, portal):
    catalog = serve_catalogue(portal, "/data.json", "ar_datos_jus_gob_ar.json")
    source = make_source(hub, portal.base + "/data.json", "AR", full_run_days=7)
    source = helpers.call_action("harvest_source_patch", id=source["id"], source_type="pida_datajson")

    runner.run_now(source["id"])

    found = harvested_from(source["id"], "original_uri")
    assert set(found) == {d["identifier"] for d in catalog["dataset"]}
    infoleg = found["d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23"]
    assert infoleg["title"] == "Base de datos legislativos Infoleg" and infoleg["name"].startswith("ar-")
    assert infoleg["license_id"] == "odc-odbl" and infoleg["frequency"] == FREQ + "MONTHLY"
    assert infoleg["contact"][0]["email"] == "datosabiertos@saij.gob.ar"
    assert infoleg["url"] == "http://datos.jus.gob.ar/dataset/base-de-datos-legislativos-infoleg"
    assert len(infoleg["resources"]) == 3 and infoleg["resources"][0]["format"] == "CSV"
    assert infoleg["pida_harvest"]["source_fields"]["superTheme"] == ["JUST"]  # kept, though the schema has no place
    frequencies = {p["frequency"] for p in found.values() if p.get("frequency")}
    assert FREQ + "IRREG" in frequencies and FREQ + "MONTHLY_2" in frequencies  # "eventual", R/P0.5M
    assert counts(source["id"])["added"] == 16

    objects = model.Session.query(HarvestObject).count()
    runner.run_now(source["id"])
    assert model.Session.query(HarvestObject).count() == objects and counts(source["id"])["unchanged"] == 16

    def edit_and_delete(c):
        c["dataset"][0]["title"] = "Infoleg: base de datos legislativos"
        del c["dataset"][-1]
    serve_catalogue(portal, "/data.json", "ar_datos_jus_gob_ar.json", edit_and_delete)
    runner.run_now(source["id"])
    assert counts(source["id"]) == {"added": 0, "updated": 1, "unchanged": 14, "deleted": 1, "errored": 0}
    after = harvested_from(source["id"], "original_uri")
    assert after["d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23"]["title"] == "Infoleg: base de datos legislativos"
    assert len(after) == 15

    portal.routes["/data.json"] = (500, "text/plain", b"error")
    runner.run_now(source["id"])
    assert len(harvested_from(source["id"], "original_uri")) == 15  # a failed run deletes nothing


def test_two_countries_publishing_the_same_identifiers_never_collide_and_the_first_source_keeps_them(hub, portal):
    serve_catalogue(portal, "/ar/data.json", "ar_pydatajson_full_data.json")
    serve_catalogue(portal, "/uy/data.json", "ar_pydatajson_full_data.json")
    ar = helpers.call_action("harvest_source_patch", id=make_source(hub, portal.base + "/ar/data.json", "AR")["id"],
                             source_type="pida_datajson")
    uy = helpers.call_action("harvest_source_patch", id=make_source(hub, portal.base + "/uy/data.json", "UY")["id"],
                             source_type="pida_datajson")

    runner.run_now(ar["id"])
    runner.run_now(uy["id"])

    ar_names = {p["name"] for p in harvested_from(ar["id"], "original_uri").values()}
    assert len(ar_names) == 2 and all(n.startswith("ar-") for n in ar_names)
    assert harvested_from(uy["id"], "original_uri") == {}  # one copy at the hub, under the source created first
    uy_health = helpers.call_action("pida_harvest_health", id=uy["id"])[0]
    assert [p["code"] for p in uy_health["problems"]] == ["listed_by_another_source"]
    [pkg] = [p for p in harvested_from(ar["id"], "original_uri").values() if p["title"] == "Sistema de contrataciones electrónicas"]
    assert pkg["language"] == [LANG + "SPA"] and pkg["frequency"] == FREQ + "ANNUAL"
    assert pkg["temporal_coverage"] == [{"start": "2015-01-01", "end": "2015-12-31"}]


def test_a_dcat_us_catalogue_lands(hub, portal):
    serve_catalogue(portal, "/data.json", "us_project_open_data.json")
    source = helpers.call_action("harvest_source_patch", id=make_source(hub, portal.base + "/data.json", "US")["id"],
                                 source_type="pida_dcatus")

    runner.run_now(source["id"])

    [pkg] = harvested_from(source["id"], "original_uri").values()
    assert pkg["license_id"] == "cc-zero" and pkg["language"] == [LANG + "ENG"]
    assert pkg["frequency"] == FREQ + "ANNUAL"
    assert pkg["access_rights"].endswith("/PUBLIC")
    assert pkg["resources"] and all(r["url"].startswith("http") for r in pkg["resources"])
    assert counts(source["id"])["added"] == 1
    runner.run_now(source["id"])
    assert counts(source["id"])["unchanged"] == 1


def test_a_data_json_source_pointed_at_rdf_or_broken_records_says_so(hub, portal):
    portal.serve_file("/catalog.ttl", "harvest_co_page1.ttl", content_type="text/turtle")
    rdf = helpers.call_action("harvest_source_patch", id=make_source(hub, portal.base + "/catalog.ttl", "CO")["id"],
                              source_type="pida_datajson")
    runner.run_now(rdf["id"])
    assert [p["code"] for p in helpers.call_action("pida_harvest_health", id=rdf["id"])[0]["problems"]] == [
        "looks_like_rdf"]

    def break_records(c):
        c["dataset"][1]["identifier"] = c["dataset"][0]["identifier"]  # a duplicate identifier
        c["dataset"].append({"title": "Sin identificador"})  # no identifier
    serve_catalogue(portal, "/data.json", "ar_pydatajson_several_datasets.json", break_records)
    bad = helpers.call_action("harvest_source_patch", id=make_source(hub, portal.base + "/data.json", "AR")["id"],
                              source_type="pida_datajson")
    runner.run_now(bad["id"])
    health = helpers.call_action("pida_harvest_health", id=bad["id"])[0]
    assert {p["code"] for p in health["problems"]} == {"duplicate_identifier", "no_identifier"}
    assert any("Sin identificador" in p["message"] for p in health["problems"])
    assert health["counts"]["added"] == 2  # one bad record never stops the others


def test_hub_source_command_creates_a_source_of_the_type_asked(hub, cli):
    from ckanext.pida.hub import cli as hub_cli
    result = cli.invoke(hub_cli.hub_source, ["catalogo-argentina", "http://127.0.0.1:9/data.json", "--country", "ar",
                                             "--type", "pida_datajson"])

    assert result.exit_code == 0, result.output
    assert "Harvest source catalogo-argentina (AR) -> http://127.0.0.1:9/data.json" in result.output
    source = helpers.call_action("harvest_source_show", id="catalogo-argentina")
    assert source["source_type"] == "pida_datajson" and json.loads(source["config"])["country"] == "AR"
    refused = cli.invoke(hub_cli.hub_source, ["otra", "http://127.0.0.1:9/", "--country", "AR", "--type", "csv"])
    assert refused.exit_code == 2 and "csv" in refused.output
