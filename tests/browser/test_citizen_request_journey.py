"""A citizen asks for a priority dataset Colombia does not publish, in Chromium at phone and desktop widths: from
the coverage's empty cell to the form (errors said in Spanish, nothing typed lost), the public request, the list;
the portal's administrator answers and closes it. No serious accessibility problem, nothing scrolls sideways."""
import pytest

from ckan.tests import factories, helpers

from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, PORTAL_CO_MARKS, assert_accessible

pytestmark = PORTAL_CO_MARKS

MESSAGE = "Necesito las declaraciones de bienes y rentas de los ministros desde 2020, en CSV, para un reportaje."


@pytest.fixture
def colombia(full_dataset, migrate_db_for, no_rate_counts):
    migrate_db_for("pida")
    helpers.call_action("package_create", **full_dataset)  # only the lobbying register
    return factories.Sysadmin(name="admin-datos-co", password=PASSWORD, email="datos@mintic.example.gov")


def _no_overflow(browser, what):
    assert browser.horizontal_overflow() == 0, "{} scrolls sideways: {}".format(what, browser.overflowing())


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_citizen_asks_for_a_missing_priority_dataset_and_the_portal_answers(browser, colombia, size):
    browser.resize(*size)
    browser.get("/es/pida/coverage")
    cell = browser.find("a.pida-ask[href*='concept=interest-declarations']")
    assert "Pedirlo" in cell.get_attribute("title")
    browser.click(cell)
    browser.wait_ready()

    assert "/pida/requests/new" in browser.path
    assert browser.find("#pida-request-concept").get_attribute("value") == "interest-declarations"
    assert browser.find("#pida-request-country").get_attribute("value") == "CO"
    assert not browser.find("#pida-request-website").is_displayed()  # the honeypot, out of sight
    _no_overflow(browser, "the form")
    assert_accessible(browser, "the request form")

    # A message too short and a mistyped address: said in Spanish, beside each field, nothing lost.
    browser.fill("#pida-request-message", "bienes")
    browser.fill("#pida-request-email", "periodista(at)medio.example")
    browser.submit("form button[type=submit].btn-primary")
    errors = browser.text("#pida-request-errors")
    assert "al menos 10 caracteres" in errors and "no es una dirección de correo" in errors
    assert browser.find("#pida-request-email").get_attribute("value") == "periodista(at)medio.example"
    assert browser.find("#pida-request-message").get_attribute("aria-invalid") == "true"
    _no_overflow(browser, "the form with errors")
    assert_accessible(browser, "the request form with errors")

    browser.fill("#pida-request-message", MESSAGE)
    browser.fill("#pida-request-email", "periodista@medio.example")
    browser.submit("form button[type=submit].btn-primary")

    assert "/pida/requests/" in browser.path
    assert "Gracias: su solicitud fue enviada" in browser.text(".flash-messages, .alert")
    assert MESSAGE in browser.text(".pida-request-message") and "Abierta" in browser.text(".pida-request-status")
    assert "periodista@medio.example" not in browser.driver.page_source
    _no_overflow(browser, "the request")
    assert_accessible(browser, "the request")
    request_path = browser.path

    browser.get("/es/pida/requests")  # the public list, filtered as a visitor does it
    browser.select("#pida-requests-country", "CO")
    browser.select("#pida-requests-status", "open")
    browser.submit(".pida-requests-filters button[type=submit]")
    assert "country=CO" in browser.path and "status=open" in browser.path
    listed = browser.text(".pida-request-list")
    assert "Declaraciones de intereses" in listed or "declaraciones" in listed.lower()
    assert MESSAGE[:60] in listed
    _no_overflow(browser, "the list")
    assert_accessible(browser, "the list of requests")

    # The portal's administrator answers and closes it.
    browser.login("admin-datos-co")
    browser.get(request_path)
    browser.fill("#pida-request-answer", "Publicadas en marzo: https://datos.gov.co/bienes")
    browser.click("#pida-request-status-closed")
    assert_accessible(browser, "the answer form")
    browser.submit("form button[type=submit].btn-primary")
    assert "Cerrada" in browser.text(".pida-request-status")
    assert "https://datos.gov.co/bienes" in browser.text(".pida-request-answer")
