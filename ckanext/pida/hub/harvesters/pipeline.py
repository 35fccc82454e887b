"""The hub's harvest pipeline, the same for every format of national catalogue (on ckanext-harvest's
``HarvesterBase``); only reading a page and mapping its datasets differ, in a reader per format (rdf.py,
datajson.py), each a source type of its own.

gather  reads the catalogue page by page (a timeout, a hard deadline and a size limit on every request; DTDs and
        remote contexts refused before parsing), maps each dataset onto the PIDA schema, hashes it and queues only
        the new or changed ones, page by page: fetch consumers import a page while the next one is read (the
        stage hands ckanext-harvest an empty list, having sent the objects to the fetch queue itself). The DCAT
        reader fingerprints a dataset's triples first and maps only new and changed ones. A full run then diffs
        the source's identifiers against the hub's records, in the database, and queues the deletions, unless the
        run was partial or would delete too much. Incremental runs ask only for what changed (``modified_since``)
        and read the portal's deletions feed when there is one.
fetch   nothing to do: the content came with the catalogue.
import  creates or updates the dataset (lenient PIDA validation, stable country-prefixed name, provenance) or
        deletes it, and only then records the new hash, so a failed import is retried by the next run.
"""
from __future__ import annotations

import datetime
import functools
import json
import logging
import uuid

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.harvest import queue
from ckanext.harvest.harvesters.base import HarvesterBase
from ckanext.harvest.model import HarvestGatherError, HarvestObject, HarvestObjectError

from ckanext.pida.hub import review
from ckanext.pida.hub.harvesters import config as source_config
from ckanext.pida.hub.harvesters import fetch, leniency, mapping, records
from ckanext.pida.hub.harvesters.messages import HarvestProblem, problem, render
from ckanext.pida.hub.model import DetectionDecision, HarvestRecord, HarvestRun

log = logging.getLogger(__name__)

#: Incremental runs ask for changes since the last complete run started, minus this margin (clock skew).
MODIFIED_SINCE_MARGIN = datetime.timedelta(minutes=10)


class Page:
    """One page of a catalogue as a reader gives it: its datasets (dicts for ``package_create``, or exceptions for
    the ones it could not read), the next page's URL, the withdrawals feed it links to, and the RDF graph (for the
    mapping of what the datasets' dicts left out), if any."""

    def __init__(self, datasets, next_url=None, feed_url=None, graph=None):
        self.datasets = datasets
        self.next_url = next_url
        self.feed_url = feed_url
        self.graph = graph


class Described:
    """A dataset a reader identified and fingerprinted without mapping it yet (the RDF reader): ``load()`` maps it,
    and the pipeline calls it only when ``digest`` differs from the one recorded at the last import."""

    __slots__ = ("guid", "digest", "load", "title")

    def __init__(self, guid: str, digest: str, load, title: str = "?"):
        self.guid, self.digest, self.load, self.title = guid, digest, load, title


def mapped(records, to_ckan, *args):
    """Each record mapped by ``to_ckan``, or the exception it raised: one bad record never stops the others, and
    the pipeline reports it by name."""
    for record in records:
        try:
            yield to_ckan(record, *args)
        except Exception as e:
            yield e


