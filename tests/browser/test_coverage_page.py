"""The coverage page for a minister, in Chromium at desktop and phone widths, and printed: the priority datasets
by name and category, each country's score visible without scrolling, the principles, the progress chart, one
printed page per country, and no serious accessibility problem."""
import base64
import copy
import datetime

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.common.print_page_options import PrintOptions

from ckan.tests import factories, helpers

from tests.browser.conftest import DESKTOP, PHONE, assert_accessible
from tests.conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins", "clean_index")]


@pytest.fixture
def two_countries(full_dataset, migrate_db_for):
    migrate_db_for("pida")
    today = datetime.date.today()
    helpers.call_action("package_create", **dict(full_dataset, issued=(today - datetime.timedelta(days=60)).isoformat()))
    mexico = dict(copy.deepcopy(full_dataset), name="compras-mx", title="Compras públicas", pida_country="MX",
                  pida_priority=["contracts-register"], modified="2020-01-01",
                  issued=(today - datetime.timedelta(days=30)).isoformat())
    helpers.call_action("package_create", **mexico)
    sysadmin = factories.Sysadmin()
    helpers.call_action("pida_coverage_snapshot", {"user": sysadmin["name"]})
    helpers.call_action("pida_coverage_backfill", {"user": sysadmin["name"]}, days=70, step=7)


def _scores_visible(browser):
    """Every country's score bar lies inside the window, with no horizontal scrolling."""
    return browser.driver.execute_script(
        "var w = document.documentElement.clientWidth; var bars = document.querySelectorAll('.pida-score .pida-bar');"
        "return bars.length > 0 && Array.from(bars).every(function (b) { var r = b.getBoundingClientRect();"
        "  return r.width > 40 && r.left >= 0 && r.right <= w; });")


def test_coverage_at_desktop_and_phone_widths(browser, two_countries):
    browser.resize(*DESKTOP)
    browser.get("/es/pida/coverage")

    # Reached from the main navigation of every page.
    assert "Cobertura del PIDA" in browser.text("header")
    # The priority datasets by name, under the Open Up Guide's four categories; the definition on demand.
    matrix = browser.text(".pida-matrix")
    for name in ("Registro de cabilderos", "Registro de contratos", "Personas y organizaciones", "Recursos públicos",
                 "Extracción de rentas"):
        assert name in matrix
    summary = browser.find(".pida-matrix details summary")
    definition = summary.find_element("xpath", "following-sibling::p")
    assert not definition.is_displayed()
    summary.send_keys(Keys.ENTER)  # keyboard: the definition opens
    assert definition.is_displayed() and len(definition.text) > 40
    # Each country's score as a bar, visible without scrolling; statuses in words, not colour alone.
    assert browser.horizontal_overflow() == 0 and _scores_visible(browser)
    scores = browser.text(".pida-scores")
    assert "Colombia" in scores and "México" in scores and "1 de 30 actualizados" in scores
    assert "0 de 30 actualizados, 1 desactualizados" in scores
    assert "Publicado, desactualizado" in browser.text(".pida-legend")
    assert len(browser.find_all(".pida-heat li")) == 2 * 6
    # Progress over time, one line a country.
    assert len(browser.find_all("svg.pida-chart polyline")) == 2
    assert "Colombia" in browser.text(".pida-chart-legend")
    assert_accessible(browser, "the coverage page")

    browser.resize(*PHONE)
    browser.get("/es/pida/coverage")
    assert browser.horizontal_overflow() == 0, "the page scrolls sideways on a phone"
    assert _scores_visible(browser)
    assert_accessible(browser, "the coverage page on a phone")


def test_coverage_prints_one_page_per_country(browser, two_countries):
    browser.get("/es/pida/coverage")
    options = PrintOptions()
    options.background = True
    pdf = base64.b64decode(browser.driver.print_page(options))
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages == 2, "expected one printed page per country, got {}".format(pages)

    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    sheets = browser.find_all(".pida-print-sheet")
    assert [s.is_displayed() for s in sheets] == [True, True]
    assert "Colombia" in sheets[0].text and "Registro de cabilderos" in sheets[0].text
    assert not browser.find(".pida-matrix").is_displayed()
