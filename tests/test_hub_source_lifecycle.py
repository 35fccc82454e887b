"""A hub administrator clears or deletes a source and its datasets follow (issue 21, first step): ckanext-harvest's
own actions, on the real stack. After each: search, the coverage, the catalogue and the withdrawals feed no longer
have the source's datasets, and another source's datasets are untouched."""
from __future__ import annotations

import json
import re

import pytest

import ckan.model as model
from ckan.tests import helpers

from ckanext.pida.hub.harvesters import runner
from ckanext.pida.hub.model import HarvestRecord
from tests.test_harvest import harvested_from, hub, make_source, portal  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.ckan_config("ckan.plugins",
                                      "pida pida_hub pida_datajson pida_dcatus scheming_datasets dcat harvest"),
              pytest.mark.usefixtures("hub")]


def _site_context() -> dict:
    from ckan.plugins import toolkit as tk
    return {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}


def _two_sources(hub, portal):
    with open("tests/data/real/ar_datos_jus_gob_ar.json", encoding="utf-8") as f:
        portal.routes["/ar/data.json"] = (200, "application/json", f.read().encode("utf-8"))
    with open("tests/data/real/us_cftc_data.json", encoding="utf-8") as f:
        portal.routes["/us/data.json"] = (200, "application/json", f.read().encode("utf-8"))
    ar = make_source(hub, portal.base + "/ar/data.json", "AR")
    ar = helpers.call_action("harvest_source_patch", _site_context(), id=ar["id"], source_type="pida_datajson")
    us = make_source(hub, portal.base + "/us/data.json", "US")
    us = helpers.call_action("harvest_source_patch", _site_context(), id=us["id"], source_type="pida_dcatus")
    runner.run_now(ar["id"])
    runner.run_now(us["id"])
    return ar, us


def _covered(country: str) -> int:
    """The datasets of a country the coverage counts (priority datasets declared or detected)."""
    [row] = helpers.call_action("pida_coverage_show", country=country)["countries"]
    return row["datasets"] + row["detected_datasets"]


def _withdrawn_ids() -> set:
    return {item["id"] for item in helpers.call_action("pida_catalog_withdrawn", since="2000-01-01")["results"]}


def _searchable(country: str) -> int:
    return helpers.call_action("package_search", fq="vocab_pida_country:" + country, rows=0)["count"]


def _catalogue(app) -> str:
    """Every page of the hub's DCAT catalogue, as Turtle."""
    text, url = "", "/catalog.ttl"
    for _page in range(20):
        body = app.get(url).get_data(as_text=True)
        text += body

        match = re.search(r'hydra:next\s+"?<?([^>"\s;]+)', body)
        if not match:
            return text
        url = match.group(1).split("127.0.0.1")[-1] if "://" in match.group(1) else match.group(1)
        url = url[url.index("/catalog"):] if "/catalog" in url else url
    return text


@pytest.mark.parametrize("how", ["harvest_source_clear", "harvest_source_delete_clear"])
def test_clearing_a_source_withdraws_its_datasets_and_touches_no_other(app, hub, portal, how):
    ar, us = _two_sources(hub, portal)
    us_before = {name: pkg["metadata_modified"] for name, pkg in harvested_from(us["id"]).items()}
    ar_datasets = harvested_from(ar["id"])
    assert _searchable("AR") == len(ar_datasets) == 16 and _searchable("US") == 7
    [ar_row] = helpers.call_action("pida_coverage_show", country="AR")["countries"]
    assert ar_row["datasets"] + ar_row["detected_datasets"] > 0  # priority datasets, declared or detected
    assert "Base de datos legislativos Infoleg" in _catalogue(app) and "cftc" in _catalogue(app).lower()

    if how == "harvest_source_clear":
        helpers.call_action("harvest_source_clear", _site_context(), id=ar["id"])
    else:
        helpers.call_action("harvest_source_delete", dict(_site_context(), clear_source=True), id=ar["id"])

    assert _searchable("AR") == 0
    assert all(model.Package.get(p["id"]) is None or model.Package.get(p["id"]).state == "deleted"
               for p in ar_datasets.values())
    assert HarvestRecord.active_query(ar["id"]).count() == 0
    feed = helpers.call_action("pida_catalog_withdrawn", since="2000-01-01")
    assert {item["id"] for item in feed["results"]} == {p["id"] for p in ar_datasets.values()}
    [ar_row] = helpers.call_action("pida_coverage_show", country="AR")["countries"]
    assert ar_row["datasets"] == ar_row["detected_datasets"] == 0
    catalogue = _catalogue(app)
    assert not [title for title in ar_datasets if '"{}"'.format(title) in catalogue]
    assert "Base de datos legislativos Infoleg" not in catalogue
    # The other source's datasets: untouched
    assert "cftc" in catalogue.lower()
    assert _searchable("US") == 7
    assert {name: pkg["metadata_modified"] for name, pkg in harvested_from(us["id"]).items()} == us_before


def test_a_source_deleted_without_clearing_leaves_orphans_that_one_command_finds_and_withdraws(app, hub, portal):
    from click.testing import CliRunner
    from ckanext.pida.hub.cli import orphans
    ar, us = _two_sources(hub, portal)
    helpers.call_action("harvest_source_delete", _site_context(), id=ar["id"])  # without clear_source
    assert _searchable("AR") == 16  # ckanext-harvest leaves them: they are the hub's orphans now

    page = app.get("/pida/hub/health").get_data(as_text=True)
    assert "16 datasets of this deleted source are still on the hub" in page

    runner_ = CliRunner()
    listed = runner_.invoke(orphans, [])
    assert listed.exit_code == 0, listed.output
    assert "16 datasets of the deleted source" in listed.output and ar["id"] in listed.output
    assert "US" not in listed.output.replace(ar["id"], "")  # the live source's datasets are not orphans

    covered, catalogue = _covered("AR"), _catalogue(app)
    assert covered > 0 and "Base de datos legislativos Infoleg" in catalogue
    withdrawn = runner_.invoke(orphans, ["--withdraw"])
    assert "withdrawn: 16" in withdrawn.output, withdrawn.output
    assert _searchable("AR") == 0 and _searchable("US") == 7
    assert _covered("AR") == 0 and len(_withdrawn_ids()) == 16
    assert "Base de datos legislativos Infoleg" not in _catalogue(app) and "cftc" in _catalogue(app).lower()
    assert "No dataset of a deleted source" in runner_.invoke(orphans, []).output


