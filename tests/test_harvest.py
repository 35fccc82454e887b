"""The hub's harvester against live catalogues on 127.0.0.1, through ckanext-harvest's real Redis queues, with
PostgreSQL and Solr. The national portals are real HTTP servers serving the catalogue files in tests/data/."""
from __future__ import annotations

import datetime
import http.server
import json
import os
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers
from ckanext.harvest.model import HarvestGatherError, HarvestObject

from ckanext.pida.hub.harvesters import runner
from ckanext.pida.hub.model import HarvestRun

HUB_PLUGINS = "pida pida_hub scheming_datasets dcat harvest"
DATA = os.path.join(os.path.dirname(__file__), "data")


# --- a national portal on 127.0.0.1 ---------------------------------------------------------------------------

class Portal:
    """A real HTTP server. ``routes`` maps a path (plus ``?page=N``) to a response: ``(status, type, body)``, or
    one of the special answers "slow" (never answers in time), "trickle" (a byte now and then, never silent long
    enough for a read timeout) and "endless" (a body with no end)."""

    def __init__(self):
        self.routes: dict = {}
        self.requests: list[str] = []
        portal = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                portal.requests.append(self.path)
                parts = urlsplit(self.path)
                page = parse_qs(parts.query).get("page")
                answer = portal.routes.get(parts.path + ("?page=" + page[0] if page else ""))
                try:
                    if answer is None:
                        self._send(404, "text/plain", b"not found")
                    elif answer == "slow":
                        time.sleep(4)
                        self._send(200, "text/turtle", b"")
                    elif answer == "trickle":  # a byte every half second, for a minute
                        self.send_response(200)
                        self.send_header("Content-Type", "text/turtle")
                        self.end_headers()
                        for _ in range(120):
                            self.wfile.write(b"#")
                            self.wfile.flush()
                            time.sleep(0.5)
                    elif answer == "endless":
                        self.send_response(200)
                        self.send_header("Content-Type", "text/turtle")
                        self.end_headers()
                        chunk = b"# padding " * 10000
                        for _ in range(2000):  # up to 200 MB unless the client hangs up first
                            self.wfile.write(chunk)
                    else:
                        self._send(*answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _send(self, status, content_type, body):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def serve_file(self, path, filename, content_type="text/turtle", edit=None):
        with open(os.path.join(DATA, filename), encoding="utf-8") as f:
            text = f.read().replace("{base}", self.base).replace("{today}", datetime.date.today().isoformat())
        if edit:
            text = edit(text)
        self.routes[path] = (200, content_type, text.encode("utf-8"))

    def serve_colombia(self, edit_page1=None, edit_page2=None):
        self.serve_file("/co/catalog.ttl", "harvest_co_page1.ttl", edit=edit_page1)
        self.serve_file("/co/catalog.ttl?page=2", "harvest_co_page2.ttl", edit=edit_page2)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def portal():
    p = Portal()
    yield p
    p.stop()


@pytest.fixture
def hub(clean_db, clean_index, migrate_db_for, with_plugins):
    migrate_db_for("harvest")
    migrate_db_for("pida")
    from ckanext.harvest import queue
    queue.purge_queues()
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    helpers.call_action("pida_vocabulary_sync", {"user": site_user["name"]})
    return {"org": factories.Organization(name="hub-federation")}


def make_source(hub, url, country, **config):
    config = dict({"country": country, "full_run_days": 0, "timeout": 2, "total_timeout": 10}, **config)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return helpers.call_action("harvest_source_create", {"user": site_user["name"]},
                               name="catalogue-" + country.lower() + "-" + str(abs(hash(url)))[:6], title=country,
                               url=url, source_type="pida", owner_org=hub["org"]["id"], config=json.dumps(config))


def datasets_of(country: str) -> dict:
    q = model.Session.query(model.Package).filter(model.Package.type == "dataset",
                                                  model.Package.name.like(country.lower() + "-%"))
    return {p.name: (p.state, p.metadata_modified, p.title) for p in q}


def health(source):
    return helpers.call_action("pida_harvest_health", id=source["id"])[0]


def counts(source_id) -> dict:
    return helpers.call_action("pida_harvest_health", id=source_id)[0]["counts"]


def harvested_from(source_id, key="title") -> dict:
    """The hub's active datasets that came from a source, by their title (or their ``original_uri``)."""
    out = {}
    for (pkg_id,) in model.Session.query(model.Package.id).filter(model.Package.type == "dataset",
                                                                  model.Package.state == "active"):
        pkg = helpers.call_action("package_show", id=pkg_id)
        origin = pkg.get("pida_harvest") or {}
        if origin.get("source") == source_id:
            out[origin["original_uri"] if key == "original_uri" else pkg[key]] = pkg
    return out


pytestmark = [pytest.mark.ckan_config("ckan.plugins", HUB_PLUGINS), pytest.mark.usefixtures("hub")]


# --- the runs ---------------------------------------------------------------------------------------------------

def test_first_harvest_creates_everything(hub, portal):
    portal.serve_colombia()
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")

    job = runner.run_now(source["id"])

    assert job["status"] == "Finished"
    assert set(datasets_of("co")) == {"co-registro-de-cabilderos", "co-contratos-del-estado",
                                      "co-presupuesto-general-de-la-nacion"}
    pkg = helpers.call_action("package_show", id="co-registro-de-cabilderos")
    assert pkg["pida_priority"] == ["lobbying-register"]
    assert pkg["pida_country"] == "CO"
    assert pkg["frequency"] == "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    assert pkg["owner_org"] == hub["org"]["id"]
    provenance = pkg["pida_harvest"]
    assert provenance["country"] == "CO"
    assert provenance["source"] == source["id"]
    assert provenance["source_url"] == portal.base + "/co/catalog.ttl"
    assert provenance["original_uri"] == portal.base + "/co/dataset/lobbying"
    assert provenance["harvested_at"] and len(provenance["hash"]) == 64
    assert pkg["resources"][0]["url"] == "https://transparencia.example.gov/cabilderos.csv"
    # Both pages were read (Hydra paging), and Solr has the datasets.
    assert portal.requests == ["/co/catalog.ttl", "/co/catalog.ttl?page=2"]
    found = helpers.call_action("package_search", fq='vocab_pida_priority:"budgets"')
    assert [r["name"] for r in found["results"]] == ["co-presupuesto-general-de-la-nacion"]
    h = health(source)
    assert h["counts"] == {"added": 3, "updated": 0, "unchanged": 0, "deleted": 0, "errored": 0}
    assert h["health"] == "ok" and h["last_run"]["mode"] == "full" and h["last_run"]["complete"]


def test_second_run_without_change_reimports_nothing(hub, portal):
    portal.serve_colombia()
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    runner.run_now(source["id"])
    before = datasets_of("co")
    objects_before = model.Session.query(HarvestObject).count()

    job = runner.run_now(source["id"])

    assert job["status"] == "Finished"
    assert datasets_of("co") == before  # not one dataset touched
    assert model.Session.query(HarvestObject).count() == objects_before  # nothing even queued
    assert health(source)["counts"] == {"added": 0, "updated": 0, "unchanged": 3, "deleted": 0, "errored": 0}


def test_an_edit_at_the_source_updates_exactly_that_dataset(hub, portal):
    portal.serve_colombia()
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    runner.run_now(source["id"])
    before = datasets_of("co")

    portal.serve_colombia(edit_page2=lambda t: t.replace('"Presupuesto General de la Nación"',
                                                         '"Presupuesto General de la Nación 2026"'))
    runner.run_now(source["id"])

    after = datasets_of("co")
    assert set(after) == set(before)  # the name stays, though the title changed
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"co-presupuesto-general-de-la-nacion"}
    assert after["co-presupuesto-general-de-la-nacion"][2] == "Presupuesto General de la Nación 2026"
    assert health(source)["counts"] == {"added": 0, "updated": 1, "unchanged": 2, "deleted": 0, "errored": 0}


