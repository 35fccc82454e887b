"""Scaling out the CKAN way (issue #11): fetch consumers share a job's objects through ckanext-harvest's Redis
queue. Two consumers, running at once on a real catalogue served on 127.0.0.1, import every dataset once: no
object taken twice, no dataset created twice, none lost; two sources harvested at the same time both finish. The
hub's consumer (``ckan pida fetch-consumer``: a batch at a time, one commit an object besides the dataset's) and
ckanext-harvest's own (``ckan harvester fetch-consumer``) leave the same objects behind, and can share a job."""
from __future__ import annotations

import json
import threading

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import helpers
from ckanext.harvest import queue

from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.pida.hub.harvesters import consumer, runner
from ckanext.pida.hub.model import HarvestRecord
from tests.test_harvest import harvested_from, hub, make_source, portal  # noqa: F401 (fixtures)

PLUGINS = "pida pida_hub pida_datajson scheming_datasets dcat harvest"
pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS), pytest.mark.usefixtures("hub")]


def _datajson_source(hub, portal, path, filename, country):
    portal.serve_file(path, "real/" + filename, content_type="application/json")
    source = make_source(hub, portal.base + path, country)
    return helpers.call_action("harvest_source_patch", id=source["id"], source_type="pida_datajson")


HUB = consumer.fetch_callback  # ckan pida fetch-consumer, one message at a time
HUB_BATCH = consumer.fetch_batch  # ckan pida fetch-consumer, as many messages as are waiting, up to BATCH
BATCH = 3
STOCK = queue.fetch_callback  # ckan harvester fetch-consumer


def _consume(flask_app, taken: list, ready: threading.Barrier, callback):
    """One fetch consumer, as its command runs it, in a thread with its own session."""
    with flask_app.test_request_context():
        fetch = queue.get_fetch_consumer()
        ready.wait()
        try:
            while True:
                items = runner.waiting(fetch, BATCH if callback is HUB_BATCH else 1)
                if not items:
                    return
                taken.extend(json.loads(body)["harvest_object_id"] for _method, body in items)
                if callback is HUB_BATCH:
                    callback(fetch, items)
                else:
                    callback(fetch, items[0][0], None, items[0][1])
        finally:
            model.Session.remove()


def _run_consumers(app, callbacks=(HUB, HUB)) -> list[list]:
    n = len(callbacks)
    taken = [[] for _ in range(n)]
    ready = threading.Barrier(n)
    threads = [threading.Thread(target=_consume, args=(app.flask_app, taken[i], ready, callbacks[i]))
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return taken


def _finish(source_id):
    tk.get_action("harvest_jobs_run")({"user": "", "ignore_auth": True}, {"source_id": source_id})
    model.Session.remove()


@pytest.mark.parametrize("callbacks", [(HUB, HUB), (HUB_BATCH, HUB_BATCH), (HUB_BATCH, STOCK)],
                         ids=["hub+hub", "batches+batches", "batches+stock"])
def test_two_fetch_consumers_share_a_job_with_no_duplicate_and_no_lost_dataset(hub, portal, app, callbacks):
    source = _datajson_source(hub, portal, "/data.json", "ar_datos_jus_gob_ar.json", "AR")
    job = runner.request_job(source["id"])
    runner.drain_gather()

    first, second = _run_consumers(app, callbacks)
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


def _objects(job_id) -> list:
    model.Session.remove()
    return model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job_id).all()


@pytest.mark.parametrize("callback", [HUB, HUB_BATCH, STOCK], ids=["hub", "batches", "stock"])
def test_each_consumer_leaves_what_ckanext_harvest_reports_read(hub, portal, app, callback):
    """Added, updated and deleted objects: state, report status, current flag, package and times, as ckanext-harvest's
    job report and source page read them, whichever consumer imported them."""
    path = "/data.json"
    portal.serve_file(path, "real/ar_pydatajson_several_datasets.json", content_type="application/json")
    source = _datajson_source(hub, portal, path, "ar_pydatajson_several_datasets.json", "AR")
    catalog = json.load(open("tests/data/real/ar_pydatajson_several_datasets.json", encoding="utf-8"))

    def run():
        job = runner.request_job(source["id"])
        runner.drain_gather()
        _run_consumers(app, (callback,))
        _finish(source["id"])
        return job

    job = run()
    first = _objects(job["id"])
    assert [o.report_status for o in first] == ["added"] * len(catalog["dataset"])
    assert all(o.state == "COMPLETE" and o.current and o.package_id and o.import_finished for o in first)
    assert all(o.retry_times == 1 for o in first)

    catalog["dataset"][0]["title"] += " (revisado)"
    del catalog["dataset"][1]
    portal.routes[path] = (200, "application/json", json.dumps(catalog).encode("utf-8"))
    job = run()
    second = {o.report_status: o for o in _objects(job["id"])}
    assert sorted(second) == ["deleted", "updated"]
    updated, deleted = second["updated"], second["deleted"]
    assert updated.current and updated.state == "COMPLETE" and updated.retry_times == 1
    assert not deleted.current and deleted.state == "COMPLETE"
    earlier = next(o for o in first if o.package_id == updated.package_id)
    assert not model.Session.get(HarvestObject, earlier.id).current  # the older object was retired
    stats = helpers.call_action("harvest_job_show", id=job["id"])["stats"]
    assert (stats["added"], stats["updated"], stats["deleted"], stats["errored"]) == (0, 1, 1, 0)
    report = helpers.call_action("harvest_job_report", id=job["id"])
    assert report["gather_errors"] == [] and report["object_errors"] == {}


