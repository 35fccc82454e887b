"""A hub administrator clears a source filed under the wrong country from ckanext-harvest's own page, in Spanish,
in Chromium (issue 21): its datasets leave the search and the coverage, and another source's stay."""
import pytest

from ckan.tests import factories, helpers

from ckanext.pida.hub.harvesters import runner
from tests.browser.conftest import PASSWORD
from tests.test_harvest import hub, make_source, portal  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.ckan_config(
    "ckan.plugins", "pida pida_hub pida_datajson pida_dcatus scheming_datasets dcat harvest"),
    pytest.mark.usefixtures("hub")]


def _count(country: str) -> int:
    return helpers.call_action("package_search", fq="vocab_pida_country:" + country, rows=0)["count"]


def test_an_administrator_clears_a_mistaken_source_with_its_clear_button(browser, hub, portal):
    with open("tests/data/real/us_cftc_data.json", encoding="utf-8") as f:
        portal.routes["/us/data.json"] = (200, "application/json", f.read().encode("utf-8"))
    with open("tests/data/real/ar_datos_jus_gob_ar.json", encoding="utf-8") as f:
        portal.routes["/ar/data.json"] = (200, "application/json", f.read().encode("utf-8"))
    admin = factories.Sysadmin(name="admin-hub", password=PASSWORD)
    context = {"user": admin["name"]}
    wrong = make_source(hub, portal.base + "/us/data.json", "TT")  # a US agency's catalogue, filed under TT
    wrong = helpers.call_action("harvest_source_patch", context, id=wrong["id"], source_type="pida_dcatus")
    other = make_source(hub, portal.base + "/ar/data.json", "AR")
    other = helpers.call_action("harvest_source_patch", context, id=other["id"], source_type="pida_datajson")
    runner.run_now(wrong["id"])
    runner.run_now(other["id"])
    assert _count("TT") == 7 and _count("AR") == 16

    browser.login("admin-hub")
    browser.get("/es/harvest/admin/" + wrong["name"])
    browser.click_text("Clear")  # (ckanext-harvest has no Spanish translation)
    # CKAN's confirmation dialog: "Confirmar" on 2.12, "Confirm" on 2.11 (not translated there)
    browser.wait_text(".modal", "Confirm")
    [confirm] = [b for b in browser.find_all(".modal button, .modal a") if b.text.strip() in ("Confirmar", "Confirm")]
    browser.click(confirm)
    browser.wait_text("body", wrong["title"])

    assert _count("TT") == 0 and _count("AR") == 16
    [tt] = helpers.call_action("pida_coverage_show", country="TT")["countries"]
    assert tt["datasets"] == tt["detected_datasets"] == 0
    feed = helpers.call_action("pida_catalog_withdrawn", since="2000-01-01")
    assert len(feed["results"]) == 7
    browser.get("/es/dataset/?q=Commitment")
    assert "Commitment of Traders" not in browser.text("body")