def test_a_deletion_at_the_source_is_propagated(hub, portal):
    portal.serve_colombia()
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    runner.run_now(source["id"])

    portal.serve_colombia(edit_page1=lambda t: t.replace(", <{}/co/dataset/contracts>".format(portal.base), "")
                          .split("<{}/co/dataset/contracts> a dcat:Dataset".format(portal.base))[0])
    runner.run_now(source["id"])

    states = {name: v[0] for name, v in datasets_of("co").items()}
    assert states == {"co-registro-de-cabilderos": "active", "co-contratos-del-estado": "deleted",
                      "co-presupuesto-general-de-la-nacion": "active"}
    assert health(source)["counts"] == {"added": 0, "updated": 0, "unchanged": 2, "deleted": 1, "errored": 0}


def test_incremental_run_asks_for_changes_and_reads_the_withdrawals_feed(hub, portal):
    portal.serve_colombia()
    feed = {"success": True, "result": {"since": "x", "results": [
        {"id": "1", "uri": portal.base + "/co/dataset/contracts", "status": "deleted", "modified": "x"}]}}
    portal.routes["/co/withdrawn"] = (200, "application/json", json.dumps(feed).encode())
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO", full_run_days=7,
                         deletions_url=portal.base + "/co/withdrawn")
    runner.run_now(source["id"])  # first run: full
    portal.requests.clear()

    runner.run_now(source["id"])  # then changes only

    assert portal.requests[0].startswith("/co/catalog.ttl?modified_since=")
    assert any(r.startswith("/co/withdrawn?since=") for r in portal.requests)
    assert datasets_of("co")["co-contratos-del-estado"][0] == "deleted"
    assert health(source)["last_run"]["mode"] == "incremental"
    # A full run can still be asked for.
    job = runner.run_now(source["id"], full=True)
    assert HarvestRun.get(job["id"]).mode == "full"


