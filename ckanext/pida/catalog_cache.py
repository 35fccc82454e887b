"""Each dataset's part of a catalogue page, serialised once and kept in Redis until the dataset changes.

A PIDA dataset carries about twice the triples of a plain DCAT-AP one (its Charter evaluation, its priority
concepts), and rdflib's Turtle and RDF/XML serialisers cost in proportion: a page of 100 took twice as long as
ckanext-dcat's ``euro_dcat_ap_3`` alone (issue #11). So a page is assembled from blocks: each dataset's graph is
serialised on its own, the block is stored under a key made of everything it is made from, and the next page that
holds the dataset reuses it. The key is the hash of the dataset dict as the search index gives it (so a new
organisation title is a new key too), of whether the dataset is up to date today (the Charter evaluation is the
only part that depends on the date), of the profiles, the format and the request's language, of the PIDA and DCAT
settings, and of the code and vocabularies that write the graph. There is nothing to invalidate: a changed dataset
has a new key, and old keys expire (``ckanext.pida.catalog.cache_ttl``).

Turtle blocks are joined under one set of ``@prefix`` lines, RDF/XML blocks inside one ``rdf:RDF`` element and
JSON-LD blocks in one ``@graph`` under one ``@context``, with the union of their namespaces; a statement about a
resource several datasets share (a priority concept, the legislation) is written once. If two blocks bind one
prefix to two namespaces, the page is serialised whole.
"""
from __future__ import annotations

import functools
import hashlib
import importlib
import json
import logging
import re
from importlib import metadata

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

#: Formats assembled from cached blocks, as rdflib names them.
CACHED_FORMATS = ("turtle", "pretty-xml", "json-ld")
KEY_PREFIX = "ckanext-pida:catalog:"
#: Modules whose code writes a dataset's graph: a new release of any of them is a new key.
GRAPH_MODULES = ("ckanext.pida.profiles.pida", "ckanext.pida.profiles.scheme", "ckanext.pida.principles",
                 "ckanext.pida.catalog", "ckanext.pida.catalog_cache")
_TURTLE_PREFIX = re.compile(r"^@prefix (\S*): <([^>]*)> \.$")
_XML_START = re.compile(r"<rdf:RDF\b([^>]*)>", re.S)
_XMLNS = re.compile(r'xmlns:([A-Za-z_][\w.-]*)="([^"]*)"')


class Conflict(Exception):
    """Two blocks bind one prefix to two namespaces."""


def ttl() -> int:
    return tk.config.get("ckanext.pida.catalog.cache_ttl")


def _redis():
    from ckan.lib.redis import connect_to_redis
    return connect_to_redis()


@functools.lru_cache(maxsize=None)
def code_stamp() -> str:
    """The code, vocabularies and library versions that write a dataset's graph."""
    from ckanext.pida import vocabulary
    digest = hashlib.sha1()
    for name in GRAPH_MODULES:
        with open(importlib.import_module(name).__file__, "rb") as f:
            digest.update(f.read())
    digest.update(vocabulary.data_digest().encode())
    for distribution in ("ckanext-dcat", "rdflib", "ckan"):
        try:
            digest.update(metadata.version(distribution).encode())
        except metadata.PackageNotFoundError:
            pass
    return digest.hexdigest()


def settings_stamp() -> str:
    """The settings a dataset's graph depends on: the site URL, the locale, every ckanext-dcat and PIDA option."""
    items = sorted((k, str(v)) for k, v in tk.config.items()
                   if k.startswith(("ckanext.dcat.", "ckanext.pida.", "ckanext.scheming.")) or k in (
                       "ckan.site_url", "ckan.locale_default"))
    return hashlib.sha1(json.dumps(items).encode("utf-8")).hexdigest()


def block_key(dataset_dict: dict, up_to_date, profiles, rdflib_format: str, lang: str, stamp: str) -> str:
    text = json.dumps([dataset_dict, up_to_date, profiles, rdflib_format, lang, stamp], sort_keys=True, default=str)
    return KEY_PREFIX + hashlib.sha1(text.encode("utf-8")).hexdigest()


def page_stamp() -> str:
    return code_stamp() + settings_stamp()


