"""A portal with datasets from before the plugin, in Chromium, in Spanish (issue #17): an old dataset is edited
through the form and saved at the first try; «Publicar» without a file or link is refused with a message that says
so; a contact typed with a bad email keeps what was typed; an editor confirms a priority dataset the portal detected
in an old dataset. ``PIDA_SCREENSHOTS=<folder>`` saves the portal's review queue there."""
import os

import pytest
from selenium.webdriver.support.ui import WebDriverWait

import ckan.model as model
from ckan.tests import helpers

from tests.browser.conftest import PORTAL_CO_MARKS, assert_accessible, org_member

pytestmark = PORTAL_CO_MARKS


@pytest.fixture
def editor(pida_vocab):
    return org_member("editora", "ministerio-da-saude", "Ministério da Saúde")


@pytest.fixture
def old_dataset(editor):
    """A dataset as a portal's script wrote it before the plugin: no PIDA field, free extras in Portuguese, a
    maintainer with an email (created through the API, which judges a write on what it declares)."""
    return helpers.call_action(
        "package_create", name="sinan-dengue", title="Sinan/Dengue", owner_org=editor["org"]["id"],
        notes="Casos notificados de dengue.", maintainer="Coordenação de Dados", maintainer_email="dados@saude.example",
        extras=[{"key": "Frequência de atualização", "value": "Semanal"}, {"key": "Contato", "value": "arbo@saude.example"}],
        resources=[{"url": "https://saude.example/dengue-2025.csv", "format": "CSV", "name": "Dengue 2025"}])


def shown(name: str) -> dict:
    """The dataset as the site now has it (the web server's thread saved it: this thread's session forgets what it
    read before)."""
    model.Session.remove()
    return helpers.call_action("package_show", id=name)


def test_an_old_dataset_is_edited_through_the_form_at_the_first_try(browser, old_dataset):
    browser.login("editora")
    browser.get("/es/dataset/sinan-dengue")
    page = browser.text()
    assert "Aún no revisado para el PIDA" in page  # never "Datos personales: No"
    assert "Frequência de atualização" in page and "Semanal" in page  # its own extras, shown
    assert "Coordenação de Dados" in page
    assert "Indique un punto de contacto" not in page  # the maintainer's email is a contact point

    browser.get("/es/dataset/edit/sinan-dengue/1")
    browser.fill("#field-title", "Sinan/Dengue (casos notificados)")
    browser.submit()
    assert not browser.find_all(".error-explanation, .alert-error"), browser.text("form")[:600]
    saved = shown("sinan-dengue")
    assert saved["title"] == "Sinan/Dengue (casos notificados)"
    assert {e["key"]: e["value"] for e in saved["extras"]}["Frequência de atualização"] == "Semanal"

    # Page 3 asks for its own fields only: the frequency, not page 4's personal data.
    browser.get("/es/dataset/edit/sinan-dengue/3")
    browser.select("#field-frequency", "http://publications.europa.eu/resource/authority/frequency/WEEKLY")
    browser.submit()
    assert not browser.find_all(".error-explanation, .alert-error"), browser.text("form")[:600]
    assert shown("sinan-dengue")["frequency"].endswith("/WEEKLY")


def test_publicar_without_a_file_or_link_is_refused(browser, editor):
    helpers.call_action(
        "package_create", name="registro-de-cabilderos", title="Registro de cabilderos", state="draft",
        owner_org=editor["org"]["id"], notes="Personas inscritas.", pida_priority=["lobbying-register"],
        frequency="MONTHLY", pida_country="CO", license_id="cc-by", pida_personal_data="no")
    browser.login("editora")
    browser.get("/es/dataset/registro-de-cabilderos/resource/new")
    assert browser.text("form#resource-edit button.btn-primary") == "Publicar"
    browser.submit()

    # The refusal, not the page's help text (which also asks for a file or link): CKAN 2.12 publishes from the
    # dataset (the dataset's rule), CKAN 2.11 saves an empty resource first (the resource's rule).
    refusal = browser.wait_text(".error-explanation", "enlace")
    assert "Agregue al menos un archivo o enlace a los datos antes de publicar" in refusal \
        or "Agregue un archivo o un enlace a los datos" in refusal, refusal
    assert shown("registro-de-cabilderos")["state"] == "draft"
    assert_accessible(browser, "the data page refusing to publish")


def test_a_contact_with_a_bad_email_keeps_what_was_typed(browser, editor):
    helpers.call_action("package_create", name="compras-2025", title="Compras 2025", state="draft",
                        owner_org=editor["org"]["id"], notes="Órdenes de compra.")
    browser.login("editora")
    browser.get("/es/dataset/new/compras-2025/2")
    add = browser.find_all("a[name=repeating-add]")
    browser.click(add[-1])  # the contact point's "add": its row is added by the page's script
    WebDriverWait(browser.driver, 10).until(lambda d: browser.find_all("input[name='contact-0-name']"))
    browser.fill("input[name='contact-0-name']", "Mesa de ayuda")
    browser.fill("input[name='contact-0-email']", "ayuda(arroba)compras")
    browser.submit()

    browser.wait_text("body", "no es una dirección de correo")
    assert browser.find("input[name='contact-0-name']").get_attribute("value") == "Mesa de ayuda"
    assert browser.find("input[name='contact-0-email']").get_attribute("value") == "ayuda(arroba)compras"


def test_an_editor_confirms_what_the_portal_detected(browser, editor):
    """The portal's own review queue: an old dataset that never declared a priority dataset is proposed as the
    contracts register; its organisation's editor confirms it from the queue, and the dataset page and the coverage
    say so."""
    helpers.call_action(
        "package_create", name="secop-ii-contratos", title="SECOP II - Contratos Electrónicos",
        owner_org=editor["org"]["id"], tags=[{"name": "contratación pública"}],
        notes="Contratos registrados en SECOP II: entidad contratante, proveedor, valor, fechas y estado.",
        extras=[{"key": "Frecuencia de actualización", "value": "Diaria"}],
        resources=[{"url": "https://datos.example.gov.co/secop-ii-contratos.csv", "format": "CSV"}])
    browser.login("editora")
    browser.get("/es/pida/review")
    assert "Detecciones por revisar" in browser.text("h1")
    table = browser.text(".pida-review-table")
    assert "SECOP II - Contratos Electrónicos" in table and "Registro de contratos" in table
    assert "en el título" in table  # the evidence says where it matched
    assert_accessible(browser, "the portal's review queue")
    if os.environ.get("PIDA_SCREENSHOTS"):
        browser.screenshot(os.path.join(os.environ["PIDA_SCREENSHOTS"], "portal-review.png"))

    row = next(r for r in browser.find_all(".pida-review-table tbody tr") if "Registro de contratos" in r.text)
    browser.click(row.find_element("css selector", "button[value$='|confirmed']"))
    browser.wait_text(".flash-messages, .alert", "1 confirmado: ahora cuenta como publicado")

    browser.get("/es/dataset/secop-ii-contratos")
    block = browser.text(".pida-block")
    assert "Registro de contratos" in block and "confirmado por editora" in block
    assert shown("secop-ii-contratos")["pida_priority"] == ["contracts-register"]
    [row] = helpers.call_action("pida_coverage_show", country="CO")["countries"]
    assert row["cells"]["contracts-register"]["status"] in ("published", "out_of_date")
