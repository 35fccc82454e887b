"""Coverage of the PIDA priority datasets: countries (rows) by the 30 priority datasets (columns).

A cell is ``published`` (at least one public dataset of that country declares the concept, has at least one file or
link, and is up to date; a dataset without data never counts),
``out_of_date`` (there are some, none up to date), ``not_opening`` (there are some, and the link checker found that
none of their links opens: "published, but the data does not open", with since when; never up to date),
``detected`` (no dataset declares it, but the hub detected it in
some that wait for a hub editor's confirmation: "detected, to be confirmed") or ``missing``. A concept a hub editor
confirmed is in the dataset's ``pida_priority`` and counts as declared. Up to date is the Charter check the principles
use (``principles.is_up_to_date``): the last update (``modified``) is no older than the declared frequency's
interval, or the concept's ``max_update_interval`` when the frequency has none, times the tolerance
``ckanext.pida.coverage.tolerance`` (default 1.2, as Argentina's monitor). A dataset whose interval cannot be
known (irregular frequency and no concept interval) counts as up to date.

Per country: totals of the five, ``share_up_to_date`` (published and up to date / 30), ``share_published``
((published + out of date + not opening) / 30), both from declared and confirmed datasets only, ``share_detected`` (detected /
30), and the Charter principle evaluation of its priority datasets (how many datasets
meet, partly meet or do not meet each principle), and the quality of its counted datasets: ``quality`` (average
MQA score and its rating, ckanext/pida/quality), ``share_links_working`` (of the links checked) and
``share_machine_readable`` (of the distributions). The same report serves the page, JSON and CSV, and is
snapshotted each day per country (``pida_coverage_snapshot``) for the progress chart.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import queue
import threading
from typing import Iterable, Optional

import ckan.model as model
from ckan.plugins import plugin_loaded
import ckan.plugins.toolkit as tk

from ckanext.pida import indexing, principles, review, vocabulary
from ckanext.pida.quality import score as quality_score
from ckanext.pida.model import CoverageSnapshot

PUBLISHED, OUT_OF_DATE, NOT_OPENING, DETECTED, MISSING = "published", "out_of_date", "not_opening", "detected", \
    "missing"
STATUSES = (PUBLISHED, OUT_OF_DATE, NOT_OPENING, DETECTED, MISSING)
#: A cell shows the best status of its datasets.
_RANK = {PUBLISHED: 4, OUT_OF_DATE: 3, NOT_OPENING: 2, DETECTED: 1, MISSING: 0}
PAGE = 500


def dataset_status(pkg: dict, now: datetime.datetime) -> str:
    if quality_values(pkg)["opens"] is False:
        return NOT_OPENING
    if "_stale" in pkg:  # read from the index (index_datasets)
        return OUT_OF_DATE if pkg["_stale"] and now > pkg["_stale"] else PUBLISHED
    return OUT_OF_DATE if principles.is_up_to_date(pkg, now) is False else PUBLISHED


def has_data(pkg: dict) -> bool:
    """Whether the dataset has at least one distribution with a file or link."""
    if "_has_data" in pkg:  # read from the index
        return pkg["_has_data"]
    return any(r.get("url") for r in pkg.get("resources") or [])


#: What the coverage reads of a dataset's quality (``quality.logic.coverage_values``).
QUALITY_KEYS = ("quality", "opens", "broken_since", "links", "broken_links", "failing_since", "distributions",
                "machine_readable", "missing")


def quality_values(pkg: dict) -> dict:
    """What the coverage shows of a dataset's quality (``quality.logic.coverage_values``): read from the index
    (``_quality``), or measured on a whole dataset dict."""
    if "_quality" in pkg:
        return pkg["_quality"]
    from ckanext.pida.quality import logic as quality_logic
    pkg["_quality"] = quality_logic.coverage_values(quality_logic.report(pkg))
    return pkg["_quality"]


def _principle_statuses(pkg: dict, now: datetime.datetime) -> dict:
    if "_principles" in pkg:  # read from the index
        return pkg["_principles"]
    return {p: e["status"] for p, e in principles.evaluate(pkg, now).items()}


def build(datasets: Iterable[dict], countries: Iterable[str] = (), now: Optional[datetime.datetime] = None,
          lang: Optional[str] = None) -> dict:
    """The coverage report of ``datasets`` (package dicts). ``countries`` adds rows even without datasets."""
    now = now or datetime.datetime.utcnow()
    concepts = vocabulary.concepts()
    rows: dict[str, dict] = {}

    def row(code: str) -> dict:
        if code not in rows:
            rows[code] = {"cells": {c["id"]: {"status": MISSING, "datasets": []} for c in concepts},
                          "principles": {p["id"]: {s: 0 for s in (principles.MET, principles.PARTLY,
                                                                  principles.NOT_MET)}
                                         for p in vocabulary.principles()},
                          "datasets": 0, "detected_datasets": 0,
                          "quality": {"scores": [], "links_working": 0, "links_checked": 0, "distributions": 0,
                                      "machine_readable": 0}}
        return rows[code]

    for code in countries:
        if vocabulary.country(code):
            row(code.upper())
    for pkg in datasets:
        code = (pkg.get("pida_country") or "").upper()
        ids = [i for i in _as_list(pkg.get("pida_priority")) if vocabulary.concept(i)]
        detected = [d for d in detected_concepts(pkg) if d["id"] not in ids and vocabulary.concept(d["id"])]
        if not vocabulary.country(code) or not (ids or detected):
            continue
        r = row(code)
        for proposal in detected:
            cell = r["cells"][proposal["id"]]
            cell["datasets"].append({"name": pkg["name"], "title": pkg.get("title") or pkg["name"],
                                     "status": DETECTED, "score": proposal.get("score"),
                                     "evidence": proposal.get("evidence") or []})
            if cell["status"] == MISSING:
                cell["status"] = DETECTED
        if detected:
            r["detected_datasets"] += 1
        if not ids or not has_data(pkg):  # a dataset without a file or link never counts as published
            continue
        r["datasets"] += 1
        status = dataset_status(pkg, now)
        values = quality_values(pkg)
        entry = {"name": pkg["name"], "title": pkg.get("title") or pkg["name"], "status": status,
                 "modified": pkg.get("modified"), "frequency": pkg.get("frequency"),
                 "quality": values.get("quality"), "broken_since": values.get("broken_since"),
                 "late_since": _late_since(pkg) if status == OUT_OF_DATE else None,
                 "organization": _organization(pkg)}
        _add_quality(r["quality"], values)
        for concept_id in ids:
            cell = r["cells"][concept_id]
            cell["datasets"].append(entry)
            if _RANK[status] > _RANK[cell["status"]]:
                cell["status"] = status
            if cell["status"] == NOT_OPENING:  # since when none of its datasets opens: the latest of their failures
                cell["broken_since"] = max(d.get("broken_since") or "" for d in cell["datasets"]) or None
        for principle_id, status in _principle_statuses(pkg, now).items():
            if principle_id in r["principles"] and status in r["principles"][principle_id]:
                r["principles"][principle_id][status] += 1

    total = len(concepts)
    out_rows = []
    for code, r in rows.items():
        totals = {s: sum(1 for c in r["cells"].values() if c["status"] == s) for s in STATUSES}
        country = vocabulary.country(code)
        out_rows.append({
            "code": code,
            "name": vocabulary.text(country.get("name"), lang),
            "datasets": r["datasets"],
            "detected_datasets": r["detected_datasets"],
            "totals": dict(totals, total=total),
            "share_up_to_date": round(totals[PUBLISHED] / total, 4),
            "share_published": round((totals[PUBLISHED] + totals[OUT_OF_DATE] + totals[NOT_OPENING]) / total, 4),
            "share_detected": round(totals[DETECTED] / total, 4),
            "cells": r["cells"],
            "principles": r["principles"],
            **_quality_figures(r["quality"]),
        })
    out_rows.sort(key=lambda r: r["name"])
    return {
        "generated": now.replace(microsecond=0).isoformat() + "Z",
        "tolerance": principles.tolerance(),
        "concepts": [{"id": c["id"], "notation": c.get("notation"), "label": vocabulary.text(c["label"], lang),
                      "definition": vocabulary.text(c.get("definition"), lang), "category": c.get("category")}
                     for c in concepts],
        "categories": [{"id": cat["id"], "label": vocabulary.text(cat["label"], lang),
                        "definition": vocabulary.text(cat.get("definition"), lang),
                        "concepts": [c["id"] for c in concepts if c.get("category") == cat["id"]]}
                       for cat in vocabulary.section("categories")],
        "principles": [{"id": p["id"], "number": p["number"], "label": vocabulary.text(p["label"], lang)}
                       for p in vocabulary.principles()],
        "countries": out_rows,
    }


def _late_since(pkg: dict) -> Optional[str]:
    """The day an out of date dataset went out of date (ISO)."""
    stale = pkg["_stale"] if "_stale" in pkg else principles.stale_after(pkg)
    return stale.date().isoformat() if stale else None


def _organization(pkg: dict) -> Optional[str]:
    """The name of the organisation that publishes the dataset (index documents carry it as a name)."""
    org = pkg.get("organization")
    return (org.get("name") if isinstance(org, dict) else org) or None


def _add_quality(acc: dict, values: dict) -> None:
    if values.get("quality") is not None:
        acc["scores"].append(values["quality"])
    links = values.get("links") or {}
    acc["links_working"] += links.get("working", 0)
    acc["links_checked"] += links.get("checked", 0)
    acc["distributions"] += values.get("distributions", 0)
    acc["machine_readable"] += values.get("machine_readable", 0)


def _quality_figures(acc: dict) -> dict:
    """A country's average quality score and rating, share of working links and of machine-readable distributions
    (None when there is nothing to measure: no dataset, no link checked yet)."""
    average = round(sum(acc["scores"]) / len(acc["scores"]), 1) if acc["scores"] else None
    return {
        "quality": {"score": average, "rating": quality_score.rating(average) if average is not None else None,
                    "datasets": len(acc["scores"])},
        "share_links_working": round(acc["links_working"] / acc["links_checked"], 4) if acc["links_checked"]
        else None,
        "links_checked": acc["links_checked"],
        "share_machine_readable": round(acc["machine_readable"] / acc["distributions"], 4) if acc["distributions"]
        else None,
    }


def detected_concepts(pkg: dict) -> list[dict]:
    """The detections on a dataset that wait for review: ``[{"id", "score", "evidence"}]``."""
    return review.pending(pkg)


def _as_list(value) -> list:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


#: What the coverage reads of each dataset in the index.
INDEX_FIELDS = ("id", "name", "title", "organization", "vocab_pida_country", "vocab_pida_priority", "vocab_pida_principles",
                indexing.STALE_FIELD, indexing.COVERAGE_FIELD)
INDEX_PAGE = 5000


def index_datasets(country: Optional[str] = None) -> Iterable[dict]:
    """The public, active datasets of this site that declare a priority dataset or are detected as one, read from
    the search index alone: a few stored fields, in pages of ``INDEX_PAGE`` with Solr's cursor. No dataset is
    loaded from the database or validated, and no principle is evaluated at request time (the index has them, and
    the date each dataset goes out of date). Yields the light dicts ``build`` takes."""
    from ckan.lib.search.common import make_connection
    conn = make_connection(decode_dates=False)  # pysolr's date hook runs on every object of the response
    fq = ['+site_id:"{}"'.format(tk.config.get("ckan.site_id")), "+capacity:public", "+state:active",
          "+dataset_type:dataset", "vocab_pida_priority:[* TO *] OR vocab_pida_detected:[* TO *]"]
    if country:
        fq.append('+vocab_pida_country:"{}"'.format(country.upper().replace('"', "")))
    for docs in _pages_ahead(conn, fq):
        for doc in docs:
            yield _from_index(doc)


def _pages_ahead(conn, fq: list[str]) -> Iterable[list]:
    """The documents, a page at a time, with Solr's cursor; the next page is fetched in a thread while the caller
    reads this one (at 100,000 datasets, Solr's time was a third of the report's)."""
    pages: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()  # the reader gave up: the thread ends instead of waiting to hand a page over

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def fetch():
        cursor = "*"
        try:
            while True:
                result = conn.search("*:*", fq=fq, fl=",".join(INDEX_FIELDS), sort="index_id asc", rows=INDEX_PAGE,
                                     cursorMark=cursor)
                if not hand_over(result.docs) or not result.docs or result.nextCursorMark == cursor:
                    break
                cursor = result.nextCursorMark
        except Exception as e:  # raised in the reader's thread
            hand_over(e)
        hand_over(None)

    threading.Thread(target=fetch, daemon=True, name="pida-coverage-pages").start()
    try:
        while True:
            docs = pages.get()
            if docs is None:
                return
            if isinstance(docs, Exception):
                raise docs
            yield docs
    finally:
        stop.set()


def _from_index(doc: dict) -> dict:
    shown = json.loads(doc.get(indexing.COVERAGE_FIELD) or "{}")
    if indexing.COVERAGE_FIELD not in doc:  # indexed by an older version (until the search index is rebuilt)
        shown["detected"] = [{"id": concept_id} for concept_id in doc.get("vocab_pida_detected") or []]
    stale = doc.get(indexing.STALE_FIELD)
    return {
        "name": doc["name"], "title": doc.get("title"), "organization": doc.get("organization"),
        "pida_country": (doc.get("vocab_pida_country") or [None])[0],
        "pida_priority": doc.get("vocab_pida_priority") or [],
        "modified": shown.get("modified"), "frequency": shown.get("frequency"),
        "pida_detection": {"pending": shown.get("detected") or []},
        "_stale": _naive(stale),
        "_has_data": shown.get("has_data", True),  # True for documents indexed before the field existed
        "_quality": {k: shown.get(k) for k in QUALITY_KEYS},
        "_principles": dict(v.split(":", 1) for v in doc.get("vocab_pida_principles") or [] if ":" in v),
    }


def _naive(value) -> Optional[datetime.datetime]:
    """A date of the index (pysolr gives datetimes, or the text) as a naive UTC datetime."""
    if not value:
        return None
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value[:19])
    return value.replace(tzinfo=None)


def site_datasets(context: dict, country: Optional[str] = None) -> Iterable[dict]:
    """The public, active priority datasets of this site as whole dataset dicts, page by page from the search
    index (for the backfill, which needs their dates as they were)."""
    fq = "(vocab_pida_priority:[* TO *] OR vocab_pida_detected:[* TO *])"
    if country:
        fq += ' AND vocab_pida_country:"{}"'.format(country.upper())
    start = 0
    while True:
        result = tk.get_action("package_search")(dict(context), {
            "fq": fq, "rows": PAGE, "start": start, "sort": "id asc", "include_private": False})
        yield from result["results"]
        start += PAGE
        if start >= result["count"] or not result["results"]:
            break


def site_countries() -> list[str]:
    """Rows every report shows: ``ckanext.pida.coverage.countries``, the portal's own ``ckanext.pida.country``
    and, on the hub, every OAS member state (a country without a source is listed as such, not left out)."""
    codes = list(tk.aslist(tk.config.get("ckanext.pida.coverage.countries") or []))
    if tk.config.get("ckanext.pida.country"):
        codes.append(tk.config["ckanext.pida.country"])
    if plugin_loaded("pida_hub"):  # the hub's sources; a national portal never loads hub code
        codes += [c["code"] for c in vocabulary.countries()]
    return sorted({c.upper() for c in codes if vocabulary.country(c)})


def report(context: dict, country: Optional[str] = None, lang: Optional[str] = None) -> dict:
    countries = [country] if country else site_countries()
    return build(index_datasets(country), countries, lang=lang)


# --- export ---------------------------------------------------------------------------------------------

def to_csv(rep: dict, headers: Optional[dict] = None, statuses: Optional[dict] = None) -> str:
    """One row per country: code, name, totals and shares, then one column per priority dataset (its status).

    Without ``headers``/``statuses`` every header and status is its machine id. With them (translations keyed by
    those ids), each header reads "label [id]" and each status its label, for people opening the file in a
    spreadsheet; the ids stay in the headers so that a program can still find its columns."""
    def head(key, label=None):
        label = label or (headers or {}).get(key)
        return "{} [{}]".format(label, key) if headers and label else key

    def status(value):
        return (statuses or {}).get(value, value)

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([head(k) for k in ("country", "name", "datasets", PUBLISHED, OUT_OF_DATE, NOT_OPENING, DETECTED,
                                       MISSING, "share_up_to_date", "share_published", "share_detected",
                                       "quality_score", "quality_rating", "share_links_working",
                                       "share_machine_readable")]
                    + [head(c["id"], c["label"]) for c in rep["concepts"]])
    for r in rep["countries"]:
        t = r["totals"]
        quality = r.get("quality") or {}
        writer.writerow([r["code"], r["name"], r["datasets"], t[PUBLISHED], t[OUT_OF_DATE], t[NOT_OPENING],
                         t[DETECTED], t[MISSING], r["share_up_to_date"], r["share_published"], r["share_detected"],
                         _blank(quality.get("score")), status(quality.get("rating") or ""),
                         _blank(r.get("share_links_working")), _blank(r.get("share_machine_readable"))]
                        + [status(r["cells"][c["id"]]["status"]) for c in rep["concepts"]])
    return out.getvalue()


def _blank(value):
    return "" if value is None else value


# --- snapshots ------------------------------------------------------------------------------------------

def snapshot(rep: dict, day: Optional[datetime.date] = None) -> int:
    """Stores the report as today's snapshot (one row per country; a second snapshot the same day replaces the
    first). Returns the number of countries stored."""
    day = day or datetime.date.today()
    for r in rep["countries"]:
        row = model.Session.query(CoverageSnapshot).filter_by(day=day, country=r["code"]).first() \
            or CoverageSnapshot(day=day, country=r["code"])
        row.published = r["totals"][PUBLISHED]
        row.out_of_date = r["totals"][OUT_OF_DATE] + r["totals"][NOT_OPENING]  # published, not up to date
        row.missing = r["totals"][MISSING] + r["totals"][DETECTED]  # progress counts declared datasets only
        row.cells = {cid: cell["status"] for cid, cell in r["cells"].items()}  # "detected" kept as such
        row.principles = r["principles"]
        model.Session.add(row)
    model.Session.commit()
    return len(rep["countries"])


def backfill(context: dict, days: int = 365, step: int = 7, today: Optional[datetime.date] = None) -> int:
    """Reconstructs past snapshots from the datasets' own dates, for the days (every ``step`` days back to
    ``days`` ago) that have none: a dataset counts from its release (``issued``, else its creation), and on a past
    day its last update is the latest of ``issued`` and ``modified`` not after that day. Recorded snapshots are
    never replaced. Returns the number of days stored."""
    today = today or datetime.date.today()
    datasets = list(site_datasets(context))
    countries = site_countries()
    recorded = {d for (d,) in model.Session.query(CoverageSnapshot.day).distinct()}
    stored = 0
    for back in range(step, days + 1, step):
        day = today - datetime.timedelta(days=back)
        if day in recorded:
            continue
        as_of = [pkg for pkg in (_as_of(p, day) for p in datasets) if pkg]
        end_of_day = datetime.datetime.combine(day, datetime.time(23, 59))
        snapshot(build(as_of, countries, now=end_of_day, lang="en"), day)
        stored += 1
    return stored


def _as_of(pkg: dict, day: datetime.date) -> Optional[dict]:
    """The dataset as it stood on ``day`` as far as its dates tell, or None if it was not released yet."""
    released = _date(pkg.get("issued")) or _date(pkg.get("metadata_created"))
    if not released or released > day:
        return None
    modified = _date(pkg.get("modified"))
    last = modified if modified and modified <= day else released
    return dict(pkg, modified=last.isoformat())


def _date(value) -> Optional[datetime.date]:
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def history(country: Optional[str] = None, since: Optional[datetime.date] = None) -> list[dict]:
    """The snapshots, oldest first: ``[{day, country, published, out_of_date, missing, share_up_to_date}]``."""
    q = model.Session.query(CoverageSnapshot)
    if country:
        q = q.filter(CoverageSnapshot.country == country.upper())
    if since:
        q = q.filter(CoverageSnapshot.day >= since)
    total = len(vocabulary.concepts())
    return [{"day": s.day.isoformat(), "country": s.country, PUBLISHED: s.published, OUT_OF_DATE: s.out_of_date,
             MISSING: s.missing, "share_up_to_date": round((s.published or 0) / total, 4)}
            for s in q.order_by(CoverageSnapshot.day, CoverageSnapshot.country)]
