"""Nothing a national catalogue says is refused or lost (issue 18): a value that fails a field's validation leaves
that field, kept in the dataset's provenance with the reason and counted as a warning on the health page, and the
dataset lands; only a dataset without a title is refused. Licences are read wherever the profiles put them, and
unsafe link schemes are never stored. Real files (tests/data/real/README.md), served on 127.0.0.1."""
from __future__ import annotations

import json

import pytest

from ckan.tests import helpers

from ckanext.pida.hub.harvesters import runner
from tests.test_harvest import harvested_from, hub, make_source, portal  # noqa: F401 (fixtures)
from tests.test_harvest_datajson import serve_catalogue as serve_json

pytestmark = [pytest.mark.ckan_config("ckan.plugins",
                                      "pida pida_hub pida_datajson pida_dcatus scheming_datasets dcat harvest"),
              pytest.mark.usefixtures("hub")]


def harvest(hub, portal, path, source_type="pida", country="US"):
    source = make_source(hub, portal.base + path, country)
    if source_type != "pida":
        source = helpers.call_action("harvest_source_patch", id=source["id"], source_type=source_type)
    job = runner.run_now(source["id"])
    assert job["status"] == "Finished"
    return source, helpers.call_action("pida_harvest_health", id=source["id"])[0]


def refused(pkg) -> dict:
    """{field: value} of what the hub's validation refused in a harvested dataset, from its provenance."""
    return {r["field"]: r["value"] for r in pkg["pida_harvest"].get("refused") or []}


def test_a_dcat_us_catalogue_whose_modified_is_a_repeating_interval_lands_whole(app, hub, portal):
    """CFTC's data.json: "modified": "R/P1W" (DCAT-US 1.1 allows a repeating interval there) on 6 of its 7 datasets."""
    catalog = serve_json(portal, "/data.json", "us_cftc_data.json")
    intervals = {d["identifier"]: d["modified"] for d in catalog["dataset"] if d["modified"].startswith("R/")}
    assert len(intervals) == 6

    source, health = harvest(hub, portal, "/data.json", "pida_dcatus")

    found = harvested_from(source["id"], "original_uri")
    assert set(found) == {d["identifier"] for d in catalog["dataset"]}, health["object_errors"]
    assert health["counts"]["added"] == 7 and health["counts"]["errored"] == 0
    for identifier, value in intervals.items():
        pkg = found[identifier]
        assert not pkg.get("modified")
        assert refused(pkg) == {"modified": value}
        [reason] = [r["reason"] for r in pkg["pida_harvest"]["refused"]]
        assert reason  # why it was refused, in words
    assert found["cftc-dc5"]["modified"].startswith("2011-06-30") and not refused(found["cftc-dc5"])
    [warning] = [p for p in health["problems"] if p["code"] == "refused_values"]
    assert "modified" in warning["message"] and "6" in warning["message"] and "R/P1W" in warning["message"]
    assert health["health"] == "warning"

    page = app.get("/dataset/" + found["cftc-dc1"]["name"]).body
    assert "values of the national catalogue were left out" in page or "value of the national catalogue was left out" in page
    assert "R/P1W" in page and "<code>modified</code>" in page

    runner.run_now(source["id"])  # the dataset's hash is the source's: unchanged, nothing refused again
    health = helpers.call_action("pida_harvest_health", id=source["id"])[0]
    assert health["counts"]["unchanged"] == 7


def test_a_licence_given_as_a_typed_node_is_read(hub, portal):
    """opendata.swiss: <dct:license><dct:LicenseDocument rdf:about="...publicdomain/zero/1.0/"/></dct:license>."""
    portal.serve_file("/catalog.rdf", "real/ch_opendata_swiss_catalog.rdf", content_type="application/rdf+xml")

    source, health = harvest(hub, portal, "/catalog.rdf", country="CO")

    datasets = {pkg["pida_harvest"]["original_uri"]: pkg for pkg in harvested_from(source["id"]).values()}
    assert len(datasets) == 2, health["object_errors"]
    assert datasets["346252@bundesamt-fur-statistik-bfs"]["license_id"] == "cc-zero"
    # The 1901 yearbook declares no licence, only opendata.swiss' terms of use ("dct:rights" on its
    # distributions, which name no licence): none is invented.
    assert not datasets["346266@bundesamt-fur-statistik-bfs"].get("license_id")