def test_a_failed_import_in_a_batch_fails_alone(hub, portal, app):
    """In a batch, an object the import cannot read and one whose dataset does not validate are set to error with
    their reason; every other object of the batch, before and after them, is imported and committed."""
    source = _datajson_source(hub, portal, "/data.json", "ar_datos_jus_gob_ar.json", "AR")
    job = runner.request_job(source["id"])
    runner.drain_gather()
    fetch = queue.get_fetch_consumer()
    count = len(_objects(job["id"]))
    items = runner.waiting(fetch, count)  # (method, body), in the queue's order
    unreadable, invalid = (json.loads(body)["harvest_object_id"] for _method, body in items[1:3])
    model.Session.get(HarvestObject, unreadable).content = "{not json"
    content = json.loads(model.Session.get(HarvestObject, invalid).content)
    content["dataset"]["resources"] = "no es una lista"
    model.Session.get(HarvestObject, invalid).content = json.dumps(content)
    model.Session.commit()

    consumer.fetch_batch(fetch, items)

    after = {o.id: o for o in _objects(job["id"])}
    assert {o.state for i, o in after.items() if i not in (unreadable, invalid)} == {"COMPLETE"}
    assert (after[unreadable].state, after[invalid].state) == ("ERROR", "ERROR")
    errors = helpers.call_action("harvest_job_report", id=job["id"])["object_errors"]
    assert set(errors) == {unreadable, invalid}
    assert "could not be read back" in errors[unreadable]["errors"][0]["message"]
    # A list that is not one breaks the save itself: said without internals (the traceback is in the hub's log).
    assert "error at the hub itself" in errors[invalid]["errors"][0]["message"]
    assert "Traceback" not in errors[invalid]["errors"][0]["message"]
    assert len(harvested_from(source["id"])) == count - 2
    assert fetch.basic_get(None)[2] is None


def test_an_unforeseen_error_in_a_batch_fails_its_object_alone(hub, portal, app, monkeypatch):
    """An exception import_stage does not foresee (here, reading one object's record) sets that object to error and
    the batch goes on: it does not reach the consumer's loop (which it would end), and every other object is
    imported."""
    from ckanext.pida.hub.harvesters import pipeline
    source = _datajson_source(hub, portal, "/data.json", "ar_pydatajson_several_datasets.json", "AR")
    job = runner.request_job(source["id"])
    runner.drain_gather()
    fetch = queue.get_fetch_consumer()
    items = runner.waiting(fetch, len(_objects(job["id"])))
    broken = json.loads(items[0][1])["harvest_object_id"]
    broken_guid = model.Session.get(HarvestObject, broken).guid
    record = pipeline.Lookups.record

    def failing(self, source_id, guid):
        if guid == broken_guid:
            raise RuntimeError("the database went away")
        return record(self, source_id, guid)
    monkeypatch.setattr(pipeline.Lookups, "record", failing)

    consumer.fetch_batch(fetch, items)

    states = {o.id: o.state for o in _objects(job["id"])}
    assert states.pop(broken) == "ERROR" and set(states.values()) == {"COMPLETE"}
    assert len(harvested_from(source["id"])) == len(items) - 1


def test_lookups_read_a_record_again_once_the_batch_wrote_it(hub, portal, app):
    """Two objects of one dataset in a batch: the second finds the record the first one's import wrote (not the
    absence read before), so it updates that dataset instead of creating another."""
    from ckanext.pida.hub.harvesters.pipeline import Lookups
    source = _datajson_source(hub, portal, "/data.json", "ar_pydatajson_several_datasets.json", "AR")
    job = runner.request_job(source["id"])
    runner.drain_gather()
    obj = _objects(job["id"])[0]
    lookups = Lookups([obj, obj])
    harvester = consumer._pipeline_for("pida_datajson")

    assert lookups.record(source["id"], obj.guid) is None  # a new dataset
    assert harvester.import_stage(obj, lookups)
    again = lookups.record(source["id"], obj.guid)
    assert again is not None and again.package_id == obj.package_id


