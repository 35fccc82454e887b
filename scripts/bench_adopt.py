#!/usr/bin/env python
"""Speed and memory of ``ckan pida adopt`` on a large legacy portal: datasets/s and peak memory, at each size.

    scripts/services.sh core ckan_bench_adopt .venv/bin/python && scripts/services.sh db ckan_bench_adopt
    CKAN_SQLALCHEMY_URL=postgresql://ckan_default:pass@127.0.0.1:5432/ckan_bench_adopt \\
    CKAN_SOLR_URL=http://127.0.0.1:8983/solr/ckan_bench_adopt CKAN_REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python scripts/bench_adopt.py --ini test.ini --datasets 10000 100000

The portal is generated (a benchmark's catalogue, not a test input): rows inserted straight into the database, as
a portal of years of datasets has them before the plugin, in the shapes of ``tests/legacy_portal.py`` (titles and
descriptions of the evaluation set, free extras in Spanish and Portuguese, odd dates, private and unowned
datasets, one to three resources). For each size, the missing rows are added, then each mode (``dry``: the
report only; ``apply``: saved, indexed) runs in a fresh process over every dataset, exactly as ``ckan pida adopt``
(``adoption.run``), and prints datasets/s and the process's peak resident memory. The apply of a size adopts the
datasets the previous size left; the datasets it adds are new. Give it a database and a Solr core of its own: the
first size empties them.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))


def load(ini: str):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    config = load_config(ini)
    config["ckan.plugins"] = "pida scheming_datasets dcat"
    config["ckanext.pida.country"] = "CO"
    config["ckan.auth.create_unowned_dataset"] = True  # the portal has datasets without an organisation
    return make_app(config)


def ensure_portal(total: int) -> int:
    """Inserts the legacy datasets the portal lacks (up to ``total``); returns how many there are."""
    import ckan.model as model
    legacy_portal = _legacy_portal()
    entries = legacy_portal._evaluation()
    have = model.Session.query(model.Package).count()
    if have >= total:
        return have
    orgs = []
    for name, title in legacy_portal.ORGANIZATIONS:
        org = model.Group.by_name(name)
        if org is None:
            org = model.Group(name=name, title=title, type="organization", is_organization=True)
            model.Session.add(org)
            model.Session.flush()
        orgs.append(org.id)
    model.Session.commit()
    rng = random.Random(have)
    pools = (legacy_portal.FREQUENCY_EXTRAS, legacy_portal.DATE_EXTRAS, legacy_portal.MODIFIED_EXTRAS,
             legacy_portal.LANGUAGE_EXTRAS, legacy_portal.PERSONAL_EXTRAS, legacy_portal.OTHER_EXTRAS)
    now = datetime.datetime.utcnow()
    for start in range(have, total, 5000):
        packages, resources = [], []
        for n in range(start, min(total, start + 5000)):
            entry = entries[n % len(entries)]
            extras = {}
            for pool in pools:
                pick = rng.choice(pool)
                if pick and pick[0] not in extras:
                    extras[pick[0]] = pick[1]
            author, author_email = rng.choice(legacy_portal.PEOPLE)
            maintainer, maintainer_email = rng.choice(legacy_portal.PEOPLE)
            unowned = n % 17 == 5
            package_id = str(uuid.UUID(int=rng.getrandbits(128)))
            packages.append({
                "id": package_id, "name": "conjunto-%07d" % n, "title": "%s %d" % (entry["title"][:150], n),
                "notes": entry.get("notes") or "", "author": author, "author_email": author_email,
                "maintainer": maintainer, "maintainer_email": maintainer_email,
                "license_id": rng.choice(legacy_portal.LICENCES), "type": "dataset",
                "owner_org": None if unowned else rng.choice(orgs), "private": (not unowned) and n % 11 == 3,
                "state": "draft" if n % 23 == 7 else "active", "metadata_created": now, "metadata_modified": now,
                "url": rng.choice(["", "https://www.gov.example/datos/%d" % n, "Portal de transparencia"]),
                "extras": extras, "plugin_data": None, "version": None, "creator_user_id": None,
            })
            for r, fmt in enumerate(rng.sample(["CSV", "XLSX", "JSON", "PDF"], rng.randint(1, 3))):
                resources.append({
                    "id": str(uuid.UUID(int=rng.getrandbits(128))), "package_id": package_id, "position": r,
                    "url": "https://datos.gov.example/files/%d-%d.%s" % (n, r, fmt.lower()), "format": fmt,
                    "name": "%s (%s)" % (entry["title"][:60], fmt), "state": "active", "created": now,
                    "metadata_modified": now, "extras": {}, "url_type": None, "description": "", "hash": "",
                    "resource_type": None, "mimetype": None, "mimetype_inner": None, "size": None,
                    "last_modified": None, "cache_url": None, "cache_last_updated": None})
        conn = model.Session.connection()  # a commit closes the previous one
        conn.execute(model.package_table.insert(), packages)
        conn.execute(model.resource_table.insert(), resources)
        model.Session.commit()
        print("  inserted %d legacy datasets" % (start + len(packages)), file=sys.stderr)
    return total


def _legacy_portal():
    """tests/legacy_portal.py, by path (CKAN puts a ``tests`` package of its own on the path)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "pida_legacy_portal", os.path.join(os.path.dirname(HERE), "tests", "legacy_portal.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_mode(ini: str, mode: str) -> dict:
    """One adoption over every dataset, in this process (the child): its figures as JSON."""
    app = load(ini)
    import ckan.plugins.toolkit as tk
    from ckanext.pida import adoption
    # The report goes to a file, as `ckan pida adopt --report` writes it (in memory, its rows would be measured).
    with app._wsgi_app.test_request_context(), tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as out:
        report = adoption.Report(out, "es")
        rss = []

        def progress(n):
            rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)

        started = time.perf_counter()
        summary = adoption.run(report, apply=(mode == "apply"), country=tk.config.get("ckanext.pida.country"),
                               batch_size=500, progress=progress)
        elapsed = time.perf_counter() - started
    # Peak resident memory after the first batch, after a tenth, half and all of the datasets.
    marks = [rss[0], rss[len(rss) // 10], rss[len(rss) // 2], rss[-1]] if rss else []
    return {"mode": mode, "datasets": summary.datasets, "changed": summary.changed, "refused": summary.refused,
            "suggested": summary.suggested, "seconds": round(elapsed, 1),
            "per_second": round(summary.datasets / elapsed, 1), "peak_mb": rss[-1] if rss else None,
            "peak_mb_after_first_batch": rss[0] if rss else None, "memory_marks": marks}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default="test.ini")
    parser.add_argument("--datasets", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--modes", default="dry,apply")
    parser.add_argument("--apply-up-to", type=int, default=None,
                        help="run the apply mode only at sizes up to this one (a 100,000 apply takes hours)")
    parser.add_argument("--fresh", action="store_true", help="empty the database and the core first")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_mode(args.ini, args.child)))
        return 0

    app = load(args.ini)
    import ckan.model as model
    from ckan.cli.db import _run_migrations
    import ckan.plugins.toolkit as tk
    with app._wsgi_app.test_request_context():
        model.repo.init_db()
        _run_migrations("pida")
        tk.get_action("pida_vocabulary_sync")({"ignore_auth": True, "user": tk.get_action("get_site_user")(
            {"ignore_auth": True}, {})["name"]}, {})
        first = min(args.datasets)
        if args.fresh or model.Session.query(model.Package).count() > first:
            model.repo.delete_all()
            import ckan.lib.search as search
            search.clear_all()
            model.repo.init_db()
            tk.get_action("pida_vocabulary_sync")({"ignore_auth": True, "user": tk.get_action("get_site_user")(
                {"ignore_auth": True}, {})["name"]}, {})
    print("size     mode   datasets  datasets/s  seconds  peak MB after the first batch, 10 %, 50 %, all")
    for size in sorted(args.datasets):
        with app._wsgi_app.test_request_context():
            ensure_portal(size)
            model.Session.remove()
        for mode in args.modes.split(","):
            if mode == "apply" and args.apply_up_to is not None and size > args.apply_up_to:
                print("%-8d %-6s (not run: --apply-up-to %d)" % (size, mode, args.apply_up_to), flush=True)
                continue
            out = subprocess.run([sys.executable, __file__, "--ini", args.ini, "--child", mode],
                                 capture_output=True, text=True, check=True)
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            print("%-8d %-6s %8d  %10.1f  %7.1f  %s" % (
                size, mode, figures["datasets"], figures["per_second"], figures["seconds"],
                " ".join(str(m) for m in figures["memory_marks"])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
