"""The catalogue endpoints a harvester can rely on.

ckanext-dcat's ``/catalog.{ttl,jsonld,rdf,xml,n3}`` and ``/dataset/<id>.<fmt>`` stay its own routes; this module
replaces the actions behind them (chained ``dcat_catalog_show``, ``dcat_catalog_search`` and
``dcat_dataset_show``); each page links the feed of withdrawn datasets (``withdrawals.py``).

What changes against ckanext-dcat 2.4:

* **Stable order, keyset paging.** Datasets are ordered by ``id`` (which never changes) and ``hydra:next`` carries
  ``after=<last id of the page>``. ckanext-dcat sorts by ``metadata_modified desc`` with offsets, so a dataset
  edited during a walk moves to page 1 and another one is skipped. ``page=N`` still works (offsets in the same
  stable order), but the next link is always a cursor, which also keeps Solr's cost per page flat.
* **Page size.** ``rows`` (or ``ckanext.dcat.datasets_per_page``) is clamped to ``ckan.search.rows_max`` and the
  page says so (``hydra:itemsPerPage`` is the size served, plus an ``rdfs:comment``); because the walk follows
  the cursor, no record is dropped.
* **Filters.** ``modified_since`` (ISO 8601, inclusive) and ``priority`` (``any``: PIDA priority datasets only;
  a concept id: that priority dataset only), with ``q`` and ``fq`` as in ckanext-dcat.
* **Never private.** Whoever asks (even a sysadmin) gets public, active datasets only: the filters are forced on
  the Solr query and the per-dataset endpoint answers 404 for anything else.
* **Withdrawals.** The paging node links (``rdfs:seeAlso``) ``pida_catalog_withdrawn``, the datasets deleted,
  made private or purged since a time (see ``withdrawals.py``).
* **Speed.** Turtle, RDF/XML and JSON-LD pages are assembled from each dataset's block, serialised once and
  cached until the dataset changes (``catalog_cache.py``).
"""
from __future__ import annotations

import datetime
import logging
import re
from typing import Optional
from urllib.parse import urlencode

from dateutil.parser import parse as parse_date
from flask import has_request_context
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.dcat.processors import DCAT, DEFAULT_RDF_PROFILES, RDF_PROFILES_CONFIG_OPTION, RDFSerializer
from ckanext.dcat.utils import CONTENT_TYPES, DEFAULT_CATALOG_ENDPOINT, catalog_uri, dataset_uri

from ckanext.pida import catalog_cache, principles, vocabulary
from ckanext.pida.profiles.pida import IN_CATALOG

log = logging.getLogger(__name__)

DATASETS_PER_PAGE = 100
#: Dataset types the catalogue never publishes.
HIDDEN_TYPES = ("harvest", "showcase")
#: Paging and filter parameters a page link carries over to the next page.
LINK_PARAMS = ("modified_since", "priority", "rows", "q", "fq", "profiles")
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def param(data_dict: dict, key: str) -> Optional[str]:
    """A parameter from the action's data_dict, else from the request: ckanext-dcat's view passes only the
    parameters it knows (page, modified_since, q, fq, format, profiles)."""
    value = data_dict.get(key)
    if value in (None, "") and has_request_context():
        value = tk.request.args.get(key)
    return value if value not in (None, "") else None


def int_param(data_dict, key, minimum=1) -> Optional[int]:
    value = param(data_dict, key)
    if value is None:
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise tk.ValidationError({key: ["Must be a whole number"]})
    if value < minimum:
        raise tk.ValidationError({key: ["Must be at least %d" % minimum]})
    return value


def date_param(data_dict, key) -> Optional[datetime.datetime]:
    value = param(data_dict, key)
    if value is None:
        return None
    try:
        parsed = parse_date(value)
    except (ValueError, OverflowError, TypeError):
        raise tk.ValidationError({key: ["Use an ISO 8601 date or date and time"]})
    if parsed.tzinfo:  # CKAN stores UTC without a zone
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed


