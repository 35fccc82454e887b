"""Running a harvest job now, in this process, through the real Redis queues of ckanext-harvest.

Production runs ``ckan harvester gather-consumer`` and any number of ``ckan pida fetch-consumer`` processes; this
drains the same queues with the same callbacks, for the command line (``ckan pida harvest``), the demo, the
benchmark and the tests.
"""
from __future__ import annotations

import time

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.harvest import queue
from ckanext.harvest.logic import HarvestJobExists

from ckanext.pida.hub.harvesters import consumer
from ckanext.pida.hub.model import HarvestRun


class JobPending(Exception):
    """The source already has a job being harvested: a second one would read the same catalogue twice."""

    def __init__(self, job: dict):
        self.job = job
        super().__init__(tk._("A harvest of this source is already running (since {started}). Wait for it to "
                              "finish, or stop it with: ckan harvester job-abort {source}").format(
            started=job.get("gather_started") or job.get("created"), source=job["source_id"]))


def request_job(source_id: str, full: bool = False, run: bool = True) -> dict:
    """Creates a job for a source (a full run if asked) and puts it on the gather queue. A job that was asked for
    but never started (say, from the web page, with no consumer running) is reused; a running one raises
    JobPending."""
    context = {"user": _site_user(), "ignore_auth": True}
    try:
        job = tk.get_action("harvest_job_create")(context, {"source_id": source_id, "run": False})
    except HarvestJobExists:
        job = _pending_job(context, source_id)
    run_row = HarvestRun.get(job["id"])
    if run_row is None:
        model.Session.add(HarvestRun(job_id=job["id"], source_id=source_id, requested_full=full))
    elif full:
        run_row.requested_full = True
    model.Session.commit()
    if run:
        tk.get_action("harvest_send_job_to_gather_queue")(context, {"id": job["id"]})
    return job


def _pending_job(context: dict, source_id: str) -> dict:
    """The job that stands in the way of a new one: a running one raises JobPending, a new one is reused."""
    def jobs(status):
        return tk.get_action("harvest_job_list")(dict(context), {"source_id": source_id, "status": status})
    running = jobs("Running")
    if running:
        raise JobPending(running[0])
    waiting = jobs("New")
    if not waiting:
        raise JobPending({"source_id": source_id})
    return waiting[0]


def _drain(consumer, callback) -> None:
    while True:
        method, channel, body = consumer.basic_get(None)
        if body is None:
            return
        callback(channel, method, None, body)


def drain_gather() -> None:
    """Consumes the gather queue until it is empty: the jobs' objects are then on the fetch queue."""
    _drain(queue.get_gather_consumer(), queue.gather_callback)


def drain() -> None:
    """Consumes the gather queue, then the fetch queue (as many messages at a time as ``ckan pida fetch-consumer``
    takes), until both are empty."""
    drain_gather()
    fetch, most = queue.get_fetch_consumer(), consumer.batch_size()
    while True:
        items = waiting(fetch, most)
        if not items:
            return
        consumer.fetch_batch(fetch, items)


def waiting(fetch, most: int) -> list:
    """Up to ``most`` messages waiting on the fetch queue, as ``(method, body)`` pairs, without waiting for more."""
    items = []
    while len(items) < most:
        method, _channel, body = fetch.basic_get(None)
        if body is None:
            break
        items.append((method, body))
    return items


def wait_for_objects(job_id: str, timeout: float = 3600, stalled: float = 300) -> None:
    """Waits until no object of the job is in flight: fetch consumers in other processes may still be importing
    what this one did not take from the queue. Gives up when nothing moved for ``stalled`` seconds (objects whose
    messages another process took and never imported: another site reading this site's queues)."""
    from ckanext.harvest.model import HarvestObject
    deadline = time.monotonic() + timeout
    last, moved = None, time.monotonic()
    while time.monotonic() < deadline:
        in_flight = model.Session.query(HarvestObject.id).filter(
            HarvestObject.harvest_job_id == job_id, HarvestObject.state.notin_(("COMPLETE", "ERROR"))).count()
        model.Session.remove()
        if not in_flight:
            return
        if in_flight != last:
            last, moved = in_flight, time.monotonic()
        elif time.monotonic() - moved > stalled:
            raise RuntimeError("{} objects of harvest job {} waited {:.0f} s without being imported: is another "
                               "site reading this site's harvest queues (same ckan.site_id and Redis database)?"
                               .format(in_flight, job_id, stalled))
        time.sleep(0.2)


def run_now(source_id: str, full: bool = False) -> dict:
    """Runs one job of a source to the end and returns it (status Finished), beside any fetch consumers running."""
    job = request_job(source_id, full=full)
    drain()
    wait_for_objects(job["id"])
    tk.get_action("harvest_jobs_run")({"user": _site_user(), "ignore_auth": True}, {"source_id": source_id})
    model.Session.remove()
    return tk.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job["id"]})


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
