"""The DCAT RDF reader (source type ``pida``): a national PIDA portal's /catalog.ttl, or any DCAT-AP catalogue in
Turtle, RDF/XML or JSON-LD, read page by page (Hydra paging) with ckanext-dcat's RDF profiles."""
from __future__ import annotations

from ckanext.dcat.processors import HYDRA, RDFParser
from rdflib.namespace import RDF, RDFS

from ckanext.pida.hub.harvesters import config as source_config
from ckanext.pida.hub.harvesters import fetch
from ckanext.pida.hub.harvesters.messages import HarvestProblem
from ckanext.pida.hub.harvesters.pipeline import Page, PidaPipeline


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
            raise HarvestProblem("malformed", url=url, format=fmt, detail=str(e).strip().splitlines()[0][:300]
                                 if str(e).strip() else type(e).__name__)
        return Page(parser.datasets(), next_url=parser.next_page(), feed_url=withdrawals_feed(parser),
                    graph=parser.g)


def withdrawals_feed(parser) -> str | None:
    """The withdrawals feed a PIDA catalogue page links from its Hydra paging node (``rdfs:seeAlso``)."""
    for node in parser.g.subjects(RDF.type, HYDRA.PagedCollection):
        for url in parser.g.objects(node, RDFS.seeAlso):
            if "pida_catalog_withdrawn" in str(url):
                return str(url).split("?")[0]
    return None