def test_plain_dcat_catalogue_is_harvested_and_names_never_collide(hub, portal):
    portal.serve_colombia()
    portal.serve_file("/mx/catalog.rdf", "harvest_mx_plain.rdf", content_type="application/rdf+xml")
    co = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    mx = make_source(hub, portal.base + "/mx/catalog.rdf", "MX")

    runner.run_now(co["id"])
    runner.run_now(mx["id"])

    assert set(datasets_of("mx")) == {"mx-presupuesto-de-egresos-de-la-federacion", "mx-registro-de-cabilderos"}
    pkg = helpers.call_action("package_show", id="mx-registro-de-cabilderos")
    assert pkg["pida_country"] == "MX" and not pkg.get("pida_priority")
    assert helpers.call_action("package_show", id="co-registro-de-cabilderos")["pida_country"] == "CO"
    assert health(mx)["counts"]["added"] == 2


# --- bad sources --------------------------------------------------------------------------------------------------

BAD_ANSWERS = {
    "http_status": (500, "text/plain", b"Internal Server Error"),
    "timeout": "slow",
    "total_timeout": "trickle",
    "malformed_at": ("file", "harvest_malformed.ttl", "text/turtle"),  # with the line of the first error
    "too_big": "endless",
    "dtd": ("file", "harvest_entity_bomb.rdf", "application/rdf+xml"),
}


@pytest.mark.parametrize("code", sorted(BAD_ANSWERS))
def test_a_bad_source_records_errors_and_changes_nothing(hub, portal, code):
    portal.serve_colombia()
    portal.serve_file("/mx/catalog.rdf", "harvest_mx_plain.rdf", content_type="application/rdf+xml")
    co = make_source(hub, portal.base + "/co/catalog.ttl", "CO", max_size_mb=1)
    mx = make_source(hub, portal.base + "/mx/catalog.rdf", "MX")
    runner.run_now(co["id"])
    before = datasets_of("co")

    answer = BAD_ANSWERS[code]
    if isinstance(answer, tuple) and answer[0] == "file":
        portal.serve_file("/co/catalog.ttl", answer[1], content_type=answer[2])
    else:
        portal.routes["/co/catalog.ttl"] = answer
    started = time.monotonic()
    job = runner.run_now(co["id"])
    elapsed = time.monotonic() - started

    assert job["status"] == "Finished"
    assert elapsed < 15  # the timeout, the size limit and the DTD refusal all cut the request short
    assert datasets_of("co") == before  # nothing deleted, nothing rewritten
    h = health(co)
    assert [p["code"] for p in h["problems"]] == [code, "no_deletions_partial"]
    assert h["health"] == "failing" and not h["last_run"]["complete"]
    assert "/co/catalog.ttl" in h["problems"][0]["message"]
    gather_errors = model.Session.query(HarvestGatherError).filter_by(harvest_job_id=job["id"]).count()
    assert gather_errors == 2  # also in ckanext-harvest's own job report
    # The other source is unaffected.
    runner.run_now(mx["id"])
    assert health(mx)["health"] == "ok" and len(datasets_of("mx")) == 2


