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
    return _respond(fmt, uri=uri)


blueprint.add_url_rule("/pida/vocabulary.<fmt>", view_func=whole, endpoint="vocabulary")
blueprint.add_url_rule("/pida/priority-datasets.<fmt>", view_func=whole, endpoint="scheme")
blueprint.add_url_rule("/pida/priority-datasets", view_func=whole, endpoint="scheme_negotiated")
blueprint.add_url_rule("/pida/ns.<fmt>", view_func=terms, endpoint="terms")
blueprint.add_url_rule("/pida/ns", view_func=terms, endpoint="terms_negotiated")
for _section in SECTIONS:
    blueprint.add_url_rule("/pida/%s/<item_id_fmt>" % _section, view_func=item,
                           endpoint=_section.replace("-", "_") + "_item", defaults={"section": _section})