class PidaPipeline(HarvesterBase):
    """The pipeline; a reader subclasses it with ``info``, ``read_page`` and, if it has options, ``validate_config``."""

    def __new__(cls, *args, **kwargs):
        # SingletonPlugin keeps its instance in `cls._instance` and tests it with hasattr, which finds the parent's:
        # a subclass would be handed its parent's instance. One instance per class.
        if "_instance" not in cls.__dict__:
            cls._instance = object.__new__(cls)
        return cls._instance

    #: True for a reader that reads the whole catalogue at every run (data.json): every run is then a full run.
    always_full = False

    def read_page(self, url: str, cfg: dict) -> Page:
        raise NotImplementedError

    def first_page_url(self, source_url: str, cfg: dict, modified_since) -> str:
        return fetch.with_params(source_url, rows=cfg["page_size"],
                                 modified_since=modified_since.isoformat() if modified_since else None)

    def validate_config(self, text):
        source_config.parse(text)
        return text

    # --- gather ---------------------------------------------------------------------------------------------

    def gather_stage(self, harvest_job):
        source = harvest_job.source
        try:
            cfg = source_config.parse(source.config)
        except ValueError as e:
            HarvestGatherError.create(str(e), harvest_job)
            return []
        run = self._start_run(harvest_job, cfg)
        object_ids: list[str] = []
        feed_url = cfg["deletions_url"]
        url = self.first_page_url(source.url, cfg, run.modified_since)
        visited: set[str] = set()
        all_read, reached_end = True, False
        while url:
            if url in visited:
                self._problem(run, harvest_job, problem("page_loop", url=url))
                break
            if run.pages >= cfg["max_pages"]:
                self._problem(run, harvest_job, problem("too_many_pages", max_pages=cfg["max_pages"]))
                break
            visited.add(url)
            try:
                page = self.read_page(url, cfg)
            except HarvestProblem as e:
                self._problem(run, harvest_job, e.item)
                break
            run.pages += 1
            queued = len(object_ids)
            all_read = self._gather_page(page, url, cfg, run, harvest_job, object_ids) and all_read
            _send_to_fetch(object_ids[queued:])  # committed: a consumer may take them now
            next_url = page.next_url
            feed_url = feed_url or page.feed_url
            del page  # one page in memory at a time
            if next_url and not fetch.same_site(source.url, next_url):
                self._problem(run, harvest_job, problem("next_page_elsewhere", url=url, next_url=next_url))
                break
            reached_end = next_url is None
            url = next_url
        errors = [p for p in run.problems or [] if p.get("level") != "warning"]
        if run.mode == "full" and run.pages and not run.seen and not errors:  # (changes only: none is fine)
            # It parsed, yet there is not one dataset: say so, rather than report a healthy empty run.
            self._problem(run, harvest_job, problem("empty_catalogue", url=source.url))
        run.complete = reached_end and all_read and not [p for p in run.problems if p.get("level") != "warning"]
        if run.mode == "full":
            object_ids += self._queue_deletions(run, cfg, harvest_job)
        elif run.complete and feed_url:
            object_ids += self._queue_feed_deletions(run, cfg, harvest_job, feed_url)
        run.finished = datetime.datetime.utcnow()
        run.changed = len(object_ids) - run.to_delete
        model.Session.add(run)
        model.Session.commit()
        _send_to_fetch(object_ids[len(object_ids) - run.to_delete:])
        return []  # every object is on the fetch queue already

    def _start_run(self, job, cfg) -> HarvestRun:
        run = HarvestRun.get(job.id) or HarvestRun(job_id=job.id, source_id=job.source_id, requested_full=False)
        last_full = HarvestRun.last_complete(job.source_id, "full")
        last_any = HarvestRun.last_complete(job.source_id)
        due = (cfg["full_run_days"] == 0 or last_full is None
               or datetime.datetime.utcnow() - last_full.started >= datetime.timedelta(days=cfg["full_run_days"]))
        adopted = HarvestRecord.adopt_from_deleted_sources(job.source_id, job.source.url)
        moved = bool(adopted) or _moved(job.source_id, job.id, cfg["country"])
        run.mode = ("full" if (run.requested_full or due or last_any is None or self.always_full or moved)
                    else "incremental")
        # Every dataset again, unchanged or not: its country or organisation changed, or it was adopted from a
        # deleted source with this URL (its provenance names this source from now on).
        run._pida_reimport = moved
        run.modified_since = last_any.started - MODIFIED_SINCE_MARGIN if run.mode == "incremental" else None
        run.started = datetime.datetime.utcnow()
        run.pages = run.seen = run.changed = run.unchanged = run.to_delete = 0
        run.complete = False
        run.problems = []
        model.Session.add(run)
        model.Session.commit()
        return run

    def _gather_page(self, read, url, cfg, run, job, object_ids) -> bool:
        """Queues the new and changed datasets of one page; False if a dataset could not be read."""
        ok = True
        page: dict[str, tuple[dict | Described, str]] = {}
        datasets = iter(read.datasets)
        while True:
            try:
                dataset = next(datasets)
            except StopIteration:
                break
            except Exception:
                log.exception("A dataset of %s could not be read", url)
                self._problem(run, job, problem("dataset_unreadable", url=url))
                return False
            if isinstance(dataset, Exception):  # a record the reader could not map
                log.warning("A dataset of %s could not be mapped: %s", url, dataset)
                self._problem(run, job, problem("dataset_unreadable", url=url))
                ok = False
                continue
            described = isinstance(dataset, Described)
            guid = dataset.guid if described else records.guid_of(dataset)
            title = dataset.title if described else dataset.get("title") or "?"
            if not guid:
                self._problem(run, job, problem("no_identifier", title=title))
                ok = False
                continue
            if guid in page:
                other = page[guid][0]
                self._problem(run, job, problem("duplicate_identifier", title=title, guid=guid, other=(
                    other.title if isinstance(other, Described) else other.get("title") or "?")))
                ok = False
                continue
            if described:
                page[guid] = (dataset, dataset.digest)
            else:
                self._normalise(dataset, read.graph, run)
                page[guid] = (dataset, records.content_hash(dataset))
        known = HarvestRecord.for_guids(job.source_id, list(page))
        active = self._active_packages([r.package_id for r in known.values() if r.package_id])
        owners = HarvestRecord.owners_elsewhere(job.source_id, list(page))
        rows = []
        for guid, (dataset, digest) in page.items():
            if guid in owners:  # another source brought it first: one copy at the hub, both sources told
                self._count_shared(run, owners[guid], dataset.title if isinstance(dataset, Described)
                                   else dataset.get("title") or "?")
                continue
            record = known.get(guid)
            if record and record.state == "active" and record.content_hash == digest \
                    and record.package_id in active and not getattr(run, "_pida_reimport", False):
                run.unchanged += 1
                continue
            if isinstance(dataset, Described):  # changed: only now mapped
                try:
                    dataset = dataset.load()
                except Exception:
                    log.exception("A dataset of %s could not be read", url)
                    self._problem(run, job, problem("dataset_unreadable", url=url))
                    ok = False
                    continue
                self._normalise(dataset, read.graph, run)
            rows.append({"id": str(uuid.uuid4()), "guid": guid, "harvest_job_id": job.id,
                         "harvest_source_id": job.source_id, "state": "WAITING", "current": False,
                         "retry_times": 0, "gathered": datetime.datetime.utcnow(),
                         "content": json.dumps({"dataset": dataset, "hash": digest}, default=str)})
        run.seen += len(page)
        # A dataset another source owns is not seen by this one: a full run removes this source's own copy of it
        # (one left from before the other source brought it, or from before the hub kept one copy).
        HarvestRecord.mark_seen(job.source_id, [guid for guid in page if guid not in owners], job.id)
        if rows:
            model.Session.execute(sa.insert(HarvestObject.__table__), rows)
            object_ids.extend(r["id"] for r in rows)
        model.Session.commit()
        return ok

    def _normalise(self, dataset: dict, graph, run) -> None:
        unmapped = mapping.normalise(dataset, graph)
        if unmapped:
            dataset["_unmapped"] = unmapped
            self._count_unmapped(run, unmapped)

    @staticmethod
    def _active_packages(ids) -> set:
        if not ids:
            return set()
        rows = model.Session.query(model.Package.id).filter(model.Package.id.in_(ids),
                                                            model.Package.state == "active")
        return {r[0] for r in rows}

    def _problem(self, run, job, item) -> None:
        _lock_problems(run)
        run.problems = list(run.problems or []) + [item]
        HarvestGatherError.create(render(item, translate=False), job)

    @staticmethod
    def _count_unmapped(run, unmapped, code: str = "unmapped_values") -> None:
        """Values the hub could not map (or that validation refused) become one warning per field on the health
        page (they never stop a run)."""
        _lock_problems(run)
        problems = [dict(p) for p in run.problems or []]
        for item in unmapped:
            warning = next((p for p in problems if p.get("code") == code
                            and p["params"].get("field") == item["field"]), None)
            if warning is None:
                warning = dict(problem(code, field=item["field"], count=0, examples=""), level="warning")
                problems.append(warning)
            params = dict(warning["params"])
            params["count"] = str(int(params["count"]) + 1)
            examples = [e for e in params["examples"].split(", ") if e]
            if item["value"] not in examples and len(examples) < 5:
                params["examples"] = ", ".join(examples + [item["value"]])
            warning["params"] = params
        run.problems = problems

    @staticmethod
    def _count_shared(run, owner_id: str, title: str) -> None:
        """A dataset another source owns, counted (per owning source) on this run's health."""
        _lock_problems(run)
        problems = [dict(p) for p in run.problems or []]
        item = next((p for p in problems if p.get("code") == "listed_by_another_source"
                     and p["params"].get("owner_id") == owner_id), None)
        if item is None:
            owner = model.Package.get(owner_id)
            item = dict(problem("listed_by_another_source", owner_id=owner_id, count=0, examples="",
                                owner=owner.title if owner else owner_id), level="warning")
            problems.append(item)
        params = dict(item["params"])
        params["count"] = str(int(params["count"]) + 1)
        examples = [e for e in params["examples"].split(" · ") if e]
        if len(examples) < 3:
            params["examples"] = " · ".join(examples + [title])
        item["params"] = params
        run.problems = problems

    def _count_refused(self, job_id: str, refused: list[dict]) -> None:
        """The values validation refused, counted on the run's health (its row locked: consumers import side by
        side), committed with the dataset."""
        run = model.Session.query(HarvestRun).filter(HarvestRun.job_id == job_id).with_for_update().one_or_none()
        if run is not None:
            self._count_unmapped(run, refused, code="refused_values")

    # --- deletions ------------------------------------------------------------------------------------------

    def _queue_deletions(self, run, cfg, job) -> list[str]:
        """After a complete full run: the records the run did not see are queued for deletion."""
        if not run.complete:
            if HarvestRecord.active_query(job.source_id).count():
                self._problem(run, job, problem("no_deletions_partial"))
            return []
        gone = HarvestRecord.unseen(job.source_id, job.id).with_entities(HarvestRecord.guid,
                                                                          HarvestRecord.package_id).all()
        if not gone:
            return []
        # This source's copies of datasets another source owns are not deletions at the source (it still lists
        # them): they go whatever their share, unless the run read nothing.
        owned = HarvestRecord.owners_elsewhere(job.source_id, [guid for guid, _id in gone]) if run.seen else {}
        deleted = [pair for pair in gone if pair[0] not in owned]
        active = HarvestRecord.active_query(job.source_id).count()
        if deleted and (run.seen == 0 or len(deleted) * 100 > cfg["max_delete_share"] * active):
            self._problem(run, job, problem("deletions_held", seen=run.seen, active=active, to_delete=len(deleted),
                                            max_share=cfg["max_delete_share"]))
            deleted = []
        return self._insert_deletions(job, deleted + [pair for pair in gone if pair[0] in owned], run)

    def _queue_feed_deletions(self, run, cfg, job, feed_url) -> list[str]:
        """On an incremental run: the datasets the portal's withdrawals feed lists (deleted or made private) since
        the last run. The feed is ``deletions_url`` or the page's ``rdfs:seeAlso`` (issue 4's
        ``pida_catalog_withdrawn``), read page by page with its ``since``/``after`` cursor."""
        url = fetch.with_params(feed_url, since=run.modified_since.isoformat())
        guids: list[str] = []
        for _ in range(cfg["max_pages"]):
            try:
                body, _type = fetch.get(url, timeout=cfg["timeout"], max_bytes=cfg["max_size_mb"] * 1024 * 1024,
                                        total_timeout=cfg["total_timeout"])
                feed = json.loads(body)
            except (HarvestProblem, ValueError) as e:
                log.warning("The deletions feed %s could not be read: %s", url, e)
                self._problem(run, job, problem("deletions_feed", url=url))
                return []
            feed = feed.get("result", feed) if isinstance(feed, dict) else feed
            guids += deleted_guids(feed)
            cursor = feed.get("next") if isinstance(feed, dict) else None
            if not cursor:
                break
            url = fetch.with_params(feed_url, **cursor)
        gone = HarvestRecord.active_query(job.source_id).filter(HarvestRecord.guid.in_(guids or [""]))
        return self._insert_deletions(job, gone.with_entities(HarvestRecord.guid, HarvestRecord.package_id), run)

    def _insert_deletions(self, job, pairs, run) -> list[str]:
        rows = [{"id": str(uuid.uuid4()), "guid": guid, "package_id": package_id, "harvest_job_id": job.id,
                 "harvest_source_id": job.source_id, "state": "WAITING", "current": False, "retry_times": 0,
                 "gathered": datetime.datetime.utcnow(), "content": json.dumps({"delete": True})}
                for guid, package_id in pairs]
        if rows:
            model.Session.execute(sa.insert(HarvestObject.__table__), rows)
            model.Session.commit()
        run.to_delete = len(rows)
        return [r["id"] for r in rows]

    # --- fetch and import -----------------------------------------------------------------------------------

    def fetch_stage(self, harvest_object):
        return True

    def import_stage(self, harvest_object, lookups: Lookups | None = None):
        """Imports one object; ``lookups``, from the hub's fetch consumer, holds its record and detection decisions
        read with those of the other objects of its batch."""
        try:
            content = json.loads(harvest_object.content or "{}")
        except ValueError:
            HarvestObjectError.create(render(problem("unreadable_object"), translate=False), harvest_object, "Import")
            return False
        source = harvest_object.source
        lookups = lookups or Lookups([harvest_object])
        record = lookups.record(source.id, harvest_object.guid)
        if not content.get("delete") and not str((content.get("dataset") or {}).get("title") or "").strip():
            item = problem("no_title", guid=harvest_object.guid)  # the one value whose absence refuses a dataset
            HarvestObjectError.create(render(item, translate=False), harvest_object, "Import")
            return False
        try:
            if content.get("delete"):
                return self._delete(harvest_object, record)
            return self._create_or_update(harvest_object, record, content, source, lookups)
        except (tk.ValidationError, leniency.Refused) as e:
            model.Session.rollback()
            title = (content.get("dataset") or {}).get("title") or "?"
            error = e.error if isinstance(e, leniency.Refused) else e
            field, reason = _first_error(error)
            log.info("Import of %s refused: %s", harvest_object.guid, error.error_dict)
            item = problem("dataset_refused", title=title, guid=harvest_object.guid, field=field, reason=reason)
            HarvestObjectError.create(render(item, translate=False), harvest_object, "Import")
            return False
        except Exception:
            log.exception("Import of %s failed", harvest_object.guid)
            model.Session.rollback()
            title = (content.get("dataset") or {}).get("title") or "?"
            item = problem("import_error", title=title, guid=harvest_object.guid)
            HarvestObjectError.create(render(item, translate=False), harvest_object, "Import")
            return False

    def _context(self) -> dict:
        return {"user": self._get_user_name(), "ignore_auth": True, "pida_lenient": True,
                "return_id_only": True}

    def _delete(self, harvest_object, record) -> bool:
        package_id = harvest_object.package_id or (record.package_id if record else None)
        if package_id:
            try:
                tk.get_action("package_delete")(self._context(), {"id": package_id})
            except tk.ObjectNotFound:
                pass
        if record:
            record.state = "deleted"
            model.Session.add(record)
        model.Session.query(HarvestObject).filter_by(guid=harvest_object.guid, harvest_source_id=harvest_object
                                                     .harvest_source_id, current=True).update({"current": False})
        harvest_object.current = False
        _completed(harvest_object, "deleted")
        model.Session.commit()
        return True

    def _create_or_update(self, harvest_object, record, content, source, lookups) -> bool:
        cfg = source_config.parse(source.config)
        dataset, digest = content["dataset"], content["hash"]
        existing = model.Package.get(record.package_id) if record and record.package_id else None
        name = existing.name if existing else records.new_name(cfg["country"], dataset.get("title"),
                                                               harvest_object.guid)
        # The source's organisation, also for a dataset already here: a source moved to another organisation takes
        # its datasets along.
        owner_org = _source_org(source.id, harvest_object.harvest_job_id) or (existing.owner_org if existing else None)
        data = records.for_hub(dataset, cfg=cfg, source=source, guid=harvest_object.guid, digest=digest,
                               name=name, owner_org=owner_org)
        review.annotate(data, harvest_object.guid, digest, cfg["country"], lookups.decisions(harvest_object.guid))
        provenance = data.pop("pida_harvest")
        unsafe = leniency.unsafe_links(data)
        data["pida_harvest"] = dict(provenance, refused=unsafe) if unsafe else provenance
        context = self._context()
        if existing:
            data["id"] = existing.id
            data["state"] = "active"
            by_uri = {r.extras.get("uri"): r.id for r in existing.resources if r.extras.get("uri")}
            for resource in data.get("resources") or []:
                if resource.get("uri") in by_uri:
                    resource["id"] = by_uri[resource["uri"]]
            _result, refused = leniency.save("package_update", context, data)
            package_id = existing.id
        else:
            package_id, refused = leniency.save("package_create", context, data)
            package_id = package_id if isinstance(package_id, str) else package_id["id"]
        if refused:
            self._count_refused(harvest_object.harvest_job_id, refused)
        if record is not None:  # a first import has no earlier object to retire
            model.Session.query(HarvestObject).filter(
                HarvestObject.guid == harvest_object.guid, HarvestObject.harvest_source_id == source.id,
                HarvestObject.current.is_(True), HarvestObject.id != harvest_object.id).update({"current": False})
        harvest_object.package_id = package_id
        harvest_object.current = True
        _completed(harvest_object, "updated" if existing else "added")
        record = record or HarvestRecord(source_id=source.id, guid=harvest_object.guid)
        record.package_id, record.name, record.content_hash, record.state = package_id, name, digest, "active"
        record.last_seen_job_id = harvest_object.harvest_job_id
        model.Session.add(record)
        model.Session.commit()
        return True


