#!/usr/bin/env python
"""Time of the coverage report at a given size, read from the index (today's path) beside the whole-dataset path
it replaced, on the same Solr core.

    CKAN_SOLR_URL=http://127.0.0.1:8983/solr/ckan_bench_coverage \\
        .venv/bin/python scripts/bench_coverage.py --ini test.ini --datasets 20000 100000

For each size, fills the Solr core given by --ini (or CKAN_SOLR_URL) with that many generated PIDA datasets of
eight countries, as CKAN indexes them with the pida plugin (the stored fields the coverage reads, and each
dataset's validated dict, which the whole-dataset path reads), then builds the report (all countries, and one
country) several times each way and prints the median time, the ratio, and whether both reports agree. The
core is emptied first: give it a core of its own.
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import statistics
import sys
import time

COUNTRIES = ["AR", "BR", "CL", "CO", "CR", "MX", "PE", "UY"]
FREQUENCIES = ["MONTHLY", "ANNUAL", "DAILY", "QUARTERLY"]
EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"


def documents(n: int, site_id: str, concepts: list[str], principle_ids: list[str]):
    """Solr documents of n datasets, built as ckanext-pida's before_dataset_index builds them."""
    from ckanext.pida import indexing, principles
    today = datetime.date.today()
    for i in range(n):
        country = COUNTRIES[i % len(COUNTRIES)]
        concept = concepts[(i * 7) % len(concepts)]
        modified = (today - datetime.timedelta(days=(i * 13) % 800)).isoformat()
        dataset_id = "bench-%07d" % i
        data = {"id": dataset_id, "name": "ds-%d" % i, "title": "Conjunto %d" % i, "type": "dataset",
                "pida_country": country, "pida_priority": [concept], "frequency": EU_FREQ + FREQUENCIES[i % 4],
                "modified": modified, "license_id": "cc-by", "notes": "Datos generados.", "private": False,
                "state": "active", "resources": [{"url": "https://datos.example/%d.csv" % i, "format": "CSV"}],
                "contact": [{"name": "Oficina", "email": "datos@example.gov"}], "pida_stages": ["prevention"],
                "metadata_modified": modified + "T00:00:00", "metadata_created": "2024-01-01T00:00:00"}
        evaluation = principles.evaluate(data)
        stale = principles.stale_after(data)
        doc = {"id": dataset_id, "index_id": hashlib.md5((dataset_id + site_id).encode()).hexdigest(),
               "site_id": site_id, "name": data["name"], "title": data["title"], "entity_type": "package",
               "dataset_type": "dataset", "state": "active", "capacity": "public", "permission_labels": ["public"],
               "metadata_modified": data["metadata_modified"] + "Z", "metadata_created": "2024-01-01T00:00:00Z",
               "vocab_pida_country": [country], "vocab_pida_priority": [concept],
               "vocab_pida_principles": ["{}:{}".format(p, e["status"]) for p, e in evaluation.items()],
               indexing.COVERAGE_FIELD: json.dumps({"modified": modified, "frequency": data["frequency"],
                                                    "detected": []}),
               "validated_data_dict": json.dumps(data), "data_dict": json.dumps(data)}
        if stale:
            doc[indexing.STALE_FIELD] = stale.replace(microsecond=0).isoformat() + "Z"
            doc[indexing.INDEXED_FIELD] = datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z"
        yield doc


def median_seconds(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def cells(rep) -> dict:
    return {(r["code"], c): cell["status"] for r in rep["countries"] for c, cell in r["cells"].items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default="test.ini")
    parser.add_argument("--datasets", type=int, nargs="+", default=[20000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    config = load_config(args.ini)
    config["ckan.plugins"] = "pida scheming_datasets"
    config["ckan.search.rows_max"] = 1000
    app = make_app(config)

    import ckan.plugins.toolkit as tk
    from ckan.lib.search.common import make_connection
    from ckanext.pida import coverage, vocabulary

    conn = make_connection()
    site_id = tk.config.get("ckan.site_id")
    concepts = [c["id"] for c in vocabulary.concepts()]
    principle_ids = [p["id"] for p in vocabulary.principles()]
    print("coverage report, median of %d; Solr %s" % (args.repeat, conn.url))
    with app._wsgi_app.test_request_context():
        for n in args.datasets:
            conn.delete(q="*:*", commit=True)
            batch = []
            for doc in documents(n, site_id, concepts, principle_ids):
                batch.append(doc)
                if len(batch) == 5000:
                    conn.add(batch, commit=False)
                    batch = []
            if batch:
                conn.add(batch, commit=False)
            conn.commit()
            context = {"ignore_auth": True}
            now = datetime.datetime.utcnow()
            for label, country in (("all countries", None), ("one country", "CO")):
                countries = [country] if country else COUNTRIES
                index_s, from_index = median_seconds(
                    lambda: coverage.build(coverage.index_datasets(country), countries, now=now, lang="en"),
                    args.repeat)
                whole_s, whole = median_seconds(
                    lambda: coverage.build(coverage.site_datasets(context, country), countries, now=now, lang="en"),
                    max(1, args.repeat // 2))
                same = cells(from_index) == cells(whole) and \
                    [r["totals"] for r in from_index["countries"]] == [r["totals"] for r in whole["countries"]]
                print("%7d datasets, %-13s from the index %6.3f s | whole datasets %6.3f s | %5.1fx faster | "
                      "same cells and totals: %s" % (n, label, index_s, whole_s, whole_s / index_s, same))
            conn.delete(q="*:*", commit=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
