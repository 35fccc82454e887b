"""Interoperability: ckanext-dcat's stock ``dcat_rdf_harvester``, unmodified, harvests a PIDA portal's catalogue
served over HTTP on 127.0.0.1 and imports its public datasets with their PIDA fields."""
import copy
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from ckan.tests import helpers
from ckanext.dcat.harvesters import DCATRDFHarvester
from ckanext.harvest.tests.factories import HarvestJobObj, HarvestSourceObj
from ckanext.harvest.tests.lib import run_harvest_job

from tests.conftest import PORTAL_PLUGINS

PIDA_FIELDS = ("pida_priority", "pida_stages", "pida_standards", "pida_identifier_schemes", "pida_country",
               "pida_jurisdiction", "pida_legal_basis", "pida_personal_data", "pida_anonymisation")


class Portal:
    """An HTTP server on a free port of 127.0.0.1 that answers with the pages the CKAN portal produced."""

    def __init__(self):
        self.pages = {}
        self.requests = []
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                portal.requests.append(self.path)
                body = portal.pages.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/turtle; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "").encode("utf-8"))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def harvest_tables(clean_db, migrate_db_for):
    """The harvest tables (`ckan db upgrade -p harvest`), made before any session holds a lock."""
    migrate_db_for("harvest")


@pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS + " harvest dcat_rdf_harvester")
@pytest.mark.ckan_config("ckanext.dcat.datasets_per_page", "2")
@pytest.mark.usefixtures("with_plugins", "clean_index")
def test_stock_dcat_harvester_imports_the_portal(harvest_tables, app, full_dataset, ckan_config):
    with Portal() as portal:
        # The portal publishes its URIs under the address it is served from.
        ckan_config["ckanext.dcat.base_uri"] = portal.url
        first = helpers.call_action("package_create", **full_dataset)
        second = copy.deepcopy(full_dataset)
        second.update(name="contratos", title="Contratos", pida_priority=["contracts-register"],
                      pida_standards=["ocds"], pida_personal_data="no", pida_anonymisation="")
        second = helpers.call_action("package_create", **second)
        third = copy.deepcopy(full_dataset)
        third.update(name="presupuesto", title="Presupuesto", pida_priority=["budgets"], pida_standards=[])
        third = helpers.call_action("package_create", **third)
        secret = copy.deepcopy(full_dataset)
        secret.update(name="reservado", title="Reservado", private=True)
        helpers.call_action("package_create", **secret)
        originals = {p["title"]: p for p in (first, second, third)}

        # Capture the live catalogue, page by page, as the portal serves it.
        url = portal.url + "/catalog.ttl"
        while url:
            parts = urlsplit(url)
            path = parts.path + ("?" + parts.query if parts.query else "")
            body = app.get(path, status=200).body
            portal.pages[path] = body
            url = next((line.split('"')[1] for line in body.splitlines() if "hydra:next " in line), None)
        assert len(portal.pages) == 2

        # The hub is another site: the portal's datasets are not in its database.
        for pkg in list(originals.values()) + [secret]:
            helpers.call_action("dataset_purge", id=pkg["name"])

        source = HarvestSourceObj(url=portal.url + "/catalog.ttl", source_type="dcat_rdf",
                                  owner_org=full_dataset["owner_org"])
        job = HarvestJobObj(source=source, run=False)
        results = run_harvest_job(job, DCATRDFHarvester())

    assert set(portal.requests) == set(portal.pages)  # it followed hydra:next through every page
    assert len(results) == 3, results
    assert all(r["state"] == "COMPLETE" and not r["errors"] for r in results.values()), results

    harvested = helpers.call_action("package_search", q="*:*", fq="dataset_type:dataset", rows=10)["results"]
    assert sorted(p["title"] for p in harvested) == ["Contratos", "Presupuesto", "Registro de cabilderos"]
    for pkg in harvested:
        original = originals[pkg["title"]]
        for field in PIDA_FIELDS:
            want = original.get(field)
            got = helpers.call_action("package_show", id=pkg["id"]).get(field)
            if isinstance(want, list):
                assert sorted(got or []) == sorted(want), (pkg["title"], field)
            else:
                assert (got or None) == (want or None), (pkg["title"], field)
        assert pkg["frequency"] == original["frequency"]
        assert pkg["license_id"] == "cc-by"

    # CKAN-to-CKAN harvesting: the API exposes the PIDA fields too.
    shown = app.get("/api/3/action/package_show?id=%s" % harvested[0]["id"], status=200).json["result"]
    assert shown["pida_priority"] and shown["pida_country"] == "CO"
