"""The configuration of one harvest source (the JSON in the source's "config" box), with its defaults.

Example::

    {"country": "CO", "page_size": 100, "timeout": 30, "max_size_mb": 50, "full_run_days": 7}
"""
from __future__ import annotations

import json

import ckan.plugins.toolkit as tk

from ckanext.pida import vocabulary
from ckanext.pida.validators import EMAIL_PATTERN

#: option: (type, default, description). The README's table is this, in words.
OPTIONS = {
    "country": (str, None, "ISO 3166-1 alpha-2 code of the national catalogue (required)"),
    "profiles": (list, None, "ckanext-dcat RDF profiles used to read it (default: ckanext.dcat.rdf.profiles)"),
    "rdf_format": (str, None, "RDF format when the server does not say it (turtle, xml, json-ld, nt)"),
    "page_size": (int, None, "datasets per page asked of the source (sent as ?rows=N; default: the source's)"),
    "timeout": (int, 30, "seconds to connect, and between two bytes, for every request"),
    "total_timeout": (int, 300, "seconds a single page may take in all"),
    "max_size_mb": (int, 50, "largest page accepted, in MB (the body is streamed and cut at the limit)"),
    "max_pages": (int, 10000, "pages followed at most in one run"),
    "full_run_days": (int, 7, "days between full runs; runs in between ask only for changes (0: always full)"),
    "max_delete_share": (int, 50, "percent of a source's datasets one run may delete"),
    "deletions_url": (str, None, "feed of datasets withdrawn at the source, read on incremental runs (default: "
                               "the pida_catalog_withdrawn feed the catalogue links to)"),
    "requests_email": (list, None, "e-mail addresses of the national portal's team, told of each citizen's request "
                                   "for this country sent at the hub"),
}


def defaults() -> dict:
    return {key: default for key, (_type, default, _doc) in OPTIONS.items()}


def parse(text: str | None) -> dict:
    """The validated configuration, defaults filled in. Raises ValueError with a message for the source form."""
    try:
        given = json.loads(text) if text and text.strip() else {}
    except ValueError as e:
        raise ValueError(tk._("The configuration is not valid JSON: {0}").format(e))
    if not isinstance(given, dict):
        raise ValueError(tk._("The configuration must be a JSON object."))
    unknown = sorted(set(given) - set(OPTIONS))
    if unknown:
        raise ValueError(tk._("Unknown configuration options: {0}").format(", ".join(unknown)))
    cfg = defaults()
    for key, value in given.items():
        kind = OPTIONS[key][0]
        if value is None:
            continue
        if kind is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(tk._("\"{0}\" must be a whole number, zero or more.").format(key))
        if kind is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ValueError(tk._("\"{0}\" must be a list of texts.").format(key))
        if kind is str and not isinstance(value, str):
            raise ValueError(tk._("\"{0}\" must be text.").format(key))
        cfg[key] = value
    if not cfg["country"] or not vocabulary.country(cfg["country"]):
        raise ValueError(tk._("\"country\" must be the ISO 3166-1 alpha-2 code of an OAS member state, e.g. \"CO\"."))
    cfg["country"] = cfg["country"].upper()
    bad = [e for e in cfg["requests_email"] or [] if not EMAIL_PATTERN.match(e)]
    if bad:
        raise ValueError(tk._("\"requests_email\" must list e-mail addresses; not one: {0}").format(", ".join(bad)))
    if not cfg["profiles"]:
        site = tk.config.get("ckanext.dcat.rdf.profiles") or "euro_dcat_ap_3"
        cfg["profiles"] = site.split() if isinstance(site, str) else list(site)
    return cfg
