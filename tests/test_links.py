"""The link checker (ckanext/pida/quality/links.py) against servers on 127.0.0.1 that answer 200, 404 and 500,
never answer, drip, redirect in a loop, redirect to 127.0.0.1 or 169.254.169.254, ask to wait, refuse HEAD, and
serve an HTML page as "CSV"; then what a portal learns from it: the quality score, the dataset's coverage values and
the background job queued when a dataset changes."""
from __future__ import annotations

import copy
import datetime
import http.server
import json
import threading
import time

import pytest

import ckan.lib.jobs as jobs
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers

from ckanext.pida import indexing
from ckanext.pida.model import LinkCheck
from ckanext.pida.quality import links
from tests.conftest import PORTAL_PLUGINS

CSV = b"id,nombre,monto\n1,Constructora Andina,125000\n2,Servicios del Valle,98000\n"
pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS), pytest.mark.usefixtures("with_plugins")]

HTML = b"<!DOCTYPE html><html><head><title>Portal</title></head><body>Inicie sesion</body></html>"


class Remote:
    """A remote portal's file server, on 127.0.0.1 and an ephemeral port."""

    def __init__(self):
        remote = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self):  # noqa: N802
                remote.requests.append(("HEAD", self.path, self.headers.get("User-Agent")))
                if self.path == "/no-head.csv":
                    return self._send(405, "text/plain", b"")
                self._route(head=True)

            def do_GET(self):  # noqa: N802
                remote.requests.append(("GET", self.path, self.headers.get("User-Agent")))
                self._route(head=False)

            def _route(self, head):
                path = self.path
                if path in ("/ok.csv", "/no-head.csv"):
                    return self._send(200, "text/csv", CSV, head)
                if path == "/login.csv":
                    return self._send(200, "text/html", HTML, head)
                if path == "/gone.csv":
                    return self._send(404, "text/html", b"not found", head)
                if path == "/error.csv":
                    return self._send(500, "text/plain", b"boom", head)
                if path == "/busy.csv":
                    self.send_response(429)
                    self.send_header("Retry-After", "3600")
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                if path == "/silent.csv":
                    time.sleep(6)
                    return self._send(200, "text/csv", CSV, head)
                if path == "/drip.csv":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/csv")
                    self.end_headers()
                    for _ in range(60):
                        self.wfile.write(b"1")
                        self.wfile.flush()
                        time.sleep(0.1)
                    return
                if path.startswith("/loop"):
                    return self._redirect("/loop-b" if path == "/loop-a" else "/loop-a")
                if path == "/to-loopback.csv":
                    return self._redirect("http://127.0.0.1:{}/ok.csv".format(remote.other_port))
                if path == "/to-metadata":
                    return self._redirect("http://169.254.169.254/latest/meta-data/")
                if path == "/moved.csv":
                    return self._redirect("/ok.csv")
                self._send(404, "text/plain", b"", head)

            def _redirect(self, location):
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _send(self, status, content_type, body, head=False):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.requests = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # never listed as allowed
        self.other.daemon_threads = True
        self.other_port = self.other.server_address[1]
        self.base = "http://127.0.0.1:{}".format(self.server.server_address[1])
        for server in (self.server, self.other):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop(self):
        for server in (self.server, self.other):
            server.shutdown()
            server.server_close()


@pytest.fixture
def remote():
    r = Remote()
    yield r
    r.stop()


@pytest.fixture
def checker(remote, monkeypatch):
    """The checker's settings for these servers: only the first one allowed although it is on loopback, a 3 s
    deadline, no pause between requests."""
    for key, value in (("allowed_hosts", [remote.base.split("//")[1]]), ("timeout", 3), ("host_interval", 0.0)):
        monkeypatch.setitem(tk.config, "ckanext.pida.links." + key, value)
    return remote


