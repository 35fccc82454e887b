#!/usr/bin/env python
"""Harvest throughput and memory of the hub on a generated catalogue served on 127.0.0.1, per reader.

    .venv/bin/python scripts/bench_harvest.py --ini test.ini --datasets 5000 --page-size 500 --reset \
        --readers rdf,datajson,ckan --consumers 1,2 --floor --stock --rebuild 2000

Serves N generated PIDA datasets from a separate process, as DCAT-AP Turtle with Hydra paging (reader ``rdf``,
source type pida), as one data.json in the OAS regional profile (reader ``datajson``, source type pida_datajson)
and as a plain CKAN action API's package_search, sorted by id with an id cursor (reader ``ckan``, source type
pida_ckan), and harvests each into the hub configured by --ini (with the hub plugins) through the Redis queues,
twice: a first run (everything new) and a no-change run (everything unchanged), one reader after the other in the
same process. With ``--consumers 1,2``, each reader runs once per number of fetch consumers: this process drains
the queues as one consumer, and ``ckan pida fetch-consumer`` processes (started first, on an ini written for them)
are the others, as a hub runs them. ``--floor`` times a bare ``package_create`` of the same datasets, the least
an import can cost: for each reader and number of consumers, exactly the dicts that reader's import sends, created
by as many processes at once as there are consumers, just before those runs. ``--rounds N`` splits the catalogue
into N slices harvested from a source each, every one right after its own floor, so that a slow minute of the
machine (an index merge, a vacuum) falls on runs and floors alike; it prints the ratio of the sums and its range
over the rounds. ``--stock`` harvests the Turtle
catalogue with ckanext-dcat's stock ``dcat_rdf`` harvester too (core schema, one consumer, its own process). Prints
datasets per second for each run, its time against its floor's, the ratio to stock, and the peak RSS.
--reset empties the database and the Solr core of that ini first: use a database of its own (CKAN_SQLALCHEMY_URL,
CKAN_SOLR_URL and CKAN_REDIS_URL override the ini).
"""
from __future__ import annotations

import argparse
import bisect
import datetime
import http.server
import json
import multiprocessing
import re
import resource
import socket
import sys
import time
from urllib.parse import parse_qs, urlsplit

PLUGINS = "pida pida_hub pida_datajson pida_ckan scheming_datasets dcat harvest"
#: reader -> (source type, path of the catalogue on the generated server, country of its source)
READERS = {"rdf": ("pida", "/catalog.ttl", "CO"), "datajson": ("pida_datajson", "/data.json", "AR"),
           "ckan": ("pida_ckan", "", "MX")}
CONCEPTS = ["lobbying-register", "contracts-register", "budgets", "spending", "company-register",
            "asset-declarations", "audit-data", "court-data", "tender-award-processes", "government-grants"]


