"""The hub administrator's journey, in Spanish, in Chromium: create a harvest source of a national catalogue from
the web form, ask for a harvest, read the health page, see a harvested dataset with its provenance, and ask for a
full run. The national portal is a real HTTP server on 127.0.0.1 serving catalogue files; the harvest runs
through ckanext-harvest's Redis queues, drained here as its consumers would."""
import datetime
import json

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers
from ckanext.harvest.model import HarvestJob

from ckanext.pida.hub.harvesters import runner
from ckanext.pida.hub.model import HarvestRun
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE, assert_accessible
from tests.test_harvest import HUB_PLUGINS, hub, portal  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.ckan_config("ckan.plugins", HUB_PLUGINS), pytest.mark.usefixtures("hub")]


def _finish_jobs(source_id):
    """What the gather and fetch consumers and `ckan harvester run` do."""
    runner.drain()
    tk.get_action("harvest_jobs_run")({"ignore_auth": True, "user": ""}, {"source_id": source_id})


def test_admin_creates_a_source_runs_it_and_reads_its_health(browser, hub, portal):
    portal.serve_colombia()
    factories.Sysadmin(name="admin-hub", password=PASSWORD)
    browser.login("admin-hub")

    # Create the source from the web form.
    browser.get("/es/harvest/new")
    browser.fill("#field-url", portal.base + "/co/catalog.ttl")
    browser.fill("#field-title", "Catálogo de Colombia")
    browser.click("input[name=source_type][value=pida]")
    browser.fill("#field-config", json.dumps({"country": "CO", "full_run_days": 0}))
    browser.select("#field-organizations", hub["org"]["id"])
    browser.submit("#save")
    source = helpers.call_action("harvest_source_show", id="catalogo-de-colombia")
    assert source["source_type"] == "pida" and json.loads(source["config"])["country"] == "CO"

    # Ask for a harvest from the health page; the consumers do the work.
    browser.get("/es/pida/hub/health")
    assert "Nunca recolectado" in browser.text(".pida-health")
    browser.click_text("Recolectar los cambios ahora", css="button")
    browser.wait_text(".flash-messages, .alert", "Recolección solicitada")
    _finish_jobs(source["id"])

    browser.get("/es/pida/hub/health")
    section = browser.text(".pida-health")
    assert browser.text(".pida-health h2").count("Colombia") == 1  # the country is in the title: not repeated
    assert "Colombia Colombia" not in section
    assert "3" in browser.text(".pida-health table") and "Sin problemas" in section
    today = datetime.date.today()
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
              "noviembre", "diciembre"]
    assert "{} de {} de {}".format(today.day, months[today.month - 1], today.year) in section
    assert_accessible(browser, "the harvest health page")
    browser.resize(*PHONE)  # an administrator on a phone: the same page, nothing scrolls sideways
    browser.get("/es/pida/hub/health")
    assert browser.horizontal_overflow() == 0, browser.overflowing()
    assert_accessible(browser, "the harvest health page on a phone")
    browser.resize(*DESKTOP)
    # The count per state filters the page; the source's datasets open in the hub's own search.
    browser.click_text("Sin problemas (1)", ".pida-health-summary a")
    assert "health=ok" in browser.driver.current_url and len(browser.find_all(".pida-health")) == 1
    browser.click(".pida-health a[href*='harvest_source_id']")
    browser.wait_ready()
    assert browser.find_all("a[href$='/dataset/co-registro-de-cabilderos']"), browser.path

    # A harvested dataset says where it comes from, links to the original and says when it was harvested.
    browser.get("/es/dataset/co-registro-de-cabilderos")
    provenance = browser.text(".pida-provenance")
    assert "Catálogo de Colombia" in provenance and str(today.year) in provenance
    assert browser.find(".pida-provenance a").get_attribute("href") == portal.base + "/co/dataset/lobbying"

    # A full run, from the same page.
    browser.get("/es/pida/hub/health")
    browser.click_text("Ejecución completa: leer todo el catálogo", css="button")
    browser.wait_text(".flash-messages, .alert", "Ejecución completa solicitada")
    pending = helpers.call_action("harvest_job_list", source_id=source["id"], status="Running")  # on the queue
    assert len(pending) == 1
    assert HarvestRun.get(pending[0]["id"]).requested_full
    _finish_jobs(source["id"])
    assert HarvestJob.get(pending[0]["id"]).status == "Finished"

    # Edit the source from its form.
    browser.get("/es/harvest/edit/catalogo-de-colombia")
    browser.fill("#field-title", "Colombia: datos.gov.co")
    browser.submit("#save")
    browser.screenshot("/tmp/shots/edit.png")
    model.Session.remove()  # the server thread wrote it: read it afresh
    assert helpers.call_action("harvest_source_show", id=source["id"])["title"] == "Colombia: datos.gov.co"


def test_anonymous_visitors_read_the_health_page_without_admin_links(browser, hub):
    browser.get("/es/pida/hub/health")
    assert "Estado de la recolección" in browser.text("h1")
    assert not browser.find_all(".pida-run-form")
    assert_accessible(browser, "the harvest health page, anonymous")
