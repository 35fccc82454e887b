#!/usr/bin/env python
"""Time of a national portal's catalogue pages with the ``pida`` profile, beside stock ``euro_dcat_ap_3`` alone,
on the same portal, side by side (alternating), in each format, first page and deep in the walk.

    CKAN_SQLALCHEMY_URL=postgresql://ckan_default:pass@127.0.0.1:5432/ckan_bench_catalog \\
    CKAN_SOLR_URL=http://127.0.0.1:8983/solr/ckan_bench_catalog CKAN_REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python scripts/bench_catalog.py --ini test.ini --datasets 2000

Creates the datasets that are missing (PIDA datasets modelled on the demo's, through package_create: the first
run takes a few minutes), then serves pages of --rows datasets through the catalogue action (``dcat_catalog_show``,
as /catalog.ttl does, without HTTP), each --repeat times per profile and format, and prints the medians and the
ratios pida / stock. Stock is ``euro_dcat_ap_3`` serialised whole at every request (the cache of parts off).
pida is timed three ways:

* changed: the page's datasets all changed (the cache emptied), then the background job ran
  (``catalog_warming.warm``, what ``ckan jobs worker`` does a few seconds after a dataset is indexed, in every
  format of ``ckanext.pida.catalog.warm_formats``); the job's own time a dataset is printed too;
* cold: the cache emptied and no job run (a lost Redis, or no worker): every part serialised by the page itself;
* warm: every part already read once.

Use a database, Solr core and Redis database of its own.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STOCK, PIDA = "euro_dcat_ap_3", "euro_dcat_ap_3,pida"


def ensure_datasets(tk, n: int) -> int:
    context = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
    have = tk.get_action("package_search")(dict(context), {"rows": 0, "fq": "dataset_type:dataset"})["count"]
    if have >= n:
        return have
    with open(os.path.join(ROOT, "demo", "samples", "portal-co", "datasets.json"), encoding="utf-8") as f:
        templates = json.load(f)
    with open(os.path.join(ROOT, "demo", "samples", "portal-co", "organizations.json"), encoding="utf-8") as f:
        orgs = json.load(f)
    tk.get_action("pida_vocabulary_sync")(dict(context), {})
    for org in orgs:
        try:
            tk.get_action("organization_show")(dict(context), {"id": org["name"]})
        except tk.ObjectNotFound:
            tk.get_action("organization_create")(dict(context), org)
    started = time.monotonic()
    for i in range(have, n):
        data = copy.deepcopy(templates[i % len(templates)])
        data["name"] = "%s-%d" % (data["name"][:80], i)
        data.setdefault("pida_country", "CO")
        data["title"] = "%s (%d)" % (data["title"], i)
        for resource in data.get("resources") or []:
            resource["url"] = resource["url"].replace(".json", "-%d.json" % i).replace(".csv", "-%d.csv" % i)
        tk.get_action("package_create")(dict(context), data)
        if (i + 1) % 250 == 0:
            print("  %d datasets created (%.0f/s)" % (i + 1, (i + 1 - have) / (time.monotonic() - started)),
                  flush=True)
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default="test.ini")
    parser.add_argument("--datasets", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--formats", default="ttl,jsonld,rdf")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    config = load_config(args.ini)
    config["ckan.plugins"] = "pida scheming_datasets dcat"
    config["ckan.search.solr_commit"] = False
    app = make_app(config)

    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckan.cli.db import _run_migrations
    from sqlalchemy import engine_from_config

    with app._wsgi_app.test_request_context():
        model.repo.init_db()
        _run_migrations("pida")
        model.init_model(engine_from_config(dict(tk.config)))  # pooled, as a running site (see bench_harvest.py)
        total = ensure_datasets(tk, args.datasets)
        import ckan.lib.search as search
        search.commit()
        pages = max(1, -(-total // args.rows))
        deep = max(1, int(pages * 0.75))
        show = tk.get_action("dcat_catalog_show")
        print("catalogue of %d PIDA datasets, pages of %d, median of %d, alternating stock and pida" % (
            total, args.rows, args.repeat))
        from ckanext.pida import catalog_cache
        ttl = tk.config.get("ckanext.pida.catalog.cache_ttl")

        from ckanext.pida import catalog, catalog_warming

        def flush():
            redis = catalog_cache._redis()
            keys = redis.keys(catalog_cache.KEY_PREFIX + "*")
            if keys:
                redis.delete(*keys)

        def timed(fmt, page, profiles, cache_ttl, before=None):
            tk.config["ckanext.pida.catalog.cache_ttl"] = cache_ttl
            if before:
                before()
            started = time.perf_counter()
            body = show({"ignore_auth": True}, {"format": fmt, "page": page, "rows": args.rows, "profiles": profiles})
            return time.perf_counter() - started, len(body)

        job_times = []

        def changed_then_job(page):
            ids = [d["id"] for d in catalog.catalog_page({"page": page, "rows": args.rows})[0]]

            def before():
                flush()
                started = time.perf_counter()
                catalog_warming.warm(ids)
                job_times.append((time.perf_counter() - started) / len(ids))
            return before

        print("%-7s %-9s %10s %16s %6s %12s %6s %12s %6s %8s %8s" % (
            "format", "page", "stock", "pida changed+job", "ratio", "pida cold", "ratio", "pida warm", "ratio",
            "bytes", "+ pida"))
        for fmt in args.formats.split(","):
            for label, page in (("first", 1), ("page %d" % deep, deep)):
                times = {"stock": [], "changed": [], "cold": [], "warm": []}
                sizes = {}
                for _ in range(args.repeat):
                    for run, profiles, cache_ttl, before in (
                            ("stock", STOCK, 0, None), ("changed", PIDA, ttl, changed_then_job(page)),
                            ("cold", PIDA, ttl, flush), ("warm", PIDA, ttl, None)):
                        elapsed, sizes[run] = timed(fmt, page, profiles, cache_ttl, before)
                        times[run].append(elapsed)
                stock, changed, cold, warm = (statistics.median(times[k]) for k in ("stock", "changed", "cold", "warm"))
                print("%-7s %-9s %7.0f ms %13.0f ms %6.2f %9.0f ms %6.2f %9.0f ms %6.2f %8d %8d" % (
                    fmt, label, stock * 1000, changed * 1000, changed / stock, cold * 1000, cold / stock,
                    warm * 1000, warm / stock, sizes["stock"], sizes["warm"]), flush=True)
        print("background job (every format of ckanext.pida.catalog.warm_formats): %.1f ms a dataset (median)" % (
            statistics.median(job_times) * 1000))
        tk.config["ckanext.pida.catalog.cache_ttl"] = ttl
    return 0


if __name__ == "__main__":
    sys.exit(main())
