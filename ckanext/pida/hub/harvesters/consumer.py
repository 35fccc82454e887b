"""The hub's fetch consumer: ckanext-harvest's fetch queue, taken a few objects at a time, with one commit per
harvest object (besides the dataset's own) instead of seven.

ckanext-harvest's ``fetch_callback`` saves a harvest object six times around its import (retry count, FETCH,
fetch finished, IMPORT, COMPLETE, report status) and re-reads the database to tell "added" from "updated"; that was
a fifth of an import's time in the profile (issue #11). The hub's pipeline needs no fetch stage (the content came
with the catalogue) and knows whether it created, updated or deleted, so for its own source types this consumer
keeps only what ckanext-harvest's pages, reports and ``harvest_jobs_run`` read:

1. the attempt, committed before the import (``retry_times`` + 1, state IMPORT, start times): an object whose import
   kills the process is retried, and given up after five attempts, exactly as ckanext-harvest does;
2. the outcome, in the import's own transaction (state COMPLETE, ``report_status``, ``import_finished``), or state
   ERROR and ``report_status`` errored after a failed import.

It takes up to ``ckanext.pida.hub.fetch_batch`` messages waiting on the queue at once (``fetch_batch``): their
objects, sources and jobs are read in one query, their attempts committed together, and their harvest records and
detection decisions read in one query each (``pipeline.Lookups``); each object is still imported, committed and
acknowledged on its own, so one failure touches no other. Objects of any other harvester go to ckanext-harvest's
own callback, unchanged. ``ckan pida fetch-consumer`` runs this on the same Redis queue; it and ``ckan harvester
fetch-consumer`` can run side by side. ``ckan pida gather-consumer`` runs ckanext-harvest's gather callback; both
wait on an idle queue without dying (``messages``).
"""
from __future__ import annotations

import datetime
import json
import logging

from sqlalchemy import orm

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.plugins import PluginImplementations
from ckanext.harvest import queue
from ckanext.harvest.interfaces import IHarvester
from ckanext.harvest.model import HarvestObject

log = logging.getLogger(__name__)

#: As ckanext-harvest: an object whose import failed this many times (the process died) is given up.
MAX_ATTEMPTS = 5


def _pipeline_for(source_type: str):
    from ckanext.pida.hub.harvesters.pipeline import PidaPipeline
    for harvester in PluginImplementations(IHarvester):
        if isinstance(harvester, PidaPipeline) and harvester.info()["name"] == source_type:
            return harvester
    return None


def batch_size() -> int:
    return max(1, tk.config.get("ckanext.pida.hub.fetch_batch"))


def fetch_callback(channel, method, header, body) -> None:
    """ckanext-harvest's callback signature: one message (``fetch_batch`` of one)."""
    fetch_batch(channel, [(method, body)])


def fetch_batch(channel, items: list) -> None:
    """Imports the harvest objects of some messages of the fetch queue (``(method, body)`` pairs) and acknowledges
    each message after its object's import: a hub source's object with the lean bookkeeping above, any other with
    ckanext-harvest's callback."""
    ours, others = [], []
    wanted = {}  # a message repeated in the batch (put back by harvest_jobs_run meanwhile) is imported once
    for method, body in items:
        try:
            wanted[json.loads(body)["harvest_object_id"]] = (method, body)
        except (KeyError, TypeError, ValueError):  # not a message this consumer understands: ckanext-harvest's says why
            others.append((method, body))
    loaded = _load(list(wanted))
    for object_id, (method, body) in wanted.items():
        obj = loaded.get(object_id)
        harvester = _pipeline_for(obj.source.type) if obj is not None else None
        if harvester is None:
            others.append((method, body))
        else:
            ours.append((harvester, obj, method))
    try:
        if ours:
            _import(channel, ours)
    finally:
        model.Session.remove()
    for method, body in others:
        queue.fetch_callback(channel, method, None, body)


def _load(object_ids: list) -> dict:
    """The harvest objects with their sources and jobs, in one query (three an object, lazily)."""
    if not object_ids:
        return {}
    rows = model.Session.query(HarvestObject).options(
        orm.joinedload(HarvestObject.source), orm.joinedload(HarvestObject.job)).filter(
        HarvestObject.id.in_(object_ids))
    return {obj.id: obj for obj in rows}