@pytest.mark.parametrize("path, state, problem, sniffed", [
    ("/ok.csv", links.WORKING, None, "csv"),
    ("/no-head.csv", links.WORKING, None, "csv"),
    ("/moved.csv", links.WORKING, None, "csv"),
    ("/login.csv", links.WORKING, None, "html"),
    ("/gone.csv", links.BROKEN, "http_404", None),
    ("/error.csv", links.BROKEN, "http_500", None),
    ("/silent.csv", links.BROKEN, "timeout", None),
    ("/drip.csv", links.BROKEN, "timeout", None),
    ("/loop-a", links.BROKEN, "redirect_loop", None),
    ("/to-loopback.csv", links.REFUSED, "private_address", None),
    ("/to-metadata", links.REFUSED, "private_address", None),
])
def test_one_link(checker, path, state, problem, sniffed):
    started = time.monotonic()
    result = links.check(checker.base + path)
    assert (result["state"], result["problem"], result["sniffed"]) == (state, problem, sniffed)
    assert time.monotonic() - started < 3.5  # the hard deadline holds, however the server answers


def test_never_connects_to_loopback_private_or_metadata_addresses_unless_allowed(checker):
    for url in ("http://127.0.0.1:{}/ok.csv".format(checker.other_port), "http://169.254.169.254/latest/",
                "http://10.0.0.1/x.csv", "http://[::1]:{}/ok.csv".format(checker.other_port),
                "http://[::ffff:127.0.0.1]:{}/ok.csv".format(checker.other_port), "file:///etc/passwd",
                "ftp://127.0.0.1/x"):
        assert links.check(url)["state"] == links.REFUSED, url
    # the redirect to the server that is not allowed was refused before any request reached it
    assert not [r for r in checker.requests if r[1] == "/ok.csv"]
    assert links.check(checker.base + "/ok.csv")["state"] == links.WORKING


def test_the_checker_names_the_portal_and_asks_only_for_the_first_bytes(checker):
    links.check(checker.base + "/ok.csv")
    assert [r[0] for r in checker.requests] == ["HEAD", "GET"]
    assert all(r[2].startswith("ckanext-pida link checker (+") for r in checker.requests)


def test_sniffing_tells_files_apart():
    assert links.sniff(b"%PDF-1.7\n") == "pdf"
    assert links.sniff(b"PK\x03\x04\x14\x00") == "zip"
    assert links.sniff(b'\xef\xbb\xbf{"a": 1}') == "json"
    assert links.sniff(b"<?xml version='1.0'?><rdf:RDF/>") == "xml"
    assert links.sniff(b"a;b;c\n1;2;3\n") == "csv"
    assert links.sniff(HTML) == "html"


# --- on a portal ---------------------------------------------------------------------------------------------------

def _dataset(full_dataset, base, *paths, **fields):
    data = copy.deepcopy(full_dataset)
    data.update(fields)
    data["resources"] = [{"url": base + p, "name": p.strip("/"), "format": "CSV"} for p in paths]
    return helpers.call_action("package_create", **data)


def _coverage_values(pkg_id):
    from ckan.lib.search.common import make_connection
    doc = make_connection().search("id:" + pkg_id, fl=indexing.COVERAGE_FIELD).docs[0]
    return json.loads(doc[indexing.COVERAGE_FIELD])


