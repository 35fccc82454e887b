"""Scaling out the CKAN way (issue #11): ckanext-harvest's fetch consumers share a job's objects through the Redis
queue. Two consumers, running at once on a real catalogue served on 127.0.0.1, import every dataset once: no
object taken twice, no dataset created twice, none lost; and two sources harvested at the same time both finish."""
from __future__ import annotations

import json
import threading

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers
from ckanext.harvest import queue

from ckanext.pida.hub.harvesters import runner
from ckanext.pida.hub.model import HarvestRecord
from tests.test_harvest import harvested_from, hub, make_source, portal  # noqa: F401 (fixtures)

PLUGINS = "pida pida_hub pida_datajson scheming_datasets dcat harvest"
pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS), pytest.mark.usefixtures("hub")]


def _datajson_source(hub, portal, path, filename, country):
    portal.serve_file(path, "real/" + filename, content_type="application/json")
    source = make_source(hub, portal.base + path, country)
    return helpers.call_action("harvest_source_patch", id=source["id"], source_type="pida_datajson")


def _consume(flask_app, taken: list, ready: threading.Barrier):
    """One fetch consumer, as ``ckan harvester fetch-consumer`` runs it, in a thread with its own session."""
    with flask_app.test_request_context():
        consumer = queue.get_fetch_consumer()
        ready.wait()
        try:
            while True:
                method, channel, body = consumer.basic_get(None)
                if body is None:
                    return
                taken.append(json.loads(body)["harvest_object_id"])
                queue.fetch_callback(channel, method, None, body)
        finally:
            model.Session.remove()


def _run_consumers(app, n=2) -> list[list]:
    taken = [[] for _ in range(n)]
    ready = threading.Barrier(n)
    threads = [threading.Thread(target=_consume, args=(app.flask_app, taken[i], ready)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return taken


def _finish(source_id):
    tk.get_action("harvest_jobs_run")({"user": "", "ignore_auth": True}, {"source_id": source_id})
    model.Session.remove()


def test_two_fetch_consumers_share_a_job_with_no_duplicate_and_no_lost_dataset(hub, portal, app):
    source = _datajson_source(hub, portal, "/data.json", "ar_datos_jus_gob_ar.json", "AR")
    job = runner.request_job(source["id"])
    runner.drain_gather()

    first, second = _run_consumers(app)
    _finish(source["id"])

    assert first and second, (len(first), len(second))  # both consumers took part
    assert not set(first) & set(second) and len(first) + len(second) == 16  # every object once
    found = harvested_from(source["id"], "original_uri")
    assert len(found) == 16 and len({p["name"] for p in found.values()}) == 16
    assert model.Session.query(model.Package).filter(model.Package.name.like("ar-%")).count() == 16  # no extra
    assert HarvestRecord.active_query(source["id"]).count() == 16
    assert helpers.call_action("harvest_job_show", id=job["id"])["status"] == "Finished"
    # searchable as soon as the job is finished
    assert helpers.call_action("package_search", fq='vocab_pida_country:"AR"', rows=0)["count"] == 16


def test_two_sources_harvested_at_once_both_finish_whole(hub, portal, app):
    argentina = _datajson_source(hub, portal, "/ar/data.json", "ar_datos_jus_gob_ar.json", "AR")
    other = _datajson_source(hub, portal, "/uy/data.json", "ar_pydatajson_several_datasets.json", "UY")
    runner.request_job(argentina["id"])
    runner.request_job(other["id"])
    runner.drain_gather()

    _run_consumers(app)
    _finish(argentina["id"])
    _finish(other["id"])

    assert len(harvested_from(argentina["id"])) == 16
    assert len(harvested_from(other["id"])) == len(json.load(open(
        "tests/data/real/ar_pydatajson_several_datasets.json", encoding="utf-8"))["dataset"])