class Lookups:
    """The harvest records and detection decisions of the objects a consumer imports together, read in one query
    each. An object whose dataset another object of the batch already imported reads its record afresh."""

    def __init__(self, objects):
        guids_by_source: dict[str, list[str]] = {}
        for obj in objects:
            guids_by_source.setdefault(obj.harvest_source_id, []).append(obj.guid)
        self._records = {(source_id, guid): record for source_id, guids in guids_by_source.items()
                         for guid, record in HarvestRecord.for_guids(source_id, guids).items()}
        self._decisions = DetectionDecision.for_uris([obj.guid for obj in objects])
        self._given: set = set()

    def record(self, source_id: str, guid: str) -> HarvestRecord | None:
        key = (source_id, guid)
        if key in self._given:
            return HarvestRecord.get(source_id, guid)
        self._given.add(key)
        return self._records.get(key)

    def decisions(self, guid: str) -> dict:
        return self._decisions.get(guid, {})


@functools.lru_cache(maxsize=64)
def _source_org(source_id: str, job_id: str) -> str | None:
    """The organisation of a harvest source (its datasets' owner), read once per job and process."""
    return model.Session.query(model.Package.owner_org).filter(model.Package.id == source_id).scalar()


def _moved(source_id: str, job_id: str, country: str) -> bool:
    """Whether the source was moved (another country in its configuration, or another organisation) since its
    datasets were imported: read on the dataset it imported last."""
    record = (HarvestRecord.active_query(source_id).filter(HarvestRecord.package_id.isnot(None))
              .order_by(HarvestRecord.updated.desc()).first())
    package = model.Package.get(record.package_id) if record else None
    if package is None:
        return False
    harvest = package.extras.get("pida_harvest")
    try:
        placed_in = json.loads(harvest).get("country") if isinstance(harvest, str) else (harvest or {}).get("country")
    except ValueError:
        placed_in = None
    return (placed_in not in (None, country)) or package.owner_org != _source_org(source_id, job_id)