@pytest.mark.usefixtures("clean_index")
def test_a_run_stores_what_it_learned_and_the_dataset_reads_it(checker, full_dataset):
    good = _dataset(full_dataset, checker.base, "/ok.csv", "/login.csv")
    dead = _dataset(full_dataset, checker.base, "/gone.csv", "/error.csv", name="contratos-caidos",
                    title="Contratos públicos", pida_priority=["contracts-register"])
    private = _dataset(full_dataset, checker.base, "/busy.csv", name="borrador-privado", private=True)

    urls = links.public_urls()
    assert checker.base + "/busy.csv" not in urls  # a private dataset's links are not checked
    counts = links.run(urls)
    assert counts[links.WORKING] == 2 and counts[links.BROKEN] == 2 and counts["reindexed"] == 2

    quality = helpers.call_action("pida_quality_show", id=good["id"])
    assert quality["opens"] is True
    by_name = {d["name"]: d for d in quality["distributions"]}
    assert by_name["login.csv"]["links"][0]["mislabelled"] is True  # an HTML page declared as CSV
    assert by_name["ok.csv"]["links"][0]["mislabelled"] is False
    assert {i["id"]: i["points"] for i in quality["indicators"]}["access_url_status"] == 50

    quality = helpers.call_action("pida_quality_show", id=dead["id"])
    assert quality["opens"] is False
    assert {i["id"]: i["points"] for i in quality["indicators"]}["access_url_status"] == 0
    assert {u["problem"] for d in quality["distributions"] for u in d["links"]} == {"http_404", "http_500"}
    # the index learned it: the coverage reads "does not open, since..."
    values = _coverage_values(dead["id"])
    assert values["opens"] is False and values["broken_since"]
    assert values["links"] == {"working": 0, "checked": 2, "total": 2}
    assert _coverage_values(good["id"])["opens"] is True
    assert model.Session.query(LinkCheck).filter(LinkCheck.url == checker.base + "/busy.csv").count() == 0
    assert private["private"] is True

    # the coverage counts only data that opens: the contracts cell is published, but its data does not open
    [co] = helpers.call_action("pida_coverage_show", country="CO")["countries"]
    assert co["cells"]["contracts-register"]["status"] == "not_opening"
    assert co["cells"]["contracts-register"]["broken_since"] == values["broken_since"]
    assert co["cells"]["lobbying-register"]["status"] == "published"
    assert co["totals"]["not_opening"] == 1 and co["share_up_to_date"] == round(1 / 30, 4)
    assert co["share_links_working"] == 0.5 and co["links_checked"] == 4 and co["share_machine_readable"] == 1.0
    scores = [helpers.call_action("pida_quality_show", id=i)["score"] for i in (good["id"], dead["id"])]
    assert co["quality"]["score"] == round(sum(scores) / 2, 1) and co["quality"]["datasets"] == 2


@pytest.mark.usefixtures("clean_index")
def test_the_coverage_page_and_csv_say_when_data_does_not_open(checker, full_dataset, app):
    _dataset(full_dataset, checker.base, "/gone.csv", pida_priority=["contracts-register"])
    links.run(links.public_urls())

    page = app.get("/es/pida/coverage?country=CO").body
    assert "Publicado, pero los datos no abren" in page
    assert "de los enlaces comprobados abren" in page and "Calidad de los metadatos" in page
    csv_text = app.get("/pida/coverage.csv?country=CO&lang=es").body
    assert "Publicado, pero los datos no abren" in csv_text


@pytest.mark.usefixtures("clean_index")
def test_failing_links_back_off_working_ones_wait_and_retry_after_is_respected(checker, full_dataset):
    _dataset(full_dataset, checker.base, "/ok.csv", "/gone.csv", "/busy.csv")
    now = datetime.datetime.utcnow()
    links.run(links.public_urls())
    rows = {r.url.rsplit("/", 1)[1]: r for r in model.Session.query(LinkCheck)}
    assert rows["ok.csv"].next_check - now > datetime.timedelta(days=6)
    assert rows["ok.csv"].last_success and rows["ok.csv"].first_failure is None
    first = rows["gone.csv"].next_check - now
    assert datetime.timedelta(hours=5) < first < datetime.timedelta(hours=7)
    first_failure = rows["gone.csv"].first_failure
    # asked to wait an hour: nothing is concluded about the link, it is asked again in an hour
    assert rows["busy.csv"].state == links.PENDING
    assert datetime.timedelta(minutes=59) < rows["busy.csv"].next_check - now < datetime.timedelta(minutes=61)

    links.run([checker.base + "/gone.csv"])
    row = model.Session.query(LinkCheck).filter(LinkCheck.url == checker.base + "/gone.csv").one()
    assert row.failures == 2 and row.first_failure == first_failure
    assert row.next_check - datetime.datetime.utcnow() > first + datetime.timedelta(hours=5)  # backed off
    assert links.due() == []


