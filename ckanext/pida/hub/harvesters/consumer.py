"""The hub's fetch consumer: ckanext-harvest's fetch queue, with two commits per harvest object instead of seven.

ckanext-harvest's ``fetch_callback`` saves a harvest object six times around its import (retry count, FETCH,
fetch finished, IMPORT, COMPLETE, report status) and re-reads the database to tell "added" from "updated"; that was
a fifth of an import's time in the profile (issue #11). The hub's pipeline needs no fetch stage (the content came
with the catalogue) and knows whether it created, updated or deleted, so for its own source types this callback
keeps only what ckanext-harvest's pages, reports and ``harvest_jobs_run`` read:

1. the attempt, committed before the import (``retry_times`` + 1, state IMPORT, start times): an object whose import
   kills the process is retried, and given up after five attempts, exactly as ckanext-harvest does;
2. the outcome, in the import's own transaction (state COMPLETE, ``report_status``, ``import_finished``), or state
   ERROR and ``report_status`` errored after a failed import.

Objects of any other harvester go to ckanext-harvest's own callback, unchanged. ``ckan pida fetch-consumer``
runs this callback on the same Redis queue; it and ``ckan harvester fetch-consumer`` can run side by side.
``ckan pida gather-consumer`` runs ckanext-harvest's gather callback; both wait on an idle queue without dying
(``messages``).
"""
from __future__ import annotations

import datetime
import json
import logging

from sqlalchemy import orm

import ckan.model as model
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


def fetch_callback(channel, method, header, body) -> None:
    """Imports one harvest object from the fetch queue (a hub source's object with the lean bookkeeping above, any
    other with ckanext-harvest's callback), then acknowledges the message."""
    try:
        object_id = json.loads(body)["harvest_object_id"]
    except (KeyError, ValueError):  # not a message this callback understands: ckanext-harvest's says why
        return queue.fetch_callback(channel, method, header, body)
    obj = _load(object_id)
    harvester = _pipeline_for(obj.source.type) if obj is not None else None
    if harvester is None:
        model.Session.remove()
        return queue.fetch_callback(channel, method, header, body)
    try:
        _import(harvester, obj)
    finally:
        model.Session.remove()
        channel.basic_ack(method.delivery_tag)


def _load(object_id: str):
    """The harvest object with its source and job, in one query (three, lazily)."""
    return model.Session.query(HarvestObject).options(
        orm.joinedload(HarvestObject.source), orm.joinedload(HarvestObject.job)).filter(
        HarvestObject.id == object_id).first()


def _import(harvester, obj) -> None:
    now = datetime.datetime.utcnow()
    obj.retry_times = (obj.retry_times or 0) + 1
    if obj.retry_times >= MAX_ATTEMPTS:
        log.error("Too many consecutive retries for object %s", obj.id)
        _fail(obj)
        return
    if obj.job.status == "Finished":
        log.error("Job %s was aborted or timed out, object %s set to error", obj.harvest_job_id, obj.id)
        _fail(obj)
        return
    obj.fetch_started = obj.fetch_finished = obj.import_started = now
    obj.state = "IMPORT"
    obj.save()  # the attempt: if this process dies in the import, the object is retried
    if not harvester.import_stage(obj):  # on success the outcome was committed with the dataset
        _fail(obj)


def _fail(obj) -> None:
    obj.state = "ERROR"
    obj.report_status = "errored"
    obj.import_finished = datetime.datetime.utcnow()
    obj.save()


def consume_forever(stage: str = "fetch") -> None:
    """``ckan pida fetch-consumer`` (this module's callback) and ``ckan pida gather-consumer`` (ckanext-harvest's
    own): wait on the queue and handle each message, as ``ckan harvester fetch-consumer`` and ``gather-consumer``
    do, but without dying on a queue left idle (``messages``)."""
    if stage == "gather":
        consumer, name, callback = queue.get_gather_consumer(), queue.get_gather_queue_name(), queue.gather_callback
    else:
        consumer, name, callback = queue.get_fetch_consumer(), queue.get_fetch_queue_name(), fetch_callback
    for method, header, body in messages(consumer, name):
        callback(consumer, method, header, body)


#: Seconds a consumer waits on an empty Redis queue before asking again.
POLL_SECONDS = 2


def messages(consumer, name: str):
    """The queue's messages, as ckanext-harvest's consumer gives them. Its Redis consumer blocks in one BLPOP with no
    timeout, and redis-py 8 (CKAN 2.12's) gives every connection a 5-second socket timeout, so a consumer whose
    queue stays empty for 5 seconds dies of a TimeoutError (ckan/ckanext-harvest#581). Here the wait is a BLPOP of
    ``POLL_SECONDS``, asked again, and each message is marked in progress as ckanext-harvest marks it."""
    if not isinstance(consumer, queue.RedisConsumer):  # AMQP: ckanext-harvest's own consumer
        yield from consumer.consume(queue=name)
        return
    while True:
        item = consumer.redis.blpop(consumer.routing_key, timeout=POLL_SECONDS)
        if item is None:
            continue
        _key, body = item
        try:
            consumer.redis.set(consumer.persistance_key(body), str(datetime.datetime.now()))
        except Exception as e:  # as ckanext-harvest: the message is dropped, a later run finds its object
            log.error("Redis Exception: %s", e)
            continue
        yield queue.FakeMethod(body), consumer, body
