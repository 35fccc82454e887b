"""The publisher's journey, in Spanish, in Chromium: create a PIDA dataset page by page, leave it as a draft and
come back, be refused on invalid input (the message on the field, in Spanish), add a resource, publish, edit."""
import datetime

import pytest

from ckan.tests import helpers

from tests.browser.conftest import PORTAL_CO_MARKS, assert_accessible, org_member

pytestmark = PORTAL_CO_MARKS


@pytest.fixture
def publisher(pida_vocab):
    return org_member("publicadora", "ministerio-de-hacienda", "Ministerio de Hacienda")


def _step_labels_fit(browser):
    """Every step label is shown whole: nothing is cut with an ellipsis or clipped."""
    return browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('.pida-steps li')).filter(function (li) {"
        "  return li.scrollWidth > li.clientWidth + 1 || li.scrollHeight > li.clientHeight + 1; }).length") == 0


def test_publisher_creates_a_dataset_page_by_page_in_spanish(browser, publisher):
    browser.login("publicadora")

    # Page 1: what, and the organisation (the site refuses a dataset without one, so it is asked here).
    browser.get("/es/dataset/new")
    assert "Qué" in browser.text(".pida-steps") and "Cuándo y dónde" in browser.text(".pida-steps")
    assert _step_labels_fit(browser)
    assert browser.text("form#dataset-edit button.btn-primary") == "Siguiente: Quién"
    assert_accessible(browser, "the dataset form")
    browser.fill("#field-title", "Contratos públicos 2025")
    browser.fill("#field-notes", "Contratos firmados por las entidades del Estado, con proveedor y valor.")
    assert browser.find("#field-organizations").get_attribute("value") == publisher["org"]["id"]
    browser.select("#field-pida_priority", "contracts-register")
    browser.submit()
    assert browser.path == "/es/dataset/new/contratos-publicos-2025/2", browser.text("form#dataset-edit")[:800]
    draft = helpers.call_action("package_show", id="contratos-publicos-2025")
    assert draft["state"] == "draft" and draft["owner_org"] == publisher["org"]["id"]
    assert draft["pida_priority"] == ["contracts-register"]

    # Page 2: who.
    browser.click(browser.find_all("a[name=repeating-add]")[0])
    browser.fill("input[name='publisher-0-name']", "Agencia Nacional de Contratación")
    browser.submit()
    assert browser.path == "/es/dataset/new/contratos-publicos-2025/3"

    # Leave, and come back to the draft from the dashboard.
    browser.get("/es/dashboard/datasets")
    browser.click_text("Contratos públicos 2025", css="a")
    assert "Borrador" in browser.text()
    browser.click_text("Administrar", css="a")
    assert browser.path == "/es/dataset/new/contratos-publicos-2025/1"
    assert browser.find("#field-title").get_attribute("value") == "Contratos públicos 2025"
    browser.click_text("3 Cuándo y dónde", css=".pida-steps a")

    # Page 3: when and where. The frequency asks for a choice instead of defaulting to "continuously updated".
    assert browser.find("#field-frequency").get_attribute("value") == ""
    assert browser.find("#field-pida_country").get_attribute("value") == "CO"
    browser.select("#field-frequency", "http://publications.europa.eu/resource/authority/frequency/MONTHLY")
    browser.driver.execute_script("document.getElementById('field-modified').value = arguments[0]",
                                  datetime.date.today().isoformat())
    browser.submit()

    # Page 4: rules and licence.
    browser.select("#field-license_id", "cc-by")
    browser.select("#field-pida_personal_data", "no")
    browser.submit()

    # Page 5: standards. An address that is not a URL is refused, on the field, in Spanish, and nothing is lost.
    assert browser.path == "/es/dataset/new/contratos-publicos-2025/5"
    browser.fill("input[name='documentation']", "manual de contratación")
    browser.submit()
    field = browser.find("input[name='documentation']").find_element(
        "xpath", "ancestor::div[contains(@class,'form-group')][1]")
    assert "«manual de contratación» no es una dirección web" in field.text, field.text
    assert_accessible(browser, "the dataset form with an error")
    browser.fill("input[name='documentation']", "https://contratacion.example.gov/manual")
    browser.submit()

    # Add data, then publish.
    assert browser.path == "/es/dataset/contratos-publicos-2025/resource/new"
    assert _step_labels_fit(browser)
    assert browser.text("form#resource-edit button.btn-primary") == "Publicar"
    browser.click_text("Enlace", css="a, button, label")
    browser.fill("#field-resource-url", "https://contratacion.example.gov/contratos-2025.csv")
    browser.fill("#field-name", "contratos-2025.csv")
    browser.submit()
    assert browser.path == "/es/dataset/contratos-publicos-2025"

    published = helpers.call_action("package_show", id="contratos-publicos-2025")
    assert published["state"] == "active" and published["private"] is False  # open by default
    assert published["publisher"][0]["name"] == "Agencia Nacional de Contratación"  # page 2 survived the return
    assert published["frequency"].endswith("/MONTHLY")
    assert published["documentation"] == ["https://contratacion.example.gov/manual"]
    assert [r["name"] for r in published["resources"]] == ["contratos-2025.csv"]

    # The dataset page: no empty rows in the additional information, everything in Spanish.
    rows = browser.find_all("table.table-striped tr, .additional-info tr")
    assert rows and all(r.find_elements("css selector", "td") == [] or r.text.split("\n")[-1].strip()
                        for r in rows)
    assert "There is no description" not in browser.text()
    assert_accessible(browser, "the dataset page")

    # Edit: change the title from page 1 of the edit form.
    browser.click_text("Administrar", css="a")
    assert browser.path == "/es/dataset/edit/contratos-publicos-2025/1" or "/edit/" in browser.path
    assert browser.text("form#dataset-edit button.btn-primary") == "Guardar «Qué»"
    assert "Unpublish" not in browser.text("form#dataset-edit")
    browser.fill("#field-title", "Contratos públicos 2025 (enero a junio)")
    browser.submit()
    assert helpers.call_action("package_show", id="contratos-publicos-2025")["title"] == \
        "Contratos públicos 2025 (enero a junio)"
    assert "Contratos públicos 2025 (enero a junio)" in browser.text("h1")