def test_a_contact_email_written_with_at_lands_without_it(hub, portal):
    """An obfuscated address (``poststelle(at)statistik.rlp.de``, as German portals write them) leaves the email
    of the contact; the contact's name and the dataset land."""
    portal.serve_file("/catalog.rdf", "real/de_opendata_hro.rdf", content_type="application/rdf+xml",
                      edit=lambda t: _contact_email(t, "poststelle(at)statistik.rlp.de"))

    source, health = harvest(hub, portal, "/catalog.rdf", country="CO")

    [pkg] = list(harvested_from(source["id"]).values())
    assert refused(pkg) == {"contact.email": "poststelle(at)statistik.rlp.de"}, pkg["pida_harvest"]
    assert all(not c.get("email") for c in pkg.get("contact") or [])
    assert pkg["license_id"] == "cc-zero"


def _contact_email(text: str, email: str) -> str:
    import re
    replaced, n = re.subn(r'(<vcard:hasEmail[^>]*rdf:resource=")mailto:[^"]+(")', r"\g<1>" + email + r"\2", text)
    if n:
        return replaced
    replaced, n = re.subn(r"(<vcard:hasEmail[^>]*>)[^<]+(</vcard:hasEmail>)", r"\g<1>" + email + r"\2", text)
    assert n, "the file has a contact email"
    return replaced


ETALAB_HTML = ('<DIV STYLE="text-align:Left;font-size:12pt"><P><SPAN>Soumis à la licence Etalab : '
               'https://www.etalab.gouv.fr/licence-ouverte-open-licence/</SPAN></P></DIV>')
SERVICE_HTML = ('<DIV STYLE="text-align:Left;font-size:12pt"><P><SPAN>All information compiled on this website is '
                'provided as a public service.</SPAN></P></DIV>')


def test_a_licence_written_as_html_is_read_without_its_html_and_unsafe_links_are_never_stored(hub, portal):
    """ArcGIS Hub data.json files carry the item's licence as HTML; a link can be a ``javascript:`` URL."""
    def edit(catalog):
        catalog["dataset"][0]["license"] = ETALAB_HTML
        catalog["dataset"][1]["license"] = SERVICE_HTML
        catalog["dataset"][1]["distribution"][0]["accessURL"] = "javascript:alert(document.cookie)"
        catalog["dataset"][1]["landingPage"] = " JaVaScRiPt:alert(1)"
        catalog["dataset"][1]["distribution"].append({"accessURL": "https://www.cftc.gov/MarketReports/index.htm"})
    serve_json(portal, "/data.json", "us_cftc_data.json", edit)

    source, health = harvest(hub, portal, "/data.json", "pida_dcatus")

    found = harvested_from(source["id"], "original_uri")
    assert len(found) == 7, health["object_errors"]
    assert found["cftc-dc1"]["license_id"] == "other-at"  # Etalab's Licence Ouverte, named by its URL
    assert found["cftc-dc2"]["license_id"] == "All information compiled on this website is provided as a public service."
    pkg = found["cftc-dc2"]
    assert "javascript" not in json.dumps(pkg).replace(json.dumps(pkg["pida_harvest"]), "").lower()
    assert [r["url"] for r in pkg["resources"]] == ["https://www.cftc.gov/MarketReports/index.htm"]
    unsafe = {r["field"]: r["value"] for r in pkg["pida_harvest"]["refused"] if r["reason"] == "unsafe link scheme"}
    assert unsafe == {"resources.url": "javascript:alert(document.cookie)", "url": "JaVaScRiPt:alert(1)",
                      "resources.access_url": "javascript:alert(document.cookie)"}, pkg["pida_harvest"]["refused"]


