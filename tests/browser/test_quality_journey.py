"""The coverage tells the truth (issue #19), in Chromium: a minister reads, for a country, which priority dataset
is published but does not open and since when, the average metadata quality and the share of links that open, on
the page and on its printed sheet; the portal's editor goes from the coverage to what to fix first, and from there
to the dataset's page, which says in words how good its metadata is and why its data does not open. The links are
checked for real, against a file server on 127.0.0.1."""
import pytest

from ckan.tests import factories, helpers

from ckanext.pida.quality import links
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, PORTAL_CO_MARKS, assert_accessible
from tests.test_links import _dataset, checker, remote  # noqa: F401 (fixtures)

pytestmark = PORTAL_CO_MARKS


@pytest.fixture
def checked_portal(checker, full_dataset):
    _dataset(full_dataset, checker.base, "/ok.csv")
    dead = _dataset(full_dataset, checker.base, "/gone.csv", name="contratos", title="Contratos públicos",
                    pida_priority=["contracts-register"])
    links.run(links.public_urls())
    editor = factories.User(name="editora-calidad", password=PASSWORD)
    helpers.call_action("organization_member_create", id=dead["owner_org"], username=editor["name"], role="editor")
    return {"dead": dead, "editor": editor}


def test_the_minister_sees_data_that_does_not_open_and_the_quality_figures(browser, checked_portal):
    browser.resize(*DESKTOP)
    browser.get("/es/pida/coverage?country=CO")
    assert "Publicado, pero los datos no abren" in browser.text(".pida-legend")
    scores = browser.text(".pida-scores")
    assert "1 cuyos datos no abren" in scores
    assert "Calidad de los metadatos" in scores and "50 % de los enlaces comprobados abren" in scores
    cell = browser.find(".pida-matrix .pida-not_opening")
    # a symbol, and words for screen readers with since when, never colour alone
    assert cell.text.startswith("⊘") and "Publicado, pero los datos no abren (desde el" in cell.text
    assert browser.horizontal_overflow() == 0
    assert_accessible(browser, "the coverage with data that does not open")
    assert "/pida/fixes" not in browser.driver.page_source  # what to fix is for the portal's editors

    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    sheet = browser.find(".pida-print-sheet")
    assert "Calidad de los metadatos" in sheet.text and "Contratos públicos" in sheet.text
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "screen"})

    browser.resize(*PHONE)
    browser.get("/es/pida/coverage?country=CO")
    assert browser.horizontal_overflow() == 0, "the page scrolls sideways on a phone"
    assert_accessible(browser, "the coverage on a phone")


def test_the_editor_goes_from_the_coverage_to_what_to_fix_and_to_the_dataset(browser, checked_portal):
    browser.resize(*DESKTOP)
    browser.login(checked_portal["editor"]["name"])
    browser.get("/es/pida/coverage")
    browser.click_text("Qué corregir primero")
    assert "/pida/fixes" in browser.path
    first = browser.find(".pida-fixes-table tbody tr")
    assert "Registro de contratos: los datos no abren desde el" in first.text and "«Contratos públicos»" in first.text
    assert "+1 celda de la cobertura" in first.text
    assert_accessible(browser, "what to fix first")

    first.find_element("link text", "Contratos públicos").click()
    browser.wait_ready()
    assert browser.path.endswith("/dataset/contratos")
    block = browser.text("body")
    quality = helpers.call_action("pida_quality_show", id=checked_portal["dead"]["id"])
    assert "{} de 405 puntos".format(quality["score"]) in block
    assert "el servidor responde con el error 404" in block
    assert_accessible(browser, "the dataset page with its quality")