def test_a_partial_run_never_deletes(hub, portal):
    portal.serve_colombia()
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    runner.run_now(source["id"])
    portal.routes["/co/catalog.ttl?page=2"] = (503, "text/plain", b"busy")

    runner.run_now(source["id"])

    assert {v[0] for v in datasets_of("co").values()} == {"active"}
    assert [p["code"] for p in health(source)["problems"]] == ["http_status", "no_deletions_partial"]


def test_an_empty_catalogue_does_not_wipe_the_country(hub, portal):
    portal.serve_colombia()
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    runner.run_now(source["id"])
    portal.routes["/co/catalog.ttl"] = (200, "text/turtle", b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n")

    runner.run_now(source["id"])

    assert {v[0] for v in datasets_of("co").values()} == {"active"}
    assert [p["code"] for p in health(source)["problems"]] == ["empty_catalogue", "no_deletions_partial"]


@pytest.mark.parametrize("path, body, content_type, code, words", [
    # Argentina's data.json (regional profile), served as JSON: JSON-LD would parse it into no dataset at all.
    ("/ar/data.json", "real/ar_pydatajson_several_datasets.json", "application/json", "looks_like_data_json",
     "data.json"),
    # An HTML error page served as Turtle.
    ("/co/catalog.ttl", b"<!DOCTYPE html><html><head><title>Mantenimiento</title></head><body>Volvemos pronto"
                        b"</body></html>", "text/turtle", "looks_like_html", "web page"),
])
def test_a_page_that_is_not_a_dcat_catalogue_is_named_for_what_it_is(hub, portal, path, body, content_type, code,
                                                                      words):
    if isinstance(body, str):
        portal.serve_file(path, body, content_type=content_type)
    else:
        portal.routes[path] = (200, content_type, body)
    source = make_source(hub, portal.base + path, "AR")

    runner.run_now(source["id"])

    h = health(source)
    assert [p["code"] for p in h["problems"]] == [code]
    assert words in h["problems"][0]["message"] and h["health"] != "ok"


# --- configuration, permissions, pages ---------------------------------------------------------------------------

def test_source_configuration_is_validated(hub):
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    with pytest.raises(tk.ValidationError, match="country"):
        helpers.call_action("harvest_source_create", {"user": site_user["name"]}, name="bad", title="Bad",
                            url="http://127.0.0.1:9/catalog.ttl", source_type="pida", owner_org=hub["org"]["id"],
                            config=json.dumps({"country": "XX"}))
    with pytest.raises(tk.ValidationError, match="timeout"):
        helpers.call_action("harvest_source_create", {"user": site_user["name"]}, name="bad2", title="Bad",
                            url="http://127.0.0.1:9/catalog.ttl", source_type="pida", owner_org=hub["org"]["id"],
                            config=json.dumps({"country": "CO", "timeout": "soon"}))


def test_only_sysadmins_change_sources_and_run_them(hub, portal):
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    user = factories.User()
    context = {"user": user["name"], "ignore_auth": False}
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("harvest_source_create", context, name="mine", title="Mine", url=portal.base + "/x",
                            source_type="pida", config=json.dumps({"country": "CO"}))
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("pida_harvest_source_run", context, id=source["id"], full=True)


def test_health_page_shows_problems_in_the_readers_language(hub, portal, app):
    portal.routes["/co/catalog.ttl"] = (500, "text/plain", b"boom")
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    runner.run_now(source["id"])

    body = app.get("/pida/hub/health").body
    assert "HTTP 500" in body and portal.base + "/co/catalog.ttl" in body
    assert helpers.call_action("pida_harvest_health")[0]["health"] == "failing"


def test_health_lists_failing_sources_first_with_since_when_and_filters(hub, portal, app):
    portal.serve_colombia()
    good = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    assert runner.run_now(good["id"])["status"] == "Finished"
    portal.routes["/mx/catalog.ttl"] = (500, "text/plain", b"boom")
    bad = make_source(hub, portal.base + "/mx/catalog.ttl", "MX")
    runner.run_now(bad["id"])
    runner.run_now(bad["id"])

    listed = helpers.call_action("pida_harvest_health")
    assert [s["id"] for s in listed] == [bad["id"], good["id"]]  # "CO" sorts first by title: failing comes first
    failing, healthy = listed
    first_failure = min(j["created"] for j in helpers.call_action("harvest_job_list", source_id=bad["id"]))
    assert failing["failing_since"].replace("T", " ") == first_failure.replace("T", " ")
    assert failing["last_success"] is None and failing["last_harvest"]
    assert healthy["failing_since"] is None and healthy["last_success"] == healthy["last_harvest"]

    body = app.get("/pida/hub/health").get_data(as_text=True)
    assert "Failing (1)" in body and "Healthy (1)" in body and "All (2)" in body
    assert "Failing since" in body and "no run has read it yet" in body
    assert body.index(portal.base + "/mx/catalog.ttl") < body.index(portal.base + "/co/catalog.ttl")
    failing_section = body[body.index(portal.base + "/mx/catalog.ttl"):body.index(portal.base + "/co/catalog.ttl")]
    assert "<table" not in failing_section  # a run that read nothing shows no "Errors 0"
    only = app.get("/pida/hub/health", query_string={"health": "failing"}).get_data(as_text=True)
    assert portal.base + "/mx/catalog.ttl" in only and portal.base + "/co/catalog.ttl" not in only
    # The source's datasets, on the hub's own search (not ckanext-harvest's job page).
    link = "/dataset/?harvest_source_id=" + good["id"]
    assert link in body and "/harvest/" + good["name"] + '"' not in body
    found = helpers.call_action("package_search", fq='harvest_source_id:"{}"'.format(good["id"]))["count"]
    assert found == healthy["datasets"] > 0


def test_dataset_errors_are_grouped_by_problem_whichever_dataset_they_name(app):
    """The errors are stored in English (ckanext-harvest's job pages read them); the health page groups them by
    problem, the same reason for different datasets in one group, and says each once in the reader's language."""
    from ckanext.pida.hub.harvesters.messages import problem, render
    from ckanext.pida.hub.logic import group_errors

    def stored(code, **params):
        return render(problem(code, **params), translate=False)
    errors = [(stored("no_title", guid=g), g) for g in "acde"]
    errors += [(stored("dataset_refused", title="Presupuesto " + g, guid=g, field="owner_org", reason="Missing value"),
                g) for g in "fg"]
    errors += [(stored("dataset_refused", title="Otro", guid="h", field="title", reason="Missing value"), "h"),
               ("Unreadable harvest object content", "i")]  # a message of an earlier version
    with app.flask_app.test_request_context("/es/pida/hub/health", environ_overrides={"CKAN_LANG": "es"}):
        groups = group_errors(errors)

    assert [(g["code"], g["count"]) for g in groups] == [
        ("no_title", 4), ("dataset_refused", 2), ("dataset_refused", 1), ("unknown", 1)]
    assert groups[0]["examples"] == [{"title": "", "guid": g} for g in "acd"]
    assert groups[1]["examples"] == [{"title": "Presupuesto f", "guid": "f"}, {"title": "Presupuesto g", "guid": "g"}]
    assert "organización" in groups[1]["message"] and "Falta el valor" in groups[1]["message"]
    assert groups[3]["detail"] == "Unreadable harvest object content"
    assert "Unreadable" not in groups[3]["message"]
    for group in groups:
        assert "{" not in group["message"] and "imported" not in group["message"]


def test_a_source_can_be_patched_and_shows_its_configuration(hub, portal):
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")

    patched = helpers.call_action("harvest_source_patch", id=source["id"], title="Colombia: datos abiertos")

    assert patched["title"] == "Colombia: datos abiertos"
    shown = helpers.call_action("harvest_source_show", id=source["id"])
    assert shown["source_type"] == "pida" and json.loads(shown["config"])["country"] == "CO"
    assert not [e for e in shown.get("extras", []) if e["key"] in ("config", "source_type", "frequency")]


def test_a_second_run_while_one_is_pending_says_so_in_a_sentence(hub, portal, cli):
    from ckanext.pida.hub import cli as hub_cli
    portal.serve_colombia()
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    runner.request_job(source["id"])  # on the gather queue, no consumer yet: the job is running

    with pytest.raises(runner.JobPending) as pending:
        runner.request_job(source["id"])
    assert "already running" in str(pending.value)
    result = cli.invoke(hub_cli.harvest, [source["name"]])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "already running" in result.output and "ckan harvester job-abort" in result.output


def test_a_cleared_source_is_harvested_again_in_full(hub, portal):
    portal.serve_colombia()
    source = make_source(hub, portal.base + "/co/catalog.ttl", "CO")
    runner.run_now(source["id"])
    assert len(datasets_of("co")) == 3

    helpers.call_action("harvest_source_clear", {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]},
                        id=source["id"])
    assert not [n for n, (state, _m, _t) in datasets_of("co").items() if state == "active"]

    runner.run_now(source["id"])

    assert {n for n, (state, _m, _t) in datasets_of("co").items() if state == "active"} == {
        "co-registro-de-cabilderos", "co-contratos-del-estado", "co-presupuesto-general-de-la-nacion"}


