"""What to fix first (ckanext/pida/quality/fixes.py, /pida/fixes): a national portal's priority datasets, their
links checked against a local file server, ranked by the cells of the coverage and the quality points each fix
wins; the figures are checked against each dataset's own quality report, not written down."""
from __future__ import annotations

import csv
import io

import pytest

from ckan.tests import factories, helpers

from ckanext.pida.quality import links
from tests.conftest import PORTAL_PLUGINS
from tests.test_links import _dataset, checker, remote  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.ckan_config(
    "ckanext.pida.country", "CO"), pytest.mark.usefixtures("with_plugins", "clean_index")]


@pytest.fixture
def portal(checker, full_dataset):
    made = {
        "dead": _dataset(full_dataset, checker.base, "/gone.csv", name="contratos", title="Contratos públicos",
                         pida_priority=["contracts-register"]),
        "late": _dataset(full_dataset, checker.base, "/ok.csv", name="presupuesto", title="Presupuesto general",
                         pida_priority=["budgets"], modified="2019-01-31",
                         frequency="http://publications.europa.eu/resource/authority/frequency/ANNUAL"),
        "half": _dataset(full_dataset, checker.base, "/ok.csv", "/error.csv", name="cabilderos",
                         title="Registro de cabilderos"),
        "bare1": _dataset(full_dataset, checker.base, "/ok.csv", name="sancionados", title="Sancionados",
                          pida_priority=["government-contractors-list"], tag_string=""),
        "bare2": _dataset(full_dataset, checker.base, "/ok.csv", name="declaraciones", title="Declaraciones",
                          pida_priority=["interest-declarations"], tag_string=""),
    }
    links.run(links.public_urls())
    return made


def _lost(pkg, indicator):
    quality = helpers.call_action("pida_quality_show", id=pkg["id"])
    [ind] = [i for i in quality["indicators"] if i["id"] == indicator]
    return round(ind["max"] - ind["points"], 1)


def test_fixes_are_ranked_by_cells_then_points(portal):
    editor = factories.User()
    helpers.call_action("organization_member_create", id=portal["dead"]["owner_org"], username=editor["name"],
                        role="editor")
    result = helpers.call_action("pida_fixes_show", {"user": editor["name"]})
    items = result["items"]
    assert result["country"] == "CO" and result["datasets"] == 5

    # the cells first: data that does not open, then out of date
    assert [(i["kind"], i.get("concept")) for i in items[:2]] == [("not_opening", "contracts-register"),
                                                                  ("out_of_date", "budgets")]
    assert items[0]["points"] == _lost(portal["dead"], "access_url_status") + _lost(portal["dead"],
                                                                                     "download_url_status")
    assert "Contratos públicos" in items[0]["text"] and items[0]["since"]
    # then the points, most first
    rest = items[2:]
    assert all(i["cells"] == 0 for i in rest)
    assert [i["points"] for i in rest] == sorted((i["points"] for i in rest), reverse=True)
    by_indicator = {i["indicator"]: i for i in rest if i["kind"] == "indicator"}
    keywords = by_indicator["keyword"]
    assert keywords["count"] == 2 and {d["name"] for d in keywords["datasets"]} == {"sancionados", "declaraciones"}
    assert keywords["points"] == _lost(portal["bare1"], "keyword") + _lost(portal["bare2"], "keyword") > 0
    assert keywords["text"].startswith("2 priority datasets lack: Keywords")
    [half] = [i for i in rest if i["kind"] == "broken_links"]
    assert half["datasets"] == [{"name": "cabilderos", "title": "Registro de cabilderos"}] and half["count"] == 1
    assert half["points"] == _lost(portal["half"], "access_url_status") + _lost(portal["half"],
                                                                               "download_url_status") > 0
    assert "access_url_status" not in by_indicator  # a link's points are counted once, with the link


def test_only_editors_see_the_fixes_and_the_page_and_csv_say_them_in_spanish(portal, app):
    stranger = factories.User()
    with pytest.raises(helpers.logic.NotAuthorized):
        helpers.call_action("pida_fixes_show", {"user": stranger["name"], "ignore_auth": False})
    assert app.get("/pida/fixes", status=403)

    sysadmin = factories.Sysadmin()
    headers = {"Authorization": factories.APIToken(user=sysadmin["name"])["token"]}
    page = app.get("/es/pida/fixes", headers=headers).body
    assert "Qué corregir primero" in page
    assert "los datos no abren desde" in page and "Contratos públicos" in page
    body = app.get("/pida/fixes.csv?lang=es", headers=headers).body.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["rank", "kind", "Qué corregir"]
    assert [r[1] for r in rows[1:3]] == ["not_opening", "out_of_date"] and rows[1][6]  # since when
    assert len(rows) - 1 == len(helpers.call_action("pida_fixes_show", {"user": sysadmin["name"]})["items"])


def test_the_coverage_page_links_to_the_fixes_for_editors_only(portal, app):
    sysadmin = factories.Sysadmin()
    headers = {"Authorization": factories.APIToken(user=sysadmin["name"])["token"]}
    assert "/pida/fixes" in app.get("/pida/coverage", headers=headers).body
    assert "/pida/fixes" not in app.get("/pida/coverage").body