def _import(channel, ours: list) -> None:
    from ckanext.pida.hub.harvesters.pipeline import Lookups
    now = datetime.datetime.utcnow()
    started, given_up = [], []
    for harvester, obj, method in ours:
        obj.retry_times = (obj.retry_times or 0) + 1
        if obj.retry_times >= MAX_ATTEMPTS:
            log.error("Too many consecutive retries for object %s", obj.id)
            _fail(obj, commit=False)
            given_up.append(method)
        elif obj.job.status == "Finished":
            log.error("Job %s was aborted or timed out, object %s set to error", obj.harvest_job_id, obj.id)
            _fail(obj, commit=False)
            given_up.append(method)
        else:
            obj.fetch_started = obj.fetch_finished = obj.import_started = now
            obj.state = "IMPORT"
            started.append((harvester, obj, method))
        model.Session.add(obj)
    model.Session.commit()  # the attempts: if this process dies in an import, its object is retried
    for method in given_up:
        channel.basic_ack(method.delivery_tag)
    lookups = Lookups([obj for _harvester, obj, _method in started])
    for harvester, obj, method in started:
        try:
            if not harvester.import_stage(obj, lookups):  # on success the outcome was committed with the dataset
                _fail(obj)
        except Exception:  # import_stage reports what it foresees; anything else fails this object alone
            log.exception("Import of harvest object %s failed", obj.id)
            model.Session.rollback()
            _fail(obj)
        finally:
            channel.basic_ack(method.delivery_tag)


def _fail(obj, commit: bool = True) -> None:
    obj.state = "ERROR"
    obj.report_status = "errored"
    obj.import_finished = datetime.datetime.utcnow()
    if commit:
        obj.save()


def consume_forever(stage: str = "fetch") -> None:
    """``ckan pida fetch-consumer`` (this module's ``fetch_batch``) and ``ckan pida gather-consumer``
    (ckanext-harvest's callback): wait on the queue and handle its messages, as ``ckan harvester fetch-consumer`` and
    ``gather-consumer`` do, but without dying on a queue left idle (``messages``)."""
    if stage == "gather":
        consumer = queue.get_gather_consumer()
        for items in messages(consumer, queue.get_gather_queue_name()):
            for method, body in items:
                queue.gather_callback(consumer, method, None, body)
    else:
        consumer = queue.get_fetch_consumer()
        for items in messages(consumer, queue.get_fetch_queue_name(), batch_size()):
            fetch_batch(consumer, items)


#: Seconds a consumer waits on an empty Redis queue before asking again.
POLL_SECONDS = 2


def messages(consumer, name: str, most: int = 1):
    """The queue's messages, as lists of ``(method, body)`` pairs: with Redis, the first message to arrive and up to
    ``most`` - 1 more already waiting behind it; with AMQP (ckanext-harvest's own consumer), one at a time.

    ckanext-harvest's Redis consumer blocks in one BLPOP with no timeout, and redis-py 8 (CKAN 2.12's) gives every
    connection a 5-second socket timeout, so a consumer whose queue stays empty for 5 seconds dies of a TimeoutError
    (ckan/ckanext-harvest#581). Here the wait is a BLPOP of ``POLL_SECONDS``, asked again, and each message taken is
    marked in progress as ckanext-harvest marks it: if the process dies, ``harvest_jobs_run`` (``ckan harvester
    run``) puts the message back on the queue after 3 minutes."""
    if not isinstance(consumer, queue.RedisConsumer):
        for method, _header, body in consumer.consume(queue=name):
            yield [(method, body)]
        return
    redis = consumer.redis
    while True:
        item = redis.blpop(consumer.routing_key, timeout=POLL_SECONDS)
        if item is None:
            continue
        bodies = [item[1]]
        if most > 1:  # LPOP with a count needs Redis 6.2: a pipeline of single LPOPs works on any
            pipe = redis.pipeline(transaction=False)
            for _ in range(most - 1):
                pipe.lpop(consumer.routing_key)
            bodies += [body for body in pipe.execute() if body is not None]
        try:
            pipe = redis.pipeline(transaction=False)
            for body in bodies:
                pipe.set(consumer.persistance_key(body), str(datetime.datetime.now()))
            pipe.execute()
        except Exception as e:  # as ckanext-harvest: the messages are dropped, a later run finds their objects
            log.error("Redis Exception: %s", e)
            continue
        yield [(queue.FakeMethod(body), body) for body in bodies]
