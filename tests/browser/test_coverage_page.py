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
    assert pages == 3, "expected the regional summary and one printed page per country, got {}".format(pages)

    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    sheets = browser.find_all(".pida-print-sheet")
    assert [s.is_displayed() for s in sheets] == [True, True, True]
    assert "pida-print-summary" in sheets[0].get_attribute("class")
    assert "Colombia" in sheets[0].text and "México" in sheets[0].text
    assert "Colombia" in sheets[1].text and "Registro de cabilderos" in sheets[1].text
    assert not browser.find(".pida-matrix").is_displayed()


@pytest.fixture
def twenty_countries(full_dataset, migrate_db_for):
    """Priority datasets in twenty countries, up to date in some and late in others; the site lists five more
    countries that publish nothing."""
    from ckanext.pida import vocabulary
    migrate_db_for("pida")
    codes = [c["code"] for c in vocabulary.countries()]
    for i, code in enumerate(codes[:20]):
        concepts = ["lobbying-register", "contracts-register", "budgets", "public-officials-register"][:1 + i % 4]
        helpers.call_action("package_create", **dict(
            copy.deepcopy(full_dataset), name="pida-{}".format(code.lower()), pida_country=code,
            title="Datos prioritarios de {}".format(code), pida_priority=concepts,
            modified="2020-01-01" if i % 3 == 0 else datetime.date.today().isoformat()))
    return codes


@pytest.mark.ckan_config("ckanext.pida.coverage.countries", " ".join(
    ["AG", "AR", "BS", "BB", "BZ", "BO", "BR", "CA", "CL", "CO", "CR", "CU", "DM", "DO", "EC", "SV", "GD", "GT",
     "GY", "HT", "HN", "JM", "MX", "NI", "PA"]))
def test_a_minister_finds_their_country_first_at_every_width(browser, twenty_countries):
    browser.resize(*DESKTOP)
    browser.get("/es/pida/coverage")
    ranks = [e.text.split()[0] for e in browser.find_all(".pida-score-table tbody .pida-rank")]
    assert len(ranks) == 20 and ranks[0] == "1", ranks
    assert "Promedio regional" in browser.text(".pida-region-line")
    # The reader picks their country; the page shows its headline and remembers it.
    chosen = twenty_countries[7]
    browser.select("#pida-country-choice", chosen)
    browser.submit(".pida-country-picker button[type=submit]")
    assert "country=" + chosen in browser.driver.current_url
    headline = browser.text(".pida-headline")
    assert "de 20" in headline and "Próximos pasos" in headline, headline
    browser.get("/es/pida/coverage")
    assert browser.text("#pida-headline-title") == browser.find("#pida-country-choice option:checked").text
    assert browser.find("#pida-country-choice").get_attribute("value") == chosen
    # Ranked by name on request, with the order said to screen readers.
    browser.click_text("País", ".pida-score-table thead a")
    assert browser.find(".pida-score-table thead th[aria-sort]").text.strip() == "País"
    for width, height in ((320, 640), PHONE, DESKTOP, (1920, 1080)):
        browser.resize(width, height)
        browser.get("/es/pida/coverage")
        assert browser.horizontal_overflow() == 0, "the coverage scrolls sideways at {} px: {}".format(
            width, browser.overflowing())
    assert_accessible(browser, "the coverage of twenty countries")
    browser.resize(*PHONE)
    browser.get("/es/pida/coverage")
    assert_accessible(browser, "the coverage of twenty countries on a phone")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_country_profile_for_a_review_session(browser, two_countries, size):
    """One click from the coverage: the country's one-page profile, readable on a phone, with its PDF and its other
    languages a click away; axe finds nothing serious."""
    browser.resize(*size)
    browser.get("/es/pida/coverage?country=CO")
    browser.click_text("Perfil de Colombia en una página")
    browser.wait_text("h1", "Colombia · Conjuntos de datos prioritarios del PIDA")
    assert "puesto" in browser.text(".figures") and len(browser.find_all("tbody th[scope=row]")) == 6
    assert browser.find("a[href$='/es/pida/coverage/CO/profile.pdf']").text == "Descargar en PDF"
    assert browser.horizontal_overflow() == 0, browser.overflowing()
    assert_accessible(browser, "the country profile")
    browser.click(browser.find("a[hreflang='fr']"))
    browser.wait_text("h1", "Colombie · Jeux de données prioritaires du PIDA")
