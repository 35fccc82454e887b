"""What to fix first, for one country (a national portal's own datasets, or a country's on the hub): the fixes
ranked by what they win, cells of the coverage first, then MQA points.

- a priority dataset whose data does not open (every link fails): fixing its links wins the cell back;
- a priority dataset out of date: updating it wins the cell as "up to date";
- a detection waiting for review: confirming it (when right) wins the cell;
- dead links of a dataset whose data still opens: the points of the links that fail;
- an MQA indicator that priority datasets miss ("12 priority datasets have no licence"): the points it adds.

Read from the search index alone, like the coverage (``coverage.index_datasets``), so a page over a country's
datasets costs one Solr query. ``build`` gives the items; ``describe`` says each in the reader's language."""
from __future__ import annotations

import csv
import io
from typing import Iterable, Optional

import ckan.plugins.toolkit as tk

from ckanext.pida import coverage, vocabulary
from ckanext.pida.quality import logic as quality_logic

#: The link indicators: their points belong to the link fixes, not to an "indicator" item.
LINK_INDICATORS = ("access_url_status", "download_url_status")
#: Order of the kinds when they win the same: data that does not open before data that is late.
KINDS = ("not_opening", "out_of_date", "detected", "broken_links", "indicator")
EXAMPLES = 5


def build(datasets: Iterable[dict], country: str, lang: Optional[str] = None) -> dict:
    """The fixes of ``country`` over ``datasets`` (the light dicts of ``coverage.index_datasets``, or whole
    dataset dicts): ``{"country", "name", "datasets", "score", "items": [...]}``, items best first, each with
    ``kind``, ``cells`` and ``points`` won, ``datasets`` ({name, title}) and what its kind needs."""
    datasets = [d for d in datasets if (d.get("pida_country") or "").upper() == country]
    rep = coverage.build(datasets, [country], lang=lang)
    row = rep["countries"][0]
    scored = [d for d in datasets if _declared(d) and coverage.has_data(d)]
    items = _cell_items(row, {d["name"]: d for d in scored}) + _link_items(scored) + _indicator_items(scored)
    items.sort(key=lambda i: (-i["cells"], -i["points"], KINDS.index(i["kind"]), -len(i["datasets"])))
    for rank, item in enumerate(items, 1):
        item["rank"] = rank
        item["average_gain"] = round(item["points"] / len(scored), 1) if scored else 0.0
    return {"country": country, "name": row["name"], "datasets": len(scored), "score": row["quality"]["score"],
            "missing_cells": row["totals"][coverage.MISSING], "items": items,
            "concepts": {c["id"]: c["label"] for c in rep["concepts"]}}


def _declared(pkg: dict) -> bool:
    return any(vocabulary.concept(c) for c in coverage._as_list(pkg.get("pida_priority")))


def _brief(pkg: dict) -> dict:
    return {"name": pkg["name"], "title": pkg.get("title") or pkg["name"]}


def _link_points(pkg: dict) -> float:
    missing = coverage.quality_values(pkg).get("missing") or {}
    return round(sum(missing.get(i, 0) for i in LINK_INDICATORS), 1)


def _cell_items(row: dict, scored: dict) -> list[dict]:
    items = []
    for concept_id, cell in row["cells"].items():
        status = cell["status"]
        if status not in (coverage.NOT_OPENING, coverage.OUT_OF_DATE, coverage.DETECTED):
            continue
        shown = [d for d in cell["datasets"] if d["status"] == status]
        item = {"kind": status, "concept": concept_id, "cells": 1, "datasets": [_brief(d) for d in shown],
                "points": 0.0, "since": None}
        if status == coverage.NOT_OPENING:
            item["since"] = cell.get("broken_since")
            item["points"] = round(sum(_link_points(scored[d["name"]]) for d in shown if d["name"] in scored), 1)
        elif status == coverage.OUT_OF_DATE:
            item["since"] = min((d.get("modified") or "" for d in shown), default="") or None
        items.append(item)
    return items