def test_a_source_nobody_answers_at_is_told_apart_from_a_slow_one(hub):
    import socket
    with socket.socket() as s:  # a free port, closed again: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    source = make_source(hub, "http://127.0.0.1:%d/catalog.ttl" % port, "CO")

    runner.run_now(source["id"])

    first = health(source)["problems"][0]
    assert first["code"] == "refused" and "refused the connection" in first["message"]



def test_a_citizens_request_at_the_hub_reaches_the_countrys_portal_team(hub, portal, app, smtp_server,
                                                                         no_rate_counts):
    """A request for Mexico sent at the hub reaches the hub's administrators and the ``requests_email`` of Mexico's
    harvest sources; Colombia's team hears nothing of it. A source cannot give a non-address."""
    admin = factories.Sysadmin(email="hub@oas.example.org")
    make_source(hub, portal.base + "/mx/catalog.ttl", "MX", requests_email=["datos@mx.example.gob"])
    make_source(hub, portal.base + "/co/catalog.ttl", "CO", requests_email=["datos@co.example.gov"])

    response = app.post("/es/pida/requests/new", data={
        "country": "MX", "concept": "budgets", "message": "Los presupuestos estatales de 2020 a 2025, en CSV."},
        follow_redirects=False)

    assert response.status_code == 302
    assert sorted(r for m in smtp_server.messages for r in m["to"]) == sorted([admin["email"], "datos@mx.example.gob"])
    with pytest.raises(tk.ValidationError):
        make_source(hub, portal.base + "/pe/catalog.ttl", "PE", requests_email=["no es un correo"])