def split_block(text: str, rdflib_format: str) -> tuple[dict, list[str]]:
    """A serialised one-dataset graph as (its prefix bindings, its top-level statements). Statements about shared
    resources (a priority concept and its labels, the legislation, a language) are in every block that mentions
    them; ``join_blocks`` writes each once."""
    if rdflib_format == "json-ld":
        document = json.loads(text)
        context = document.pop("@context", {}) if isinstance(document, dict) else {}
        nodes = document.get("@graph", [document]) if isinstance(document, dict) else document
        return context, [json.dumps(node, ensure_ascii=False, sort_keys=True) for node in nodes if node]
    if rdflib_format == "turtle":
        prefixes, body = {}, []
        for line in text.splitlines():
            match = _TURTLE_PREFIX.match(line)
            if match:
                prefixes[match.group(1)] = match.group(2)
            else:
                body.append(line)
        body_text = "\n".join(body).strip("\n")
        # Statements are separated by a blank line; only a long literal (triple quotes) may hold one.
        chunks = [body_text] if '"""' in body_text else body_text.split("\n\n")
        return prefixes, [c.strip("\n") + "\n" for c in chunks if c.strip()]
    start = _XML_START.search(text)
    end = text.rindex("</rdf:RDF>")
    chunks, current = [], []
    for line in text[start.end():end].strip("\n").splitlines():
        # A top-level element starts at two spaces; text never holds a raw "<".
        if line.startswith("  <") and not line.startswith("  </") and current:
            chunks.append("\n".join(current) + "\n")
            current = []
        current.append(line)
    if current:
        chunks.append("\n".join(current) + "\n")
    return dict(_XMLNS.findall(start.group(1))), chunks


def join_blocks(blocks: list[tuple[dict, list[str]]], rdflib_format: str) -> str:
    """One document from blocks, each statement once; raises Conflict if two blocks bind a prefix differently."""
    prefixes: dict = {}
    for bindings, _chunks in blocks:
        for prefix, uri in bindings.items():
            if prefixes.setdefault(prefix, uri) != uri:
                raise Conflict(prefix)
    seen: set = set()
    chunks = []
    for _bindings, block_chunks in blocks:
        for chunk in block_chunks:
            if chunk not in seen:
                seen.add(chunk)
                chunks.append(chunk)
    if rdflib_format == "json-ld":
        return '{"@context": %s, "@graph": [\n%s\n]}\n' % (
            json.dumps(prefixes, ensure_ascii=False, sort_keys=True, indent=2), ",\n".join(chunks))
    if rdflib_format == "turtle":
        head = "".join("@prefix %s: <%s> .\n" % item for item in sorted(prefixes.items()))
        return head + "\n" + "\n".join(chunks)
    head = '<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n' + "".join(
        '   xmlns:%s="%s"\n' % item for item in sorted(prefixes.items())) + ">\n"
    return head + "".join(chunks) + "</rdf:RDF>\n"


def dump(block: tuple[dict, list[str]]) -> str:
    return json.dumps(block)


def load(text) -> tuple[dict, list[str]]:
    bindings, chunks = json.loads(text)
    return bindings, chunks


def get_many(keys: list[str]) -> list:
    """The cached parts (None where missing); each one read lives another ``cache_ttl``, so a catalogue walked
    more often than that stays cached for as long as its datasets do not change."""
    seconds = ttl()
    if not keys or not seconds:
        return [None] * len(keys)
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.mget(keys)
        for key in keys:
            pipe.expire(key, seconds)
        return pipe.execute()[0]
    except Exception:  # a cache that is down serves the page uncached
        log.warning("Catalogue cache unavailable", exc_info=True)
        return [None] * len(keys)


def put_many(items: dict[str, str]) -> None:
    seconds = ttl()
    if not items or not seconds:
        return
    try:
        pipe = _redis().pipeline(transaction=False)
        for key, value in items.items():
            pipe.set(key, value, ex=seconds)
        pipe.execute()
    except Exception:
        log.warning("Catalogue cache unavailable", exc_info=True)


def enabled_for(rdflib_format: str) -> bool:
    return rdflib_format in CACHED_FORMATS and bool(ttl())