def _link_items(scored: list[dict]) -> list[dict]:
    """Datasets whose data opens but some of whose links are dead (the ones that do not open at all are cells)."""
    items = []
    for pkg in scored:
        values = coverage.quality_values(pkg)
        if values.get("opens") is False or not values.get("broken_links"):
            continue
        items.append({"kind": "broken_links", "cells": 0, "points": _link_points(pkg), "datasets": [_brief(pkg)],
                      "count": values["broken_links"], "since": values.get("failing_since")})
    return items


def _indicator_items(scored: list[dict]) -> list[dict]:
    by_indicator: dict[str, dict] = {}
    for pkg in scored:
        for indicator, points in (coverage.quality_values(pkg).get("missing") or {}).items():
            if indicator in LINK_INDICATORS:
                continue
            item = by_indicator.setdefault(indicator, {"kind": "indicator", "indicator": indicator, "cells": 0,
                                                       "points": 0.0, "datasets": [], "count": 0})
            item["points"] += points
            item["count"] += 1
            item["datasets"].append(_brief(pkg))
    for item in by_indicator.values():
        item["points"] = round(item["points"], 1)
        item["datasets"].sort(key=lambda d: d["title"])
    return list(by_indicator.values())


def describe(item: dict, concepts: dict, date=None) -> str:
    """The fix in one sentence, in the user's language; ``date`` writes the dates (default: 2026-11-02)."""
    _ = tk._
    concept = concepts.get(item.get("concept"), item.get("concept"))
    titles = ", ".join("«{}»".format(d["title"]) for d in item["datasets"][:EXAMPLES])
    more = len(item["datasets"]) - EXAMPLES
    if more > 0:
        titles += " " + tk.ungettext("and {n} more", "and {n} more", more).format(n=more)
    since = (item.get("since") or "")[:10]
    since = date(since) if date and since else since
    if item["kind"] == "not_opening":
        return _("{concept}: the data does not open since {since}; repair the links of {datasets}.").format(
            concept=concept, since=since or "?", datasets=titles)
    if item["kind"] == "out_of_date":
        return _("{concept} is out of date: update {datasets}.").format(concept=concept, datasets=titles)
    if item["kind"] == "detected":
        return _("{concept} may already be published as {datasets}: confirm or reject the detection.").format(
            concept=concept, datasets=titles)
    if item["kind"] == "broken_links":
        return tk.ungettext("{n} link of {dataset} is dead since {since}.",
                            "{n} links of {dataset} are dead since {since}.",
                            item["count"]).format(n=item["count"], dataset=titles, since=since or "?")
    label = quality_logic.indicator_labels().get(item["indicator"], item["indicator"])
    return tk.ungettext("{n} priority dataset lacks: {what} ({datasets}).",
                        "{n} priority datasets lack: {what} ({datasets}).",
                        item["count"]).format(n=item["count"], what=label, datasets=titles)


def gain_text(item: dict) -> str:
    """What the fix wins, in words: a cell of the coverage, points of the quality score."""
    parts = []
    if item["cells"]:
        parts.append(tk.ungettext("+{n} cell of the coverage", "+{n} cells of the coverage", item["cells"]).format(
            n=item["cells"]))
    if item["points"]:
        parts.append(tk._("+{points} quality points ({average} on the average)").format(
            points=tk.h.pida_number(item["points"]), average=tk.h.pida_number(item["average_gain"], 1)))
    return ", ".join(parts)


def to_csv(result: dict, delimiter: str = ",") -> str:
    """One row per fix, best first: rank, kind, what to do, cells and points won, since, the datasets' names."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(["rank", "kind", tk._("What to fix"), tk._("Cells won"), tk._("Points won"),
                     tk._("Average gain"), tk._("Since"), tk._("Datasets")])
    for item in result["items"]:
        writer.writerow([item["rank"], item["kind"], describe(item, result["concepts"]), item["cells"],
                         item["points"], item["average_gain"], (item.get("since") or "")[:10],
                         " ".join(d["name"] for d in item["datasets"])])
    return "\ufeff" + out.getvalue()
