"""The published PIDA vocabulary: the concept scheme of the priority datasets, the Charter principles and the
PIDA terms, in Turtle, JSON-LD, RDF/XML and N3.

    /pida/vocabulary.<fmt>                 everything (also /pida/priority-datasets.<fmt>)
    /pida/priority-datasets[.<fmt>]        the concept scheme (content negotiation without an extension)
    /pida/<section>/<id>[.<fmt>]           one concept: priority-datasets, principles, stages, categories, types,
                                           identifier-schemes, jurisdiction-levels, checks
    /pida/ns[.<fmt>]                       the PIDA terms

The paths mirror the URIs under ``ckanext.pida.base_uri``, so a site whose base URI is ``<site_url>/pida/``
resolves its own URIs.
"""
from __future__ import annotations

from flask import Blueprint, make_response

import ckan.plugins.toolkit as tk
from ckanext.dcat.utils import CONTENT_TYPES, parse_accept_header, url_to_rdflib_format

from ckanext.pida import vocabulary
from ckanext.pida.profiles import scheme

blueprint = Blueprint("pida_concept_scheme", __name__)

SECTIONS = ("priority-datasets", "principles", "stages", "categories", "types", "identifier-schemes",
            "jurisdiction-levels", "checks")


def _format(fmt):
    fmt = fmt or parse_accept_header(tk.request.headers.get("Accept", "")) or "ttl"
    if fmt not in CONTENT_TYPES:
        tk.abort(404, tk._("Unknown format: %s") % fmt)
    return fmt


def _respond(fmt, uri=None, graph_fn=None):
    fmt = _format(fmt)
    rdflib_fmt = url_to_rdflib_format(fmt)
    if graph_fn:
        g = graph_fn()
        body = g.serialize(format=rdflib_fmt, **({"auto_compact": True} if rdflib_fmt == "json-ld" else {}))
    else:
        body = scheme.serialized(vocabulary.base_uri(), rdflib_fmt, uri)
    response = make_response(body)
    response.headers["Content-Type"] = CONTENT_TYPES[fmt] + "; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Vary"] = "Accept"
    return response


def whole(fmt=None):
    return _respond(fmt)


def terms(fmt=None):
    return _respond(fmt, graph_fn=scheme.terms_graph)


def item(section, item_id_fmt):
    """One concept, principle, check or level: ``<id>`` (content negotiation) or ``<id>.<fmt>``."""
    item_id, dot, fmt = item_id_fmt.rpartition(".")
    if not dot or fmt not in CONTENT_TYPES:
        item_id, fmt = item_id_fmt, None
    if section == "principles":
        uri = vocabulary.principle_uri(item_id)
    elif section == "priority-datasets":
        uri = vocabulary.concept_uri(item_id)
    else:
        uri = vocabulary.base_uri() + section + "/" + item_id
    if not scheme.describes(uri):
        tk.abort(404, tk._("Not in the PIDA vocabulary: %s") % uri)
    if section == "priority-datasets" and fmt is None and _wants_html():
        return concept_page(item_id)
    return _respond(fmt, uri=uri)


def _wants_html() -> bool:
    """A browser asks for text/html first: it gets the concept's page; a client that asks for RDF, or for
    anything (``*/*``), gets RDF, as before."""
    accept = tk.request.accept_mimetypes
    html = max((q for mimetype, q in accept if mimetype in ("text/html", "application/xhtml+xml")), default=0)
    rdf = max((q for mimetype, q in accept if mimetype in CONTENT_TYPES.values()), default=0)
    return html > 0 and html >= rdf


def concept_page(concept_id: str):
    """The page of one priority dataset, for people: what it is, what each Charter principle asks of it, how often
    it should be updated, and where it is (the datasets that declare it, the coverage, a request for it)."""
    concept = vocabulary.concept(concept_id)
    lang = tk.h.lang()

    def text(value):
        return vocabulary.text(value, lang)

    def items(section, ids):
        return [text((vocabulary.item(section, i) or {}).get("label")) or i for i in ids or []]
    interval = concept.get("max_update_interval")
    frequency = next((f for f in vocabulary.frequencies() if interval and f.get("duration") == interval), None)
    principles = [{"number": p["number"], "label": text(p["label"]),
                   "asks": text((concept.get("principles") or {}).get(p["id"]))} for p in vocabulary.principles()]
    standards = [vocabulary.item("standards", s) or {"id": s} for s in concept.get("standards") or []]
    page = {
        "id": concept_id, "uri": vocabulary.concept_uri(concept_id), "notation": concept.get("notation"),
        "label": text(concept.get("label")), "definition": text(concept.get("definition")),
        "alt_labels": (concept.get("alt_labels") or {}).get(lang[:2]) or [],
        "category": text((vocabulary.item("categories", concept.get("category")) or {}).get("label")),
        "type": text((vocabulary.item("types", concept.get("type")) or {}).get("label")),
        "stages": items("stages", concept.get("stages")),
        "identifier_schemes": items("identifier_schemes", concept.get("identifier_schemes")),
        "standards": [{"label": text(s.get("label")) or s["id"], "url": s.get("url")} for s in standards],
        "personal_data": concept.get("personal_data"),
        "frequency": text(frequency["label"]) if frequency else None, "principles": principles,
    }
    return tk.render("pida/concept.html", {"concept": page})


blueprint.add_url_rule("/pida/vocabulary.<fmt>", view_func=whole, endpoint="vocabulary")
blueprint.add_url_rule("/pida/priority-datasets.<fmt>", view_func=whole, endpoint="scheme")
blueprint.add_url_rule("/pida/priority-datasets", view_func=whole, endpoint="scheme_negotiated")
blueprint.add_url_rule("/pida/ns.<fmt>", view_func=terms, endpoint="terms")
blueprint.add_url_rule("/pida/ns", view_func=terms, endpoint="terms_negotiated")
for _section in SECTIONS:
    blueprint.add_url_rule("/pida/%s/<item_id_fmt>" % _section, view_func=item,
                           endpoint=_section.replace("-", "_") + "_item", defaults={"section": _section})
