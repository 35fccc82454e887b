"""A changed dataset's catalogue parts, serialised in the background so that a harvester never walks a cold page.

The catalogue assembles its pages from each dataset's serialised part (``catalog_cache.py``); a part missing from
the cache costs two to four times what ckanext-dcat takes to serialise the dataset (issue #11). So when a public
dataset is indexed (created, edited, reindexed), its id is noted in Redis (a sorted set, by time) and one
background job (CKAN's ``ckan jobs worker``) serialises the parts of the noted datasets in the formats of
``ckanext.pida.catalog.warm_formats``, for the default locale, exactly as a page request would, so that the next
page finds them cached.

* One job drains the set while datasets keep changing (a flag in Redis says one is queued or running), so a
  harvest of thousands of datasets costs one Redis round trip each and one job, not a job each.
* A dataset is taken from the set a few seconds after it was noted (``GRACE``): it is noted while it is being
  indexed, and the job reads it from the index.
* Nothing here is needed for correctness: a part the job has not written yet is serialised by the page that
  needs it. Without a worker the set only holds one entry per dataset.
"""
from __future__ import annotations

import logging
import time

import ckan.plugins.toolkit as tk

from ckanext.pida import catalog_cache

log = logging.getLogger(__name__)

#: Not under catalog_cache.KEY_PREFIX, which holds the serialised parts only.
PENDING = "ckanext-pida:catalog-warming:pending"
RUNNING = "ckanext-pida:catalog-warming:running"
#: Seconds between noting a dataset (while it is being indexed) and reading it back from the index.
GRACE = 2.0
BATCH = 100
#: Seconds the RUNNING flag outlives a job that died without clearing it.
RUNNING_TTL = 900

# Takes the ids noted before a time and removes them at once, so that a dataset noted again meanwhile stays.
_TAKE_RIPE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
return ids
"""


def formats() -> list[str]:
    """The configured formats, as rdflib names them; none when the cache is off."""
    if not catalog_cache.ttl():
        return []
    from ckanext.pida.catalog import rdflib_format
    return [rdflib_format(f) for f in tk.aslist(tk.config.get("ckanext.pida.catalog.warm_formats"))]


def note_indexed(pkg_dict: dict) -> None:
    """Called for every dataset indexed (``before_dataset_index``): note a public, active one for the job."""
    if pkg_dict.get("capacity") != "public" or pkg_dict.get("state") != "active" or not formats():
        return
    try:
        redis = catalog_cache._redis()
        pipe = redis.pipeline(transaction=False)
        pipe.zadd(PENDING, {pkg_dict["id"]: time.time()})
        pipe.set(RUNNING, "queued", nx=True, ex=RUNNING_TTL)
        if pipe.execute()[1]:
            try:
                tk.enqueue_job(warm_pending, title="PIDA catalogue: serialise the changed datasets")
            except Exception:
                redis.delete(RUNNING)
                raise
    except Exception:  # the dataset is indexed all the same; its part is serialised by the first page needing it
        log.warning("Could not note dataset %s for the catalogue cache", pkg_dict.get("id"), exc_info=True)


def warm_pending(grace: float = GRACE) -> int:
    """The background job: serialises the parts of the noted datasets until none is left; returns how many
    datasets it read."""
    redis = catalog_cache._redis()
    take = redis.register_script(_TAKE_RIPE)
    done = 0
    while True:
        redis.expire(RUNNING, RUNNING_TTL)
        ids = [i.decode() if isinstance(i, bytes) else i for i in take(keys=[PENDING], args=[time.time() - grace,
                                                                                             BATCH])]
        if ids:
            try:
                done += warm(ids)
            except Exception:  # the next dataset indexed queues a new job; these are serialised by their pages
                redis.delete(RUNNING)
                raise
            continue
        oldest = redis.zrange(PENDING, 0, 0, withscores=True)
        if oldest:  # noted less than `grace` ago
            time.sleep(max(0.05, oldest[0][1] + grace - time.time()))
            continue
        redis.delete(RUNNING)
        # A dataset noted between the two calls above saw the flag and queued nothing: take it on.
        if not redis.zcard(PENDING) or not redis.set(RUNNING, "running", nx=True, ex=RUNNING_TTL):
            log.info("Catalogue parts serialised for %d changed datasets", done)
            return done


def warm(ids: list[str]) -> int:
    """Serialise (and cache) the parts of these datasets, the public and active ones, in every configured format."""
    from ckanext.pida import catalog
    ids = [i for i in ids if catalog.SAFE_ID.match(i)]
    if not ids:
        return 0
    datasets = catalog.public_datasets(ids)
    for fmt in formats():
        # profiles None: the site's (ckanext.dcat.rdf.profiles), as a page asked for without ?profiles=
        catalog.dataset_blocks([dict(d) for d in datasets], None, fmt, catalog.default_locale())
    return len(datasets)
