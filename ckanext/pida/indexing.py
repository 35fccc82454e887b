"""What PIDA adds to the search index and the search page: facetable fields and their translated labels.

Solr fields: the priority concepts are vocabulary tags (``vocab_pida_priority``, indexed by CKAN itself); the
stages, standards, country, principle evaluation and the pending detections are added here as
``vocab_pida_*`` fields (CKAN's schema makes
``vocab_*`` multi-valued, stored strings, so they facet). The principle evaluation is stored as
``<principle-id>:<status>`` values, e.g. ``timely-comprehensive:met``.
"""
from __future__ import annotations

import datetime
import json

import ckan.plugins.toolkit as tk

from ckanext.pida import catalog_warming, principles, review, vocabulary
from ckanext.pida.quality import logic as quality_logic

#: Solr fields of the coverage: the date a dataset goes out of date (CKAN's ``*_date`` dynamic field), and the
#: values a coverage cell shows, as JSON (a stored ``extras_*`` text field).
STALE_FIELD = "pida_stale_date"
#: When the dataset was indexed: with the stale date, finds the datasets whose principle evaluation went stale in
#: the index (``ckan pida reindex-stale``).
INDEXED_FIELD = "pida_indexed_date"
COVERAGE_FIELD = "extras_pida_coverage"
#: The MQA score (0-405), zero-padded so that it sorts as text (``sort=pida_quality_score desc``), and the rating
#: (a facet).
QUALITY_SCORE_FIELD = "pida_quality_score"
QUALITY_RATING_FIELD = "vocab_pida_quality"

FACET_SOURCES = {
    "vocab_pida_priority": "priority",
    "vocab_pida_stages": "stages",
    "vocab_pida_standards": "standards",
    "vocab_pida_country": "countries",
}


def before_dataset_index(pkg_dict: dict) -> dict:
    data = json.loads(pkg_dict.get("validated_data_dict") or "{}")
    for field in ("pida_stages", "pida_standards"):
        values = data.get(field) or []
        pkg_dict["vocab_" + field] = json.loads(values) if isinstance(values, str) else values
    if data.get("pida_country"):
        pkg_dict["vocab_pida_country"] = [data["pida_country"]]
    pending = review.pending(data)
    if pending:  # detections waiting for review (ckanext/pida/review.py)
        pkg_dict["vocab_pida_detected"] = [p["id"] for p in pending]
    evaluation = principles.evaluate(data)
    pkg_dict["vocab_pida_principles"] = ["{}:{}".format(p, e["status"]) for p, e in evaluation.items()]
    # What the coverage reads from the index alone (coverage.index_datasets): when the dataset goes out of date, and
    # the few values its cells show.
    stale = principles.stale_after(data)
    if stale:
        pkg_dict[STALE_FIELD] = _solr_date(stale)
        pkg_dict[INDEXED_FIELD] = _solr_date(datetime.datetime.utcnow())
    quality = quality_logic.report(data)
    pkg_dict[QUALITY_SCORE_FIELD] = "{:03d}".format(quality["score"])
    pkg_dict[QUALITY_RATING_FIELD] = [quality["rating"]]
    pkg_dict[COVERAGE_FIELD] = json.dumps(dict(
        quality_logic.coverage_values(quality),
        modified=data.get("modified"), frequency=data.get("frequency"),
        has_data=any(r.get("url") for r in data.get("resources") or []),
        detected=[{"id": p["id"], "score": p.get("score"), "evidence": (p.get("evidence") or [])[:3]}
                  for p in pending]), ensure_ascii=False)
    catalog_warming.note_indexed(pkg_dict)
    return pkg_dict


def _solr_date(value: datetime.datetime) -> str:
    return value.replace(microsecond=0).isoformat() + "Z"


def stale_in_index() -> list[str]:
    """Ids of the datasets that went out of date after they were indexed: their indexed principle evaluation
    (timely, up to date) is no longer true. ``ckan pida reindex-stale`` reindexes them, from cron."""
    from ckan.lib.search.common import make_connection
    conn = make_connection()
    fq = ['+site_id:"{}"'.format(tk.config.get("ckan.site_id")), "{}:[* TO NOW]".format(STALE_FIELD),
          "{{!frange l=1}}ms({},{})".format(STALE_FIELD, INDEXED_FIELD)]
    ids, cursor = [], "*"
    while True:
        result = conn.search("*:*", fq=fq, fl="id", sort="index_id asc", rows=5000, cursorMark=cursor)
        ids += [doc["id"] for doc in result.docs]
        if not result.docs or result.nextCursorMark == cursor:
            return ids
        cursor = result.nextCursorMark


def dataset_facets(facets_dict: dict) -> dict:
    facets_dict["vocab_pida_priority"] = tk._("PIDA priority dataset")
    facets_dict["vocab_pida_stages"] = tk._("Anti-corruption stage")
    facets_dict["vocab_pida_principles"] = tk._("Charter principle")
    facets_dict["vocab_pida_standards"] = tk._("Data standard")
    facets_dict["vocab_pida_country"] = tk._("Country")
    facets_dict[QUALITY_RATING_FIELD] = tk._("Metadata quality")
    return facets_dict


def rating_labels() -> dict:
    return {"excellent": tk._("excellent"), "good": tk._("good"), "sufficient": tk._("sufficient"),
            "bad": tk._("bad")}


def facet_item_label(field: str, value: str, lang: str | None = None) -> str:
    """The label of a facet value in the user's language (a concept, stage, standard, country, principle)."""
    if field == "vocab_pida_principles" and ":" in value:
        principle_id, status = value.split(":", 1)
        principle = next((p for p in vocabulary.principles() if p["id"] == principle_id), None)
        statuses = {"met": tk._("met"), "partly": tk._("partly met"), "not_met": tk._("not met")}
        if principle:
            return "{}: {}".format(vocabulary.text(principle["label"], lang), statuses.get(status, status))
    if field == QUALITY_RATING_FIELD:
        return rating_labels().get(value, value)
    if field in FACET_SOURCES:
        return vocabulary.label_of(FACET_SOURCES[field], value, lang)
    return value


def after_dataset_search(search_results: dict) -> dict:
    """Facet values become their labels in the user's language (the values stay ids, for stable URLs)."""
    for field, facet in (search_results.get("search_facets") or {}).items():
        if field in FACET_SOURCES or field in ("vocab_pida_principles", QUALITY_RATING_FIELD):
            for item in facet.get("items", []):
                item["display_name"] = facet_item_label(field, item["name"])
    return search_results