def test_a_source_moved_to_another_country_and_organisation_takes_its_datasets_at_the_next_run(app, hub, portal):
    from ckan.tests import factories
    with open("tests/data/real/us_cftc_data.json", encoding="utf-8") as f:
        portal.routes["/us/data.json"] = (200, "application/json", f.read().encode("utf-8"))
    source = make_source(hub, portal.base + "/us/data.json", "TT")  # filed under the wrong country by mistake
    source = helpers.call_action("harvest_source_patch", _site_context(), id=source["id"], source_type="pida_dcatus")
    runner.run_now(source["id"])
    before = {pkg["pida_harvest"]["original_uri"]: pkg["name"] for pkg in harvested_from(source["id"]).values()}
    assert _searchable("TT") == 7

    right_org = factories.Organization(name="united-states")
    config = json.loads(source["config"])
    helpers.call_action("harvest_source_patch", _site_context(), id=source["id"], owner_org=right_org["id"],
                        config=json.dumps(dict(config, country="US")))
    runner.run_now(source["id"])

    moved = harvested_from(source["id"])
    assert {pkg["pida_harvest"]["original_uri"]: pkg["name"] for pkg in moved.values()} == before  # names stay
    assert {(pkg["pida_country"], pkg["owner_org"]) for pkg in moved.values()} == {("US", right_org["id"])}
    assert _searchable("TT") == 0 and _searchable("US") == 7
    assert _withdrawn_ids() == set()  # moved, not withdrawn: still in the catalogue, under its new country
    catalogue = _catalogue(app)
    assert "Commitment of Traders" in catalogue and "publications.europa.eu/resource/authority/country/USA" in catalogue
    health = helpers.call_action("pida_harvest_health", id=source["id"])[0]
    assert health["counts"]["updated"] == 7 and health["last_run"]["mode"] == "full"
    runner.run_now(source["id"])  # then back to "unchanged"
    assert helpers.call_action("pida_harvest_health", id=source["id"])[0]["counts"]["unchanged"] == 7


def test_a_new_source_with_the_url_of_a_deleted_one_adopts_its_datasets_instead_of_copying_them(app, hub, portal):
    ar, us = _two_sources(hub, portal)
    ids = {pkg["id"] for pkg in harvested_from(ar["id"]).values()}
    helpers.call_action("harvest_source_delete", _site_context(), id=ar["id"])  # without clearing

    again = make_source(hub, portal.base + "/ar/data.json", "AR", timeout=3)  # same URL, a new source
    again = helpers.call_action("harvest_source_patch", _site_context(), id=again["id"], source_type="pida_datajson")
    runner.run_now(again["id"])

    adopted = harvested_from(again["id"])
    assert {pkg["id"] for pkg in adopted.values()} == ids  # the same datasets, no copy
    assert {pkg["pida_harvest"]["source"] for pkg in adopted.values()} == {again["id"]}
    assert _searchable("AR") == 16 and _covered("AR") > 0 and _withdrawn_ids() == set()
    assert "Base de datos legislativos Infoleg" in _catalogue(app)
    from ckanext.pida.hub import source_lifecycle
    assert source_lifecycle.orphans() == []


def test_ckanext_harvests_source_page_counts_and_lists_the_hubs_datasets(app, hub, portal):
    ar, us = _two_sources(hub, portal)
    by_source = helpers.call_action("package_search", fq='+harvest_source_id:"{}"'.format(us["id"]), rows=20)
    assert by_source["count"] == 7
    assert {p["title"] for p in by_source["results"]} == set(harvested_from(us["id"]))
    page = app.get("/harvest/" + us["name"], extra_environ={"REMOTE_USER": _site_context()["user"]}).get_data(
        as_text=True)
    assert "Commitment of Traders" in page and "Bank Participation Reports" in page


def test_ckanext_harvests_other_commands_work_on_the_hubs_sources(app, hub, portal):
    """``ckan harvester clearsource`` (ckanext-harvest's utils, as its CLI calls them), ``clearsource-history`` and
    ``harvest_source_reindex``: each does what it says, and only that."""
    from ckanext.harvest import utils
    ar, us = _two_sources(hub, portal)

    helpers.call_action("harvest_source_reindex", _site_context(), id=us["id"])
    assert helpers.call_action("package_search", fq='+harvest_source_id:"{}"'.format(us["id"]))["count"] == 7

    utils.clear_harvest_source_history(us["id"], False)  # jobs and objects go; the datasets stay, unchanged
    assert _searchable("US") == 7
    runner.run_now(us["id"])
    assert helpers.call_action("pida_harvest_health", id=us["id"])[0]["counts"]["unchanged"] == 7

    utils.clear_harvest_source(ar["name"])  # ckan harvester clearsource
    assert _searchable("AR") == 0 and _searchable("US") == 7
    assert _covered("AR") == 0 and len(_withdrawn_ids()) == 16
    assert "Base de datos legislativos Infoleg" not in _catalogue(app) and "cftc" in _catalogue(app).lower()