def test_a_conforms_to_given_as_free_text_or_as_a_blank_node_lands_without_it(hub, portal):
    standard = ('<dct:conformsTo>Eine Regel oder eine URL</dct:conformsTo>'
                '<dct:conformsTo><dct:Standard><dct:title>Haushaltssystematik</dct:title></dct:Standard>'
                '</dct:conformsTo>')
    portal.serve_file("/catalog.rdf", "real/de_opendata_hro.rdf", content_type="application/rdf+xml",
                      edit=lambda t: t.replace("<dcat:contactPoint>", standard + "<dcat:contactPoint>", 1))

    source, health = harvest(hub, portal, "/catalog.rdf", country="CO")

    [pkg] = list(harvested_from(source["id"]).values())
    assert not pkg.get("conforms_to")
    [entry] = [r for r in pkg["pida_harvest"]["refused"] if r["field"] == "conforms_to"]
    assert "Eine Regel oder eine URL" in json.dumps(entry["value"], ensure_ascii=False)
    assert {p["code"] for p in health["problems"]} == {"refused_values"}


def test_a_dataset_without_a_title_is_refused_and_says_why_in_one_language(hub, portal):
    serve_json(portal, "/data.json", "us_cftc_data.json", lambda c: c["dataset"][0].update(title=""))

    source, health = harvest(hub, portal, "/data.json", "pida_dcatus")

    assert len(harvested_from(source["id"])) == 6
    [error] = health["object_errors"]
    assert error["code"] == "no_title" and error["count"] == 1 and error["examples"] == [
        {"title": "", "guid": "cftc-dc1"}]
    assert error["message"].startswith("No title") and ".." not in error["message"]


def test_a_dataset_listed_by_two_sources_is_reported_on_both_and_kept_by_the_first(hub, portal):
    """Two national catalogues that list the same dataset URIs (a catalogue copied, or a regional portal that
    re-publishes a national one): the hub keeps one copy, under the source that brought it first, and both
    sources' health pages name the other source."""
    serve_json(portal, "/data.json", "us_cftc_data.json")
    serve_json(portal, "/copy/data.json", "us_cftc_data.json")
    first = make_source(hub, portal.base + "/data.json", "US")
    first = helpers.call_action("harvest_source_patch", id=first["id"], source_type="pida_dcatus")
    second = make_source(hub, portal.base + "/copy/data.json", "CA")
    second = helpers.call_action("harvest_source_patch", id=second["id"], source_type="pida_dcatus")
    # The source created second runs first: it brings the datasets, until the first source brings them too.
    runner.run_now(second["id"])
    assert len(harvested_from(second["id"])) == 7
    runner.run_now(first["id"])
    runner.run_now(second["id"])  # a full run (data.json): its own copies go, one copy stays
    health = helpers.call_action("pida_harvest_health", id=second["id"])[0]

    assert len(harvested_from(first["id"])) == 7 and len(harvested_from(second["id"])) == 0
    [shared] = [p for p in health["problems"] if p["code"] == "listed_by_another_source"]
    assert "7" in shared["message"] and first["title"] in shared["message"]
    assert health["counts"]["unchanged"] == 0 and health["counts"]["deleted"] == 7 and health["health"] == "warning"
    first_health = helpers.call_action("pida_harvest_health", id=first["id"])[0]
    [also] = [p for p in first_health["problems"] if p["code"] == "also_listed_by"]
    assert second["title"] in also["message"]
    assert {pkg["pida_country"] for pkg in harvested_from(first["id"]).values()} == {"US"}


def test_the_health_page_says_each_dataset_problem_once_in_the_readers_language(app, hub, portal):
    """Three datasets of CFTC's data.json without a title: one sentence in Spanish, their count and examples,
    nothing of the English text ckanext-harvest keeps."""
    serve_json(portal, "/data.json", "us_cftc_data.json",
               lambda c: [d.update(title="") for d in c["dataset"][:3]])

    source, health = harvest(hub, portal, "/data.json", "pida_dcatus")

    [error] = health["object_errors"]
    assert error["count"] == 3 and len(error["examples"]) == 3
    body = app.get("/es/pida/hub/health").get_data(as_text=True)
    assert "Sin título, por eso no se importaron" in body and "3 conjuntos de datos" in body
    for guid in ("cftc-dc1", "cftc-dc2", "cftc-dc3"):
        assert guid in body
    assert "imported" not in body and "has no title" not in body