@pytest.mark.parametrize("filename, fmt, cut, code", [
    ("ch_opendata_swiss_catalog.rdf", "xml", 4000, "malformed_at"),  # expat: "<unknown>:N:M: ..."
    ("es_datos_gob_es.ttl", "turtle", 3500, "malformed_at"),  # cut between lines: "at line N of <>: Bad syntax"
    ("es_datos_gob_es.ttl", "turtle", 3000, "malformed"),  # cut inside a literal: rdflib's IndexError, no line
    ("ar_datos_jus_gob_ar.json", "JSON", 2500, "malformed_at"),  # json: "... line N column M ..."
])
def test_a_real_catalogue_cut_short_is_named_by_the_line_of_its_first_error(filename, fmt, cut, code):
    """Real published catalogues cut short, as a portal that stops sending would leave them: the problem names
    the line of the first error when the parser gives one, and never the parser's own words."""
    import rdflib
    from ckanext.pida.hub.harvesters import fetch
    from ckanext.pida.hub.harvesters.messages import render
    with open("tests/data/real/" + filename, encoding="utf-8") as f:
        body = f.read()[:cut]
    if code == "malformed_at" and fmt == "turtle":
        body = body[:body.rfind("\n") + 1]
    with pytest.raises(Exception) as parsing:
        if fmt == "JSON":
            json.loads(body)
        else:
            rdflib.Graph().parse(data=body, format=fmt)

    item = fetch.malformed("https://datos.example.gob/catalog", fmt, parsing.value).item

    assert item["code"] == code, str(parsing.value)[:200]
    if code == "malformed_at":  # the parser's own count (rdflib's Turtle parser says 33 of this 30-line body)
        assert int(item["params"]["line"]) >= 1
    text = render(item, translate=False)
    assert str(parsing.value).strip().splitlines()[0][:20] not in text