def page_body(base: str, page: int, pages: int, size: int, lo: int, hi: int) -> bytes:
    """Page ``page`` of the Turtle catalogue of datasets ``lo`` to ``hi`` - 1."""
    today = datetime.date.today().isoformat()
    out = ["@prefix dcat: <http://www.w3.org/ns/dcat#> .", "@prefix dct: <http://purl.org/dc/terms/> .",
           "@prefix hydra: <http://www.w3.org/ns/hydra/core#> .", "@prefix pida: <https://w3id.org/pida/ns#> .",
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .", ""]
    current = "%s/catalog.ttl?page=%d" % (base, page)
    out.append("<%s> a hydra:PagedCollection ; hydra:totalItems %d ; hydra:itemsPerPage %d%s ." % (
        current, hi - lo, size, " ; hydra:next <%s/catalog.ttl?page=%d>" % (base, page + 1) if page < pages else ""))
    for i in range(lo + (page - 1) * size, min(lo + page * size, hi)):
        concept = CONCEPTS[i % len(CONCEPTS)]
        out.append(
            '<{b}/dataset/{i}> a dcat:Dataset ; dct:title "Conjunto de datos {i}" ; dct:identifier "bench-{i}" ;\n'
            '  dct:description "Datos generados número {i} para medir la cosecha del hub." ;\n'
            '  dcat:keyword "bench", "pida" ; pida:priorityDataset <https://w3id.org/pida/priority-datasets/{c}> ;\n'
            '  dct:spatial <http://publications.europa.eu/resource/authority/country/COL> ;\n'
            '  dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/MONTHLY> ;\n'
            '  dct:modified "{d}"^^xsd:date ; dcat:distribution <{b}/dataset/{i}/csv> .\n'
            '<{b}/dataset/{i}/csv> a dcat:Distribution ; dct:title "datos-{i}.csv" ;\n'
            '  dcat:accessURL <https://datos.example.gov/{i}.csv> ; dct:format "CSV" .'.format(
                b=base, i=i, c=concept, d=today))
    return "\n".join(out).encode("utf-8")


def data_json_body(lo: int, hi: int) -> bytes:
    """The same generated datasets as one data.json in the OAS regional profile."""
    today = datetime.date.today().isoformat()
    datasets = [{
        "identifier": "bench-%d" % i, "title": "Conjunto de datos %d" % i,
        "description": "Datos generados número %d para medir la cosecha del hub." % i,
        "keyword": ["bench", "pida"], "theme": [CONCEPTS[i % len(CONCEPTS)]], "superTheme": ["GOVE"],
        "accrualPeriodicity": "R/P1M", "issued": "2024-01-01", "modified": today, "language": ["spa"],
        "publisher": {"name": "Ministerio", "mbox": "datos@example.gov"}, "license": "cc-by",
        "distribution": [{"identifier": "bench-%d-csv" % i, "title": "datos-%d.csv" % i, "format": "CSV",
                          "accessURL": "https://datos.example.gov/%d" % i, "issued": "2024-01-01",
                          "downloadURL": "https://datos.example.gov/%d.csv" % i}]} for i in range(lo, hi)]
    return json.dumps({"title": "Bench", "description": "Bench", "publisher": {"name": "Bench", "mbox": ""},
                       "superThemeTaxonomy": "http://datos.gob.ar/superThemeTaxonomy.json",
                       "dataset": datasets}).encode("utf-8")


def ckan_datasets(total: int) -> list:
    """The same generated datasets as a plain CKAN portal's package dicts, in id order."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None).isoformat()
    return [{
        "id": "bench-%06d" % i, "name": "conjunto-%d" % i, "title": "Conjunto de datos %d" % i, "type": "dataset",
        "notes": "Datos generados número %d para medir la cosecha del hub." % i, "license_id": "cc-by",
        "metadata_created": "2024-01-01T00:00:00", "metadata_modified": now, "state": "active", "private": False,
        "organization": {"name": "ministerio", "title": "Ministerio"}, "maintainer_email": "datos@example.gov",
        "tags": [{"name": "bench"}, {"name": "pida"}], "extras": [{"key": "frequency", "value": "R/P1M"}],
        "resources": [{"id": "r-%d" % i, "name": "datos-%d.csv" % i, "format": "CSV",
                       "url": "https://datos.example.gov/%d.csv" % i}]} for i in range(total)]


def package_search_body(datasets: list, query: str) -> bytes:
    """package_search with ``sort=id asc`` and an ``+id:{"<last>" TO *]`` cursor in fq, as the reader asks."""
    params = parse_qs(query)
    rows = int(params.get("rows", ["100"])[0])
    after = re.search(r'\+id:\{"([^"]*)" TO \*\]', params.get("fq", [""])[0])
    start = bisect.bisect_right([d["id"] for d in datasets], after.group(1)) if after else 0
    return json.dumps({"success": True, "result": {"count": len(datasets) - start,
                                                   "results": datasets[start:start + rows]}}).encode("utf-8")


def serve(port: int, total: int, size: int) -> None:
    """Serves the generated catalogue in the three formats, whole, or a slice of it under a path starting with
    ``/s<first>-<end>`` (datasets first to end - 1; ``--rounds``)."""
    data_json = {}
    ckan = ckan_datasets(total)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            sliced = re.match(r"/s(\d+)-(\d+)", self.path)
            lo, hi = (int(sliced.group(1)), int(sliced.group(2))) if sliced else (0, total)
            if "/data.json" in self.path:
                if (lo, hi) not in data_json:
                    data_json[lo, hi] = data_json_body(lo, hi)
                body, content_type = data_json[lo, hi], "application/json"
            elif "/api/3/action/package_search" in self.path:
                body, content_type = package_search_body(ckan[lo:hi], urlsplit(self.path).query), "application/json"
            else:
                page = int(parse_qs(urlsplit(self.path).query).get("page", ["1"])[0])
                base = "http://127.0.0.1:%d%s" % (port, urlsplit(self.path).path.rsplit("/", 1)[0])
                pages = max(1, -(-(hi - lo) // size))
                body, content_type = page_body(base, page, pages, size, lo, hi), "text/turtle"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def start_consumers(ini: str, n: int) -> list:
    """n ``ckan pida fetch-consumer`` processes on an ini with the bench's plugins (the CKAN_* variables of
    this process reach them too), started now so that they are up when the first job is queued."""
    if n <= 0:
        return []
    import os
    import subprocess
    import tempfile
    path = os.path.join(tempfile.mkdtemp(prefix="pida-bench-"), "consumer.ini")
    with open(ini, encoding="utf-8") as f:
        base = f.read()
    logging_sections = base[base.index("[loggers]"):] if "[loggers]" in base else ""  # CKAN 2.11 reads them here
    with open(path, "w") as f:
        f.write("[app:main]\nuse = config:%s\nckan.plugins = %s\nckan.search.solr_commit = false\n\n%s" % (
            os.path.abspath(ini), PLUGINS, logging_sections))
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    log = open(os.path.join(os.path.dirname(path), "consumers.log"), "w")
    print("extra fetch consumers log to", log.name, flush=True)
    processes = [subprocess.Popen([ckan, "-c", path, "pida", "fetch-consumer"], stdout=log, stderr=log)
                 for _ in range(n)]
    time.sleep(15)  # CKAN's start-up
    return processes


def gather_only(runner, source_id: str) -> int:
    """The gather stage of a first run, then the queues emptied: the number of objects it queued."""
    import ckan.model as model
    from ckanext.harvest import queue
    from ckanext.harvest.model import HarvestObject
    job = runner.request_job(source_id)
    runner.drain_gather()
    queue.purge_queues()
    queued = model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job["id"]).count()
    model.Session.remove()
    return queued


def floor_dicts(tk, context: dict, org: dict, reader: str, port: int, tag: str, prefix: str = "") -> list:
    """Exactly the dicts and context a first import of the reader's catalogue sends to package_create, prepared
    before the clock starts: a source of its own is gathered (read, mapped, hashed), then each object gets what the
    import adds (a name of its own, provenance, the detections)."""
    import ckan.model as model
    from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource
    from ckanext.pida.hub import review
    from ckanext.pida.hub.harvesters import config as source_config
    from ckanext.pida.hub.harvesters import records, runner
    source_type, path, country = READERS[reader]
    source = tk.get_action("harvest_source_create")(dict(context), {
        "name": "bench-floor-%s-%s" % (reader, tag), "title": "Bench floor " + reader, "source_type": source_type,
        "url": "http://127.0.0.1:%d%s/f%s%s" % (port, prefix, tag, path), "owner_org": org["id"],
        "config": json.dumps({"country": country, "full_run_days": 0, "timeout": 60, "max_size_mb": 500})})
    gather_only(runner, source["id"])
    source_obj = HarvestSource.get(source["id"])
    cfg = source_config.parse(source_obj.config)
    prepared = []
    for i, obj in enumerate(model.Session.query(HarvestObject).filter(
            HarvestObject.harvest_source_id == source["id"])):
        content = json.loads(obj.content)
        data = records.for_hub(content["dataset"], cfg=cfg, source=source_obj, guid=obj.guid, digest=content["hash"],
                               name="floor-%s-%d" % (tag, i), owner_org=org["id"])
        review.annotate(data, obj.guid, content["hash"], cfg["country"])
        prepared.append(data)
    # Nothing of this source is left waiting: ckanext-harvest's harvest_jobs_run re-queues waiting objects, and a
    # run would import them.
    model.Session.query(HarvestObject).filter(HarvestObject.harvest_source_id == source["id"]).update(
        {"state": "COMPLETE", "current": False})
    model.Session.query(HarvestJob).filter(HarvestJob.source_id == source["id"]).update({"status": "Finished"})
    model.Session.commit()
    model.Session.remove()
    return prepared


def time_floor(tk, prepared: list, processes: int = 1) -> float:
    """Seconds for a bare package_create of the prepared dicts (``floor_dicts``), with the import's context: the
    least an import can cost. With ``processes`` > 1, that many processes (forked) share the dicts at once, as that
    many fetch consumers share a job."""
    import ckan.model as model
    from ckanext.pida.hub.harvesters import datajson
    context = datajson.RegionalProfileHarvester()._context()  # the import's (every reader's is the same)

    def create(share):
        for data in share:
            tk.get_action("package_create")(dict(context), data)
            model.Session.remove()  # as after every web request or harvest object: a session that grows slows down

    def child(share):
        model.Session.remove()
        model.meta.engine.dispose()  # the parent's connections are not shared with a forked process
        create(share)

    started = time.monotonic()
    if processes <= 1:
        create(prepared)
        return time.monotonic() - started
    model.Session.remove()
    model.meta.engine.dispose()
    fork = multiprocessing.get_context("fork")
    children = [fork.Process(target=child, args=(prepared[i::processes],)) for i in range(processes)]
    for process in children:
        process.start()
    for process in children:
        process.join()
    if any(process.exitcode for process in children):
        raise RuntimeError("a floor process failed")
    return time.monotonic() - started


def run_timed(tk, runner, context: dict, source: dict) -> tuple:
    """One job of a source, beside the other consumers: (seconds, the run's counts, the job's status)."""
    started = time.monotonic()
    job = runner.run_now(source["id"])
    elapsed = time.monotonic() - started
    health = tk.get_action("pida_harvest_health")(dict(context), {"id": source["id"]})[0]
    return elapsed, health["counts"], job["status"]


STOCK_PLUGINS = "dcat dcat_rdf_harvester harvest"


def stock_run(ini: str, port: int, total: int) -> None:
    """In a process of its own (other plugins): ckanext-dcat's stock ``dcat_rdf`` harvester, with CKAN's core
    schema and ``random-hex`` naming (the default ``number-sequence`` crashes on a no-change run), harvests the
    same Turtle catalogue twice through ckanext-harvest's own queues and callbacks. Prints one JSON line."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    config = load_config(ini)
    config["ckan.plugins"] = STOCK_PLUGINS
    config["ckan.search.solr_commit"] = False
    config["ckanext.harvest.default_dataset_name_append"] = "random-hex"
    app = make_app(config)
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckanext.harvest import queue
    from sqlalchemy import engine_from_config
    with app._wsgi_app.test_request_context():
        model.init_model(engine_from_config(dict(tk.config)))
        queue.purge_queues()
        context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
        org = tk.get_action("organization_create")(dict(context), {"name": "bench-stock-%d" % port})
        source = tk.get_action("harvest_source_create")(dict(context), {
            "name": "bench-stock-%d" % port, "title": "Bench stock", "source_type": "dcat_rdf",
            "url": "http://127.0.0.1:%d/stock/catalog.ttl" % port, "owner_org": org["id"],
            "config": json.dumps({"rdf_format": "turtle"})})
        out = {}
        for label in ("first run", "no-change run"):
            started = time.monotonic()
            job = tk.get_action("harvest_job_create")(dict(context), {"source_id": source["id"], "run": False})
            tk.get_action("harvest_send_job_to_gather_queue")(dict(context), {"id": job["id"]})
            for get_consumer, callback in ((queue.get_gather_consumer, queue.gather_callback),
                                           (queue.get_fetch_consumer, queue.fetch_callback)):
                consumer = get_consumer()
                while True:
                    method, channel, body = consumer.basic_get(None)
                    if body is None:
                        break
                    callback(channel, method, None, body)
            tk.get_action("harvest_jobs_run")(dict(context), {"source_id": source["id"]})
            model.Session.remove()
            shown = tk.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job["id"]})
            out[label] = {"elapsed": time.monotonic() - started, "status": shown["status"], "stats": shown["stats"]}
        out["peak_rss_mb"] = peak_rss_mb()
    print("STOCK " + json.dumps(out), flush=True)