@pytest.mark.ckan_config("ckanext.pida.links.check_on_update", "true")
@pytest.mark.usefixtures("clean_index", "clean_queues")
def test_a_new_or_updated_public_dataset_queues_a_check_of_its_links(checker, full_dataset):
    pkg = _dataset(full_dataset, checker.base, "/ok.csv")
    queued = [j for j in jobs.get_queue().jobs if j.func_name.endswith("check_dataset_job")]
    assert [j.args for j in queued] == [[pkg["id"]]]

    result = links.check_dataset_job(pkg["id"])  # what `ckan jobs worker` runs
    assert result[links.WORKING] == 1
    assert helpers.call_action("pida_quality_show", id=pkg["id"])["opens"] is True
    # nothing due: a second job checks nothing
    assert links.check_dataset_job(pkg["id"]) == {}

    helpers.call_action("package_patch", id=pkg["id"], private=True)
    assert len([j for j in jobs.get_queue().jobs if j.func_name.endswith("check_dataset_job")]) == 1


@pytest.mark.usefixtures("clean_index")
def test_the_dataset_page_says_in_words_how_good_it_is_and_why_its_data_does_not_open(checker, full_dataset, app):
    pkg = _dataset(full_dataset, checker.base, "/gone.csv", "/login.csv")
    links.run(links.public_urls())

    page = app.get("/es/dataset/" + pkg["name"]).body
    quality = helpers.call_action("pida_quality_show", id=pkg["id"])
    assert "Calidad de los metadatos" in page
    assert "{} de 405 puntos".format(quality["score"]) in page
    assert "el servidor responde con el error 404" in page
    assert "declarado como CSV, pero el archivo es una página HTML" in page
    assert "Los datos abren." in page  # one of its two files opens


@pytest.mark.usefixtures("clean_index")
def test_the_dataset_dcat_carries_the_score_and_the_link_checks_as_dqv(checker, full_dataset, app):
    import rdflib
    pkg = _dataset(full_dataset, checker.base, "/gone.csv")
    links.run(links.public_urls())

    g = rdflib.Graph().parse(data=app.get("/dataset/{}.ttl".format(pkg["name"])).body, format="turtle")
    pv, dqv = rdflib.Namespace("https://piveau.eu/ns/voc#"), rdflib.Namespace("http://www.w3.org/ns/dqv#")

    def values(metric):
        return [m for n in g.subjects(dqv.isMeasurementOf, pv[metric]) for m in g.objects(n, dqv.value)]
    assert [v.toPython() for v in values("score")] == [helpers.call_action("pida_quality_show", id=pkg["id"])["score"]]
    assert [v.toPython() for v in values("accessUrlStatusCode")] == [404]
    assert [v.toPython() for v in values("keywordAvailability")] == [True]
    assert [v.toPython() for v in values("formatAvailability")] == [True]


@pytest.mark.usefixtures("clean_index")
def test_the_check_links_command_checks_new_and_due_links_and_says_what_it_found(checker, full_dataset):
    from click.testing import CliRunner
    from ckanext.pida.cli import pida as pida_cli
    _dataset(full_dataset, checker.base, "/ok.csv", "/gone.csv")
    _dataset(full_dataset, checker.base, "/busy.csv", name="borrador-privado", private=True)
    cli = CliRunner()

    first = cli.invoke(pida_cli, ["check-links", "--workers", "2"])
    assert first.exit_code == 0, first.output
    assert "2 links in public datasets (2 new), 2 to check now." in first.output
    assert "working: 1, broken: 1" in first.output and "2 changed state, 1 datasets reindexed" in first.output
    assert not [r for r in checker.requests if r[1] == "/busy.csv"]  # a private dataset's link is never asked

    again = cli.invoke(pida_cli, ["check-links"])
    assert "0 to check now" in again.output  # nothing due yet
    forced = cli.invoke(pida_cli, ["check-links", "--all", "--limit", "1"])
    assert "1 to check now" in forced.output and "0 changed state" in forced.output
