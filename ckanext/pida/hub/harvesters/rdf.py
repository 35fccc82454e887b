"""The DCAT RDF reader (source type ``pida``): a national PIDA portal's /catalog.ttl, or any DCAT-AP catalogue in
Turtle, RDF/XML or JSON-LD, read page by page (Hydra paging) with ckanext-dcat's RDF profiles."""
from __future__ import annotations

import collections
import functools
import hashlib
from importlib import metadata

from ckanext.dcat.processors import HYDRA, RDFParser
from rdflib import BNode, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

from ckanext.pida.hub.harvesters import config as source_config
from ckanext.pida.hub.harvesters import fetch
from ckanext.pida.hub.harvesters.messages import HarvestProblem
from ckanext.pida.hub.harvesters.pipeline import Described, Page, PidaPipeline


class PidaHarvester(PidaPipeline):

    def info(self):
        return {
            "name": "pida",
            "title": "PIDA national catalogue (DCAT-AP)",
            "description": "A national PIDA portal or any DCAT-AP catalogue (Turtle, RDF/XML, JSON-LD), with Hydra "
                           "paging: incremental, with change detection and safe deletions.",
        }

    def validate_config(self, text):
        cfg = source_config.parse(text)
        RDFParser(profiles=cfg["profiles"])  # raises on an unknown profile
        return text

    def read_page(self, url, cfg) -> Page:
        body, media_type = fetch.get(url, timeout=cfg["timeout"], max_bytes=cfg["max_size_mb"] * 1024 * 1024,
                                     total_timeout=cfg["total_timeout"])
        kind = fetch.sniff(body)
        if kind == "html":
            raise HarvestProblem("looks_like_html", url=url)
        if kind in ("data.json", "ckan_api"):
            raise HarvestProblem("looks_like_" + kind.replace(".", "_"), url=url)
        fmt = fetch.rdf_format(url, media_type, cfg["rdf_format"])
        fetch.check_safe(body, fmt, url)
        parser = RDFParser(profiles=cfg["profiles"])
        try:
            parser.parse(body.decode("utf-8"), _format=fmt)
        except Exception as e:  # rdflib raises many kinds of errors for malformed input
            raise fetch.malformed(url, fmt, e)
        return Page(described(parser, cfg), next_url=parser.next_page(), feed_url=withdrawals_feed(parser),
                    graph=parser.g)


def described(parser, cfg):
    """Each dataset of the page, fingerprinted from its triples and mapped only if the pipeline asks (when the
    fingerprint is new): an unchanged dataset costs a hash, not ckanext-dcat's mapping. A dataset with neither a
    URI nor a dct:identifier is mapped at once (the pipeline reports it)."""
    version = mapping_version(tuple(cfg["profiles"]))
    for ref in parser.g.subjects(RDF.type, DCAT.Dataset):
        guid = str(ref) if isinstance(ref, URIRef) else parser.g.value(ref, DCTERMS.identifier)
        load = functools.partial(_map, parser, ref)
        if not guid:
            yield _attempt(load)
            continue
        title = parser.g.value(ref, DCTERMS.title)
        yield Described(str(guid), fingerprint(parser.g, ref, version), load, title=str(title or "?"))


def _attempt(load):
    try:
        return load()
    except Exception as e:
        return e


def _map(parser, ref) -> dict:
    """One dataset through the parser's profiles, as ckanext-dcat's ``RDFParser.datasets()`` maps each of them.

    ckanext-dcat builds its licence lookup (every licence of the register, its title translated) once per profile
    object, that is once per dataset: a fifth of the mapping's time. The first profile's lookup is kept on the
    parser (one page, one language) and given to the next ones."""
    dataset: dict = {}
    licences = getattr(parser, "_pida_licences", None)
    for profile_class in parser._profiles:
        profile = profile_class(parser.g, dataset_type=parser.dataset_type,
                                compatibility_mode=parser.compatibility_mode)
        if licences is not None:
            profile._licenceregister_cache = licences
        profile.parse_dataset(dataset, ref)
        licences = getattr(profile, "_licenceregister_cache", None)  # absent from another ckanext-dcat: no cache
    parser._pida_licences = licences
    if not isinstance(ref, URIRef):
        dataset["_node"] = ref  # a blank node: how mapping.normalise finds it in the graph (never stored)
    return dataset


#: How deep the description of a dataset is followed (distribution -> licence -> its label...).
MAX_DEPTH = 4
#: Nodes a dataset may point at without them being part of its description.
OTHER_ENTITIES = {DCAT.Dataset, DCAT.Catalog, HYDRA.PagedCollection}


def fingerprint(graph, ref, version: str) -> str:
    """SHA-256 of what the page says about a dataset: its triples and those of the nodes it reaches in up to
    ``MAX_DEPTH`` steps (distributions, publisher, contact point, licence...), in a canonical text where a blank
    node is named by the hash of its own description (rdflib's ids are new at every parse), plus ``version`` (the
    mapping's). Each reached URI is described at its shortest distance from the dataset, so the text does not
    depend on the order of the triples: the same page gives the same fingerprint, and a change of any value or of
    the mapping gives a new one."""
    distance = {ref: 0}
    queue = collections.deque([ref])
    while queue:
        node = queue.popleft()
        if distance[node] >= MAX_DEPTH:
            continue
        for target in graph.objects(node, None):
            if (isinstance(target, (URIRef, BNode)) and target not in distance and (target, None, None) in graph
                    and not any(t in OTHER_ENTITIES for t in graph.objects(target, RDF.type))):
                distance[target] = distance[node] + 1
                queue.append(target)

    def term(node, depth) -> str:
        if isinstance(node, BNode):
            if depth >= MAX_DEPTH:
                return "[]"
            return "[" + hashlib.sha1(describe(node, depth + 1).encode("utf-8")).hexdigest() + "]"
        return node.n3()

    def describe(node, depth) -> str:
        return "{" + " ; ".join(sorted(p.n3() + " " + term(o, depth) for p, o in graph.predicate_objects(node))) + "}"

    reached = sorted(str(n) for n in distance if isinstance(n, URIRef) and n != ref)
    text = "\n".join([version, describe(ref, 0)] + ["<%s> %s" % (uri, describe(URIRef(uri), distance[URIRef(uri)]))
                                                    for uri in reached])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=None)
def mapping_version(profiles: tuple) -> str:
    """What the mapping of a dataset depends on besides its triples: the profiles, the versions of ckanext-dcat and
    of ckanext-pida, and the vocabularies the hub maps values with. A change of any of them changes every
    fingerprint, so the next run imports every dataset again with the new mapping."""
    from ckanext.pida import vocabulary
    parts = [",".join(profiles)] + [_version(d) for d in ("ckanext-dcat", "ckanext-pida", "rdflib")]
    parts.append(vocabulary.data_digest())
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()


def _version(distribution: str) -> str:
    try:
        return distribution + "=" + metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return distribution


def withdrawals_feed(parser) -> str | None:
    """The withdrawals feed a PIDA catalogue page links from its Hydra paging node (``rdfs:seeAlso``)."""
    for node in parser.g.subjects(RDF.type, HYDRA.PagedCollection):
        for url in parser.g.objects(node, RDFS.seeAlso):
            if "pida_catalog_withdrawn" in str(url):
                return str(url).split("?")[0]
    return None