def _send_to_fetch(object_ids: list[str]) -> None:
    """Puts committed harvest objects on ckanext-harvest's fetch queue, as its gather callback does with the ids a
    gather stage returns."""
    if not object_ids:
        return
    publisher = queue.get_fetch_publisher()
    try:
        for object_id in object_ids:
            publisher.send({"harvest_object_id": object_id})
    finally:
        publisher.close()


def _completed(harvest_object, report_status: str) -> None:
    """The object's outcome, committed with the dataset (what ckanext-harvest's callback would set after the
    import; consumer.py's callback sets nothing more)."""
    harvest_object.state = "COMPLETE"
    harvest_object.report_status = report_status
    harvest_object.import_finished = datetime.datetime.utcnow()
    harvest_object.add()


def deleted_guids(feed) -> list[str]:
    """The identifiers in a deletions feed: a JSON list, or an object with a list under "deleted", "results" or
    "items"; each entry a string or an object with "uri", "identifier" or "guid"."""
    if isinstance(feed, dict):
        feed = feed.get("deleted") or feed.get("results") or feed.get("items") or []
    out = []
    for entry in feed if isinstance(feed, list) else []:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict):
            value = entry.get("uri") or entry.get("identifier") or entry.get("guid")
            if value:
                out.append(value)
    return out


def _lock_problems(run) -> None:
    """Reads the run's problems afresh and locks its row until the transaction ends: the gather stage and the
    consumers that import while it runs both add to them."""
    transaction = model.Session().get_transaction()
    if not sa.inspect(run).persistent or getattr(run, "_pida_locked_in", None) is transaction:
        return  # new, or already read and locked in this transaction (a refresh would lose what was added)
    model.Session.flush()
    model.Session.refresh(run, attribute_names=["problems"], with_for_update=True)
    run._pida_locked_in = transaction


def _first_error(error: tk.ValidationError) -> tuple[str, str]:
    """The field and the reason (CKAN's message, translated when shown) of the first error that refused a
    dataset; an essential field's first."""
    errors = error.error_dict or {}
    keys = sorted(errors, key=lambda k: (k not in leniency.ESSENTIAL, k))
    for key in keys:
        reason = _first_message(errors[key])
        if reason:
            return key, reason.rstrip(". ")
    return (keys[0] if keys else "title"), "?"


def _first_message(value) -> str | None:
    if isinstance(value, str):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return next(filter(None, (_first_message(v) for v in items)), None)