def test_the_hub_consumer_gives_up_an_object_after_five_attempts_as_ckanext_harvest_does(hub, portal, app):
    """An object whose import killed its process four times (each attempt is committed before the import) is set
    to error at the fifth, not imported again."""
    source = _datajson_source(hub, portal, "/data.json", "ar_pydatajson_several_datasets.json", "AR")
    job = runner.request_job(source["id"])
    runner.drain_gather()
    model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job["id"]).update({"retry_times": 4})
    model.Session.commit()

    _run_consumers(app, (HUB,))

    objects = _objects(job["id"])
    assert objects and all((o.state, o.report_status, o.package_id) == ("ERROR", "errored", None) for o in objects)
    assert not harvested_from(source["id"])


def test_the_hub_consumer_imports_nothing_of_a_job_aborted_meanwhile(hub, portal, app):
    """Objects still queued when their job is aborted (``ckan harvester job-abort`` marks it Finished) are set to
    error, as ckanext-harvest's callback sets them, and no dataset is created."""
    source = _datajson_source(hub, portal, "/data.json", "ar_pydatajson_several_datasets.json", "AR")
    job = runner.request_job(source["id"])
    runner.drain_gather()
    model.Session.query(HarvestJob).filter(HarvestJob.id == job["id"]).update({"status": "Finished"})
    model.Session.commit()

    _run_consumers(app, (HUB,))

    objects = _objects(job["id"])
    assert objects and all((o.state, o.report_status, o.package_id) == ("ERROR", "errored", None) for o in objects)
    assert not harvested_from(source["id"])


def test_ckan_pida_consumers_run_a_job_as_processes_of_their_own_after_idling(hub, portal, app, tmp_path):
    """The commands a hub runs (a gather consumer, and a fetch consumer per core), started as processes on this test
    site's ini: they outlive an empty queue (redis-py 8 gives Redis connections a 5-second socket timeout, which
    killed ckanext-harvest's own consumers, ckan/ckanext-harvest#581), then gather and import every object of a
    job (this process consumes nothing), and keep waiting for more."""
    import os
    import subprocess
    import sys
    import time
    source = _datajson_source(hub, portal, "/data.json", "ar_datos_jus_gob_ar.json", "AR")
    ini = tmp_path / "consumer.ini"
    base = open("test.ini", encoding="utf-8").read()
    # The queues through ckan.redis.url (as test.ini and many sites configure them: no ckan.harvest.mq.hostname),
    # the test's own: there redis-py 8 gives up on a blocked read after 5 seconds (after about a minute otherwise).
    # CKAN 2.11 reads the logging sections of the very file it is given.
    ini.write_text("[app:main]\nuse = config:{}\nckan.plugins = {}\nckan.harvest.mq.hostname =\n\n{}".format(
        os.path.abspath("test.ini"), PLUGINS, base[base.index("[loggers]"):]))
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    queues = tk.config.get("ckan.redis.url")
    processes = [subprocess.Popen([ckan, "-c", str(ini), "pida", stage], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, env=dict(os.environ, CKAN_REDIS_URL=queues))
                 for stage in ("gather-consumer", "fetch-consumer")]
    try:
        time.sleep(20)  # CKAN's start-up, then more than 5 seconds of an empty queue
        for process in processes:
            assert process.poll() is None, process.communicate()[0][-3000:]  # it has not died
        job = runner.request_job(source["id"])
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and (len(_objects(job["id"])) < 16 or
                                               [o for o in _objects(job["id"]) if o.state != "COMPLETE"]):
            for process in processes:
                assert process.poll() is None, process.communicate()[0][-3000:]
            time.sleep(0.5)
        time.sleep(6)
        for process in processes:
            assert process.poll() is None  # still waiting for work, past another idle 5 seconds
    finally:
        for process in processes:
            process.terminate()
        output = "".join(process.communicate(timeout=30)[0] for process in processes)
    objects = _objects(job["id"])
    assert len(objects) == 16 and {o.report_status for o in objects} == {"added"}, output[-3000:]
    _finish(source["id"])
    assert len(harvested_from(source["id"])) == 16
    assert helpers.call_action("harvest_job_show", id=job["id"])["status"] == "Finished"
