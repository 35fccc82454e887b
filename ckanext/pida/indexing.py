"""What PIDA adds to the search index and the search page: facetable fields and their translated labels.

Solr fields: the priority concepts are vocabulary tags (``vocab_pida_priority``, indexed by CKAN itself); the
stages, standards, country, principle evaluation and the hub's pending detections are added here as
``vocab_pida_*`` fields (CKAN's schema makes
``vocab_*`` multi-valued, stored strings, so they facet). The principle evaluation is stored as
``<principle-id>:<status>`` values, e.g. ``timely-comprehensive:met``.
"""
from __future__ import annotations

import json

import ckan.plugins.toolkit as tk

from ckanext.pida import principles, vocabulary

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
    harvest = data.get("pida_harvest") or {}
    if isinstance(harvest, str):
        harvest = json.loads(harvest)
    pending = (harvest.get("detection") or {}).get("pending") or []
    if pending:  # the hub's detections waiting for review (ckanext/pida/hub/review.py)
        pkg_dict["vocab_pida_detected"] = [p["id"] for p in pending if p.get("id")]
    evaluation = principles.evaluate(data)
    pkg_dict["vocab_pida_principles"] = ["{}:{}".format(p, e["status"]) for p, e in evaluation.items()]
    return pkg_dict


def dataset_facets(facets_dict: dict) -> dict:
    facets_dict["vocab_pida_priority"] = tk._("PIDA priority dataset")
    facets_dict["vocab_pida_stages"] = tk._("Anti-corruption stage")
    facets_dict["vocab_pida_principles"] = tk._("Charter principle")
    facets_dict["vocab_pida_standards"] = tk._("Data standard")
    facets_dict["vocab_pida_country"] = tk._("Country")
    return facets_dict


def facet_item_label(field: str, value: str, lang: str | None = None) -> str:
    """The label of a facet value in the user's language (a concept, stage, standard, country, principle)."""
    if field == "vocab_pida_principles" and ":" in value:
        principle_id, status = value.split(":", 1)
        principle = next((p for p in vocabulary.principles() if p["id"] == principle_id), None)
        statuses = {"met": tk._("met"), "partly": tk._("partly met"), "not_met": tk._("not met")}
        if principle:
            return "{}: {}".format(vocabulary.text(principle["label"], lang), statuses.get(status, status))
    if field in FACET_SOURCES:
        return vocabulary.label_of(FACET_SOURCES[field], value, lang)
    return value


def after_dataset_search(search_results: dict) -> dict:
    """Facet values become their labels in the user's language (the values stay ids, for stable URLs)."""
    for field, facet in (search_results.get("search_facets") or {}).items():
        if field in FACET_SOURCES or field == "vocab_pida_principles":
            for item in facet.get("items", []):
                item["display_name"] = facet_item_label(field, item["name"])
    return search_results