def _solr_date(value: datetime.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rows_max() -> int:
    return int(tk.config.get("ckan.search.rows_max") or 1000)


def page_size(data_dict: dict) -> tuple[int, Optional[int]]:
    """(rows served, rows asked for if it had to be clamped)."""
    asked = int_param(data_dict, "rows") or int(tk.config.get("ckanext.dcat.datasets_per_page")
                                                 or DATASETS_PER_PAGE)
    limit = rows_max()
    return (limit, asked) if asked > limit else (asked, None)


def filters(data_dict: dict) -> list[str]:
    """Solr filters every catalogue query carries: public and active only, plus the client's filters."""
    fq = ["+capacity:public", "+state:active"] + ["-dataset_type:%s" % t for t in HIDDEN_TYPES]
    since = date_param(data_dict, "modified_since")
    if since:
        fq.append("metadata_modified:[%s TO *]" % _solr_date(since))
    priority = param(data_dict, "priority")
    if priority:
        if priority in ("any", "true", "1", "yes"):
            fq.append("vocab_%s:[* TO *]" % vocabulary.PRIORITY_VOCABULARY)
        elif vocabulary.concept(priority):
            fq.append('vocab_%s:"%s"' % (vocabulary.PRIORITY_VOCABULARY, priority))
        else:
            raise tk.ValidationError({"priority": ["Use 'any' or the id of a PIDA priority dataset"]})
    return fq


def _search(fq_list, q, fq, rows, start=0):
    # An anonymous context: what the catalogue shows does not depend on who asks.
    return tk.get_action("package_search")({"user": "", "ignore_auth": False}, {
        "q": q or "*:*", "fq": fq or "", "fq_list": fq_list, "rows": rows, "start": start, "sort": "id asc",
        "include_private": False, "include_drafts": False, "include_deleted": False,
    })


def public_datasets(ids: list[str]) -> list[dict]:
    """The public, active datasets of these ids, as a catalogue page gets them."""
    return _search(filters({}) + ["id:(%s)" % " OR ".join('"%s"' % i for i in ids)], None, None, len(ids))["results"]


def catalog_page(data_dict: dict) -> tuple[list[dict], dict]:
    """One page of the catalogue: (dataset dicts, paging information for the Hydra triples)."""
    rows, asked = page_size(data_dict)
    fq_list = filters(data_dict)
    q, fq = param(data_dict, "q"), param(data_dict, "fq")
    after = param(data_dict, "after")
    page = int_param(data_dict, "page")
    if after is not None:
        if not SAFE_ID.match(after):
            raise tk.ValidationError({"after": ["Not a dataset id"]})
        total = _search(fq_list, q, fq, 0)["count"]
        result = _search(fq_list + ['id:{"%s" TO *]' % after], q, fq, rows)
        remaining = result["count"]
    else:
        start = rows * ((page or 1) - 1)
        result = _search(fq_list, q, fq, rows, start)
        total = result["count"]
        remaining = total - start
    datasets = result["results"]

    info = {"count": total, "items_per_page": rows, "current": _page_url(data_dict, after=after, page=page),
            "first": _page_url(data_dict)}
    if remaining > len(datasets) and datasets:
        info["next"] = _page_url(data_dict, after=datasets[-1]["id"])
    if asked:
        info["clamped_from"] = asked
    return datasets, info


def _page_url(data_dict, after=None, page=None) -> str:
    if has_request_context():
        path = tk.request.path
    else:
        fmt = data_dict.get("format") or "ttl"
        path = (tk.config.get("ckanext.dcat.catalog_endpoint") or DEFAULT_CATALOG_ENDPOINT).replace(
            "{_format}", fmt)
    params = [(k, param(data_dict, k)) for k in LINK_PARAMS]
    if isinstance(data_dict.get("profiles"), list):
        params = [(k, ",".join(v) if k == "profiles" else v) for k, v in params]
    params = [(k, v) for k, v in params if v]
    if after:
        params.append(("after", after))
    elif page and page > 1:
        params.append(("page", page))
    query = urlencode(params)
    return catalog_uri().rstrip("/") + path + ("?" + query if query else "")


def serialize_catalog(data_dict: dict) -> str:
    datasets, info = catalog_page(data_dict)
    fmt = rdflib_format(data_dict.get("format"))
    profiles = _profiles(data_dict)
    serializer = RDFSerializer(profiles=profiles)
    catalog_ref = serializer.graph_from_catalog({})
    _add_paging(serializer, info, data_dict)
    if catalog_cache.enabled_for(fmt):
        try:
            return _assembled(serializer, catalog_ref, datasets, profiles, fmt)
        except catalog_cache.Conflict as e:
            log.warning("Catalogue page serialised whole: two datasets bind the prefix %s differently", e)
    for dataset_dict in datasets:
        dataset_dict[IN_CATALOG] = True  # the compact Charter evaluation (profiles/pida.py)
        serializer.g.add((catalog_ref, DCAT.dataset, serializer.graph_from_dataset(dataset_dict)))
    return _serialize(serializer.g, fmt)


def _add_paging(serializer, info: dict, data_dict: dict) -> None:
    paging = serializer._add_pagination_triples(info)
    if info.get("clamped_from"):
        serializer.g.add((paging, RDFS.comment, Literal(
            "Page size %s is above ckan.search.rows_max: pages hold %s datasets; follow hydra:next to read them all."
            % (info["clamped_from"], info["items_per_page"]))))
    since = param(data_dict, "modified_since")
    serializer.g.add((paging, RDFS.seeAlso, URIRef(withdrawn_url(since))))


def _assembled(serializer, catalog_ref, datasets: list[dict], profiles, fmt: str) -> str:
    """The page from each dataset's cached block (a missing one is serialised on its own and cached), after the
    catalogue's and the paging's own triples."""
    lang = (tk.h.lang() if has_request_context() else None) or default_locale()
    blocks = dataset_blocks(datasets, profiles, fmt, lang)
    for dataset_dict in datasets:
        serializer.g.add((catalog_ref, DCAT.dataset, URIRef(dataset_uri(dataset_dict))))
    head = catalog_cache.split_block(_serialize(serializer.g, fmt), fmt)
    return catalog_cache.join_blocks([head] + blocks, fmt)


def default_locale() -> str:
    return tk.config.get("ckan.locale_default") or "en"


def dataset_blocks(datasets: list[dict], profiles, fmt: str, lang: str) -> list[tuple[dict, list[str]]]:
    """Each dataset's block, from the cache; the missing ones are serialised and cached (also run by
    ``catalog_warming`` when a dataset changes, so that a page seldom has any to serialise)."""
    stamp = catalog_cache.page_stamp()
    # ?profiles= naming the site's own profiles gives the same parts as no ?profiles= (as ckanext-dcat resolves it)
    profiles = list(profiles or tk.aslist(tk.config.get(RDF_PROFILES_CONFIG_OPTION)) or DEFAULT_RDF_PROFILES)
    keys = [catalog_cache.block_key(d, principles.is_up_to_date(d), profiles, fmt, lang, stamp) for d in datasets]
    blocks, fresh = [], {}
    one = namespaces = None  # for the parts not cached (loading the profiles costs; a warm page needs none)
    for dataset_dict, key, cached in zip(datasets, keys, catalog_cache.get_many(keys)):
        if cached is None:
            if one is None:
                one = RDFSerializer(profiles=profiles)
                # One namespace manager for every part: rdflib caches the qualified name of each URI in it, and a
                # graph of its own would bind rdflib's 30 default namespaces again for each dataset.
                namespaces = rdflib.namespace.NamespaceManager(rdflib.Graph())
            one.g = rdflib.Graph(namespace_manager=namespaces)
            dataset_dict[IN_CATALOG] = True
            block = _block(one.g, one.graph_from_dataset(dataset_dict), fmt)
            fresh[key] = catalog_cache.dump(block)
        else:
            block = catalog_cache.load(cached)
        blocks.append(block)
    catalog_cache.put_many(fresh)
    return blocks


def _block(graph, ref, fmt: str) -> tuple[dict, list[str]]:
    """One dataset's block. RDF/XML's pretty serialiser nests a resource's description where it is first
    mentioned, so the resources a dataset shares with others (its priority concept, the legislation, a language)
    are serialised apart from it, as top-level elements that ``join_blocks`` writes once a page."""
    if fmt != "pretty-xml":
        return catalog_cache.split_block(_serialize(graph, fmt), fmt)
    own = rdflib.Graph(namespace_manager=graph.namespace_manager)
    shared = rdflib.Graph(namespace_manager=graph.namespace_manager)
    inside = str(ref) + "/"  # its distributions
    for triple in graph:
        subject = triple[0]
        mine = subject == ref or isinstance(subject, rdflib.BNode) or str(subject).startswith(inside)
        (own if mine else shared).add(triple)
    bindings, chunks = catalog_cache.split_block(_serialize(own, fmt), fmt)
    if len(shared):
        more_bindings, more = catalog_cache.split_block(_serialize(shared, fmt), fmt)
        bindings, chunks = dict(bindings, **more_bindings), chunks + more
    return bindings, chunks


def withdrawn_url(since: Optional[str] = None) -> str:
    url = catalog_uri().rstrip("/") + "/api/3/action/pida_catalog_withdrawn"
    return url + ("?" + urlencode({"since": since}) if since else "")


def _profiles(data_dict):
    profiles = data_dict.get("profiles") or param(data_dict, "profiles")
    return profiles.split(",") if isinstance(profiles, str) else profiles


def rdflib_format(fmt: Optional[str]) -> str:
    """rdflib's name for a catalogue format (``ttl``, ``rdf``, ``xml``, ``jsonld``, ``n3``; default RDF/XML)."""
    fmt = fmt or "xml"
    if fmt not in CONTENT_TYPES:
        raise tk.ValidationError({"format": ["Unknown format: %s" % fmt]})
    return {"ttl": "turtle", "rdf": "pretty-xml", "xml": "pretty-xml", "jsonld": "json-ld"}.get(fmt, fmt)


def _serialize(graph, rdflib_fmt: str) -> str:
    if rdflib_fmt == "json-ld":
        return graph.serialize(format="json-ld", auto_compact=True)
    return graph.serialize(format=rdflib_fmt)


# --- actions ---------------------------------------------------------------------------------------------

@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(up_func, context, data_dict):
    tk.check_access("dcat_catalog_show", context, data_dict)
    return serialize_catalog(data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(up_func, context, data_dict):
    tk.check_access("dcat_catalog_search", context, data_dict)
    return serialize_catalog(data_dict)


@tk.chained_action
def dcat_dataset_show(up_func, context, data_dict):
    """The per-dataset endpoint shows public, active datasets only, whoever asks."""
    pkg = model.Package.get(data_dict.get("id") or "")
    if pkg is None or pkg.private or pkg.state != "active":
        raise tk.ObjectNotFound()
    return up_func(context, data_dict)


def get_actions() -> dict:
    return {
        "dcat_catalog_show": dcat_catalog_show,
        "dcat_catalog_search": dcat_catalog_search,
        "dcat_dataset_show": dcat_dataset_show,
    }