def run_stock(ini: str, port: int, total: int) -> dict:
    import subprocess
    result = subprocess.run([sys.executable, __file__, "--ini", ini, "--datasets", str(total), "--stock-run",
                             str(port)], capture_output=True, text=True)
    line = next((l for l in result.stdout.splitlines() if l.startswith("STOCK ")), None)
    if line is None:
        raise RuntimeError("the stock harvester's run failed:\n" + result.stderr[-3000:])
    return json.loads(line[len("STOCK "):])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default="test.ini")
    parser.add_argument("--datasets", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--reset", action="store_true", help="empty the database and Solr core first")
    parser.add_argument("--readers", default="rdf,datajson,ckan", help="comma-separated: " + ", ".join(READERS))
    parser.add_argument("--consumers", default="1", help="comma-separated numbers of fetch consumers, e.g. 1,2")
    parser.add_argument("--floor", action="store_true", help="also time a bare package_create of the datasets")
    parser.add_argument("--rounds", type=int, default=1,
                        help="split the catalogue into this many slices, each harvested from a source of its own "
                             "right after its floor, so that runs and floors alternate (side by side)")
    parser.add_argument("--gather-only", action="store_true",
                        help="run only the gather stage of a first run (reading, mapping, hashing, queueing), to "
                             "measure its memory at a given size; run once per size, the peak RSS is per process")
    parser.add_argument("--stock", action="store_true",
                        help="also harvest the Turtle catalogue with ckanext-dcat's stock dcat_rdf harvester (core "
                             "schema, random-hex names, one consumer, in a process of its own)")
    parser.add_argument("--rebuild", type=int, default=0, metavar="N",
                        help="also time a search index rebuild of N harvested datasets (ckan search-index rebuild's "
                             "own function, one process)")
    parser.add_argument("--stock-run", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stock_run:
        stock_run(args.ini, args.stock_run, args.datasets)
        return 0
    consumer_counts = [int(c) for c in args.consumers.split(",")]

    port = free_port()
    server = multiprocessing.Process(target=serve, args=(port, args.datasets, args.page_size), daemon=True)
    server.start()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    config = load_config(args.ini)
    config["ckan.plugins"] = PLUGINS
    config["ckan.search.solr_commit"] = False  # as in production: Solr's autoCommit, not a commit per dataset
    app = make_app(config)

    import ckan.lib.search as search
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.cli.db import _run_migrations

    with app._wsgi_app.test_request_context():
        model.repo.init_db()
        for plugin in ("harvest", "pida"):
            _run_migrations(plugin)
        if args.reset:
            model.repo.delete_all()
            search.clear_all()
            # Earlier runs leave dead rows behind: without a vacuum the first measurement pays for them.
            with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
        # CKAN's own migration env binds the model to a NullPool engine (ckan/migration/env.py calls init_model):
        # every later commit would open a new PostgreSQL connection. A hub's harvest consumers never run
        # migrations, so measure them as they run: with the pooled engine CKAN makes at start-up.
        from sqlalchemy import engine_from_config
        model.init_model(engine_from_config(dict(tk.config)))  # with the CKAN_* overrides
        from ckanext.harvest import queue
        from ckanext.pida.hub.harvesters import runner
        queue.purge_queues()
        context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
        tk.get_action("pida_vocabulary_sync")(dict(context), {})
        org = tk.get_action("organization_create")(dict(context), {"name": "bench-%d" % port})
        time.sleep(0.5)  # the catalogue server is up

        results = []
        floors = {}  # (reader, consumers) -> seconds of each round
        stock = run_stock(args.ini, port, args.datasets) if args.stock else None
        readers = args.readers.split(",")
        bounds = [(args.datasets * r // args.rounds, args.datasets * (r + 1) // args.rounds)
                  for r in range(args.rounds)]
        for count in consumer_counts:
            # The floor's datasets are gathered before the extra consumers start (they would import them), kept as
            # JSON text until their turn.
            floor_texts = {(reader, lo): json.dumps(floor_dicts(tk, context, org, reader, port, "%s%d-%d" % (
                reader, count, lo), "/s%d-%d" % (lo, hi))) for reader in readers for lo, hi in bounds} \
                if args.floor and not args.gather_only else {}
            consumers = start_consumers(args.ini, count - 1)  # only while runs with that many consumers go on
            try:
                for reader in readers:
                    source_type, path, country = READERS[reader]
                    sources, firsts = [], []
                    for lo, hi in bounds:
                        if (reader, lo) in floor_texts:
                            # The same datasets created bare, by as many processes as consumers, just before their
                            # run (on a database smaller than the run's: the ratio errs against the hub).
                            floors.setdefault((reader, count), []).append(time_floor(
                                tk, json.loads(floor_texts.pop((reader, lo))), processes=count))
                        source = tk.get_action("harvest_source_create")(dict(context), {
                            "name": "bench-%s-%d-%d-%d" % (reader, count, lo, port), "title": "Bench " + reader,
                            "url": "http://127.0.0.1:%d/s%d-%d/c%d%s" % (port, lo, hi, count, path),  # its own
                            "source_type": source_type,
                            "owner_org": org["id"],
                            "config": json.dumps({"country": country, "full_run_days": 0, "timeout": 60,
                                                  "max_size_mb": 500, "page_size": args.page_size})})
                        sources.append(source)
                        if args.gather_only:
                            started = time.monotonic()
                            queued = gather_only(runner, source["id"])
                            firsts.append((time.monotonic() - started, {"queued": queued}, "gathered"))
                        else:
                            firsts.append(run_timed(tk, runner, context, source))
                    label = reader if args.gather_only else "%s x%d" % (reader, count)
                    results.append((label, "gather" if args.gather_only else "first run", firsts, count))
                    if not args.gather_only:
                        results.append((label, "no-change run", [run_timed(tk, runner, context, source)
                                                                 for source in sources], count))
            finally:
                for process in consumers:
                    process.terminate()
                for process in consumers:
                    process.wait()

        rebuild = None
        if args.rebuild:
            from ckanext.pida.hub.model import HarvestRecord
            ids = [r[0] for r in model.Session.query(HarvestRecord.package_id).filter(
                HarvestRecord.state == "active").limit(args.rebuild)]
            started = time.monotonic()
            search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
            rebuild = (len(ids), time.monotonic() - started)

    server.terminate()
    print("catalogue: %d datasets on 127.0.0.1 (rdf: Turtle, %d per page, Hydra paging; datajson: one data.json; "
          "ckan: package_search, %d per page)" % (args.datasets, args.page_size, args.page_size))
    rounds = " in %d rounds" % args.rounds if args.rounds > 1 else ""
    for (reader, count), seconds in floors.items():
        print("%-12s %-14s %7.1f s  %7.1f datasets/s  (package_create alone of the same %d datasets%s, %d process%s "
              "at once)" % ("%s x%d" % (reader, count), "floor", sum(seconds), args.datasets / sum(seconds),
                            args.datasets, rounds, count, "es" if count > 1 else ""))
    if stock:
        for label in ("first run", "no-change run"):
            run = stock[label]
            print("%-12s %-14s %7.1f s  %7.1f datasets/s  (ckanext-dcat dcat_rdf, core schema, one consumer; %s; %s)"
                  % ("stock x1", label, run["elapsed"], args.datasets / run["elapsed"], run["status"],
                     ", ".join("%s %d" % kv for kv in run["stats"].items())))
    for reader, label, runs, count in results:
        elapsed = sum(r[0] for r in runs)
        counts = {}
        for _seconds, run_counts, _status in runs:
            for key, value in run_counts.items():
                counts[key] = counts.get(key, 0) + value
        versus = ""
        floor = floors.get((reader.split(" ")[0], count))
        if floor and label == "first run":
            versus = "  per consumer %.2fx the floor's time a dataset" % (elapsed / sum(floor))
            if len(floor) > 1:
                ratios = sorted(r[0] / f for r, f in zip(runs, floor))
                versus += " (rounds: %.2f to %.2f, median %.2f)" % (ratios[0], ratios[-1], ratios[len(ratios) // 2])
        if stock and reader.startswith("rdf"):
            versus += "  %.1fx stock's speed" % (stock[label]["elapsed"] / elapsed)
        print("%-12s %-14s %7.1f s  %7.1f datasets/s%s  (%s; %s)" % (
            reader, label, elapsed, args.datasets / elapsed, versus, ", ".join(sorted({r[2] for r in runs})),
            ", ".join("%s %d" % kv for kv in counts.items())))
    if rebuild:
        print("%-12s %-14s %7.1f s  %7.1f datasets/s  (ckan search-index rebuild of %d harvested datasets, one "
              "process)" % ("rebuild", "", rebuild[1], rebuild[0] / rebuild[1], rebuild[0]))
    print("peak RSS of the harvesting process: %.0f MB" % peak_rss_mb()
          + ("; of the stock harvester's: %.0f MB" % stock["peak_rss_mb"] if stock else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
