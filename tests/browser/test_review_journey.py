"""A hub editor's journey through the detections, in Spanish, in Chromium: an untagged national catalogue (the real
data.json of Argentina's Ministry of Justice, served on 127.0.0.1) is harvested; the editor of Argentina's
organisation opens the review queue, confirms one detection with the keyboard and the bulk button, rejects another
with its own button, confirms a third from the dataset's page, and finds the decision in the dataset's activity
stream and the cell counted as published in the coverage. axe-core checks the queue and the dataset page."""
import pytest
from selenium.webdriver.common.keys import Keys

from ckan.tests import factories, helpers

from ckanext.pida.hub.harvesters import runner
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, assert_accessible
from tests.test_detection import HUB, _by_title, _serve_argentina, _source, hub  # noqa: F401 (fixtures)
from tests.test_harvest import portal  # noqa: F401 (fixture)

pytestmark = [pytest.mark.ckan_config("ckan.plugins", HUB), pytest.mark.usefixtures("hub")]

DECLARATION = "Declaración Jurada Patrimonial Integral de carácter público"
IGJ = "Entidades constituidas en la Inspección General de Justicia"
MAGISTRATES = "Magistrados de la Justicia Federal y de la Justicia Nacional"


def _row_of(browser, title, concept_label):
    for row in browser.find_all(".pida-review-table tbody tr"):
        if title in row.text and concept_label in row.text:
            return row
    raise AssertionError("no row for {} / {} in {!r}".format(title, concept_label, browser.text(".pida-review-table")))


def test_a_hub_editor_reviews_the_detections_of_their_country(browser, hub, portal):
    _serve_argentina(portal)
    source = _source(hub, portal.base + "/data.json", "AR")
    runner.run_now(source["id"])
    datasets = _by_title(source["id"])
    editor = factories.User(name="revisora-ar", password=PASSWORD)
    helpers.call_action("organization_member_create", id=hub["org"]["id"], username=editor["name"], role="editor")
    browser.login("revisora-ar")

    browser.get("/es/pida/review")
    assert "Detecciones por revisar" in browser.text("h1")
    assert DECLARATION in browser.text(".pida-review-table") and "Declaraciones patrimoniales" in browser.text(
        ".pida-review-table")
    assert "en el título" in browser.text(".pida-review-table")  # the evidence says where it matched
    assert_accessible(browser, "the review queue")

    # Keyboard: focus the declaration's checkbox, tick it with the space bar, confirm with the bulk button.
    box = _row_of(browser, DECLARATION, "Declaraciones patrimoniales").find_element("css selector", "input[name=item]")
    browser.driver.execute_script("arguments[0].focus();", box)
    box.send_keys(Keys.SPACE)
    assert box.is_selected()
    browser.click_text("Confirmar los seleccionados", css="button")
    # Asked again, each detection named: a bulk confirmation adds to the country's coverage.
    browser.wait_text("h1", "¿Confirmar 1 detección?")
    assert DECLARATION in browser.text(".pida-confirm-list")
    assert_accessible(browser, "the bulk confirmation step")
    browser.click_text("Sí, confirmar 1 detección", css="button")
    browser.wait_text(".flash-messages, .alert", "1 confirmado: ahora cuenta como publicado")

    # Its own button: reject the charity register proposed for the company register of the IGJ.
    row = _row_of(browser, IGJ, "Registro de organizaciones benéficas")
    browser.click(row.find_element("css selector", "button[value$='|rejected']"))
    browser.wait_text(".flash-messages, .alert", "1 rechazado: no se vuelve a proponer")
    assert "Registro de organizaciones benéficas" not in browser.text(".pida-review-table")

    # A mistake: the rejection is undone from the history, and the detection is back in the queue.
    history = browser.text(".pida-review-history")
    assert "Rechazada · revisora-ar" in history and "Confirmada · revisora-ar" in history
    browser.click(browser.find(".pida-review-history button[aria-label*='Inspección General']"))
    browser.wait_text(".flash-messages, .alert", "Deshecho: la detección de")
    assert "Registro de organizaciones benéficas" in browser.text(".pida-review-table")
    assert "deshecha el" in browser.text(".pida-review-history")
    # Beside each detection: how sure, who publishes it, what it says, and the definition a click away.
    row = _row_of(browser, IGJ, "Registro de organizaciones benéficas")
    assert "%" in row.find_element("css selector", ".pida-confidence").text
    assert "en el conjunto de evaluación" in row.text
    row.find_element("css selector", "a[href$='/pida/priority-datasets/charity-register']")
    assert_accessible(browser, "the review queue with its history")
    browser.click(row.find_element("css selector", "button[value$='|rejected']"))  # rejected again
    browser.wait_text(".flash-messages, .alert", "1 rechazado: no se vuelve a proponer")

    # On a phone: the queue and its history fit the screen (the tables scroll inside their box), axe clean.
    browser.resize(*PHONE)
    browser.get("/es/pida/review")
    assert browser.horizontal_overflow() == 0, browser.overflowing()
    assert_accessible(browser, "the review queue on a phone")
    browser.resize(*DESKTOP)

    # From the dataset page: the evidence, and the buttons for who may decide.
    magistrates = datasets[MAGISTRATES]
    browser.get("/es/dataset/" + magistrates["name"])
    block = browser.text("#pida-detection")
    assert "Detectado por el hub" in block and "«magistrados» en el título" in block
    assert_accessible(browser, "a dataset page with detections")
    browser.click(browser.find("#pida-detection button[value$='|confirmed']"))
    browser.wait_text(".flash-messages, .alert", "1 confirmado: ahora cuenta como publicado")
    assert "confirmado por revisora-ar" in browser.text(".pida-detection")

    # Every decision is in the activity stream: who decided, and when.
    browser.get("/es/dataset/activity/" + magistrates["name"])
    latest = browser.find_all("li.item.changed-package")[0].text
    assert editor["fullname"] in latest  # CKAN shows who by their full name, and when

    # The coverage counts the confirmed cell as published, and the rest as detected.
    [row] = helpers.call_action("pida_coverage_show", country="AR")["countries"]
    assert row["cells"]["asset-declarations"]["status"] in ("published", "out_of_date")
    assert row["cells"]["public-officials-register"]["status"] in ("published", "out_of_date")
    assert row["cells"]["charity-register"]["status"] == "missing"
    assert row["cells"]["company-register"]["status"] == "detected"
