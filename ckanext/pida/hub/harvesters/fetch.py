"""Reading one catalogue page safely: a timeout on every request, a size limit enforced while streaming, and
refusal of documents that could exhaust the parser (DTDs, remote JSON-LD contexts) before rdflib sees them."""
from __future__ import annotations

import json
import re
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from ckanext.pida.hub.harvesters.messages import HarvestProblem

CHUNK = 64 * 1024
USER_AGENT = "ckanext-pida hub harvester"

#: media type (or file extension) -> rdflib parser name
FORMATS = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "ttl": "turtle",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml", "rdf": "xml", "xml": "xml",
    "application/ld+json": "json-ld", "application/json": "json-ld", "jsonld": "json-ld",
    "application/n-triples": "nt", "nt": "nt", "text/n3": "n3", "n3": "n3",
}
PARSERS = {"turtle", "xml", "json-ld", "nt", "n3"}
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def with_params(url: str, **params) -> str:
    """The URL with query parameters set (None values are left out)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def same_site(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def get(url: str, timeout: int, max_bytes: int, total_timeout: int, session: requests.Session | None = None):
    """``(body bytes, media type)`` of ``url``; raises HarvestProblem on any failure."""
    deadline = time.monotonic() + total_timeout
    http = session or requests
    try:
        with http.get(url, stream=True, timeout=(timeout, timeout),
                      headers={"User-Agent": USER_AGENT,
                               "Accept": "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.5"}) as r:
            if r.status_code >= 400:
                raise HarvestProblem("http_status", url=url, status=f"{r.status_code} {r.reason or ''}".strip())
            limit_mb = max_bytes // (1024 * 1024) or 1
            declared = r.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise HarvestProblem("too_big", url=url, limit_mb=limit_mb)
            body = bytearray()
            for chunk in r.iter_content(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise HarvestProblem("too_big", url=url, limit_mb=limit_mb)
                if time.monotonic() > deadline:
                    raise HarvestProblem("timeout", url=url, seconds=total_timeout)
            media_type = (r.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            return bytes(body), media_type
    except HarvestProblem:
        raise
    except requests.exceptions.Timeout:
        raise HarvestProblem("timeout", url=url, seconds=timeout)
    except requests.exceptions.RequestException as e:
        raise HarvestProblem("connection", url=url, detail=type(e).__name__)


def rdf_format(url: str, media_type: str, configured: str | None) -> str:
    """The rdflib parser for a page: the source's configured format, else the server's media type, else the URL's
    extension."""
    if configured:
        return FORMATS.get(configured, configured)
    if media_type in FORMATS:
        return FORMATS[media_type]
    extension = urlsplit(url).path.rsplit(".", 1)[-1].lower()
    if extension in FORMATS:
        return FORMATS[extension]
    raise HarvestProblem("unsupported_format", url=url, content_type=media_type or "?")


def check_safe(body: bytes, fmt: str, url: str) -> None:
    """Refuses what rdflib must never parse: any DTD in XML (entity expansion bombs, external entities) and
    remote JSON-LD contexts (rdflib would download them, with no timeout)."""
    if fmt in ("xml", "trix") and _DTD.search(body):
        raise HarvestProblem("dtd", url=url)
    if fmt == "json-ld":
        try:
            doc = json.loads(body)
        except ValueError as e:
            raise HarvestProblem("malformed", url=url, format="JSON-LD", detail=str(e)[:200])
        if _has_remote_context(doc):
            raise HarvestProblem("remote_context", url=url, suggestion=url.replace(".jsonld", ".ttl"))


def _has_remote_context(node) -> bool:
    if isinstance(node, dict):
        ctx = node.get("@context")
        if isinstance(ctx, str) or (isinstance(ctx, list) and any(isinstance(c, str) for c in ctx)):
            return True
        return any(_has_remote_context(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_remote_context(v) for v in node)
    return False
