"""Reading one catalogue page safely: a timeout on every request, a size limit enforced while streaming, and
refusal of documents that could exhaust the parser (DTDs, remote JSON-LD contexts) before rdflib sees them."""
from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from ckanext.pida.hub.harvesters.messages import HarvestProblem

log = logging.getLogger(__name__)

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


def get(url: str, timeout: int, max_bytes: int, total_timeout: int, session: requests.Session | None = None,
        accept: str = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.5"):
    """``(body bytes, media type)`` of ``url``; raises HarvestProblem on any failure.

    ``timeout`` bounds the connection and every wait for data; ``total_timeout`` is a hard deadline for the whole
    page: a server that trickles a byte now and then is cut off at the deadline, not after the last byte."""
    deadline = time.monotonic() + total_timeout
    http = session or requests
    try:
        with http.get(url, stream=True, timeout=(timeout, timeout),
                      headers={"User-Agent": USER_AGENT, "Accept": accept}) as r:
            if r.status_code >= 400:
                raise HarvestProblem("http_status", url=url, status=f"{r.status_code} {r.reason or ''}".strip())
            limit_mb = max_bytes // (1024 * 1024) or 1
            declared = r.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise HarvestProblem("too_big", url=url, limit_mb=limit_mb)
            body = bytearray()
            for chunk in _chunks(r, deadline, timeout):
                body += chunk
                if len(body) > max_bytes:
                    raise HarvestProblem("too_big", url=url, limit_mb=limit_mb)
                if time.monotonic() > deadline:
                    raise HarvestProblem("total_timeout", url=url, seconds=total_timeout)
            media_type = (r.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            return bytes(body), media_type
    except HarvestProblem:
        raise
    except _Deadline:
        raise HarvestProblem("total_timeout", url=url, seconds=total_timeout)
    except requests.exceptions.TooManyRedirects:
        raise HarvestProblem("redirect_loop", url=url)
    except requests.exceptions.SSLError:
        raise HarvestProblem("tls", url=url)
    except requests.exceptions.ConnectTimeout:
        raise HarvestProblem("connect_timeout", url=url, seconds=timeout)
    except requests.exceptions.Timeout:
        raise HarvestProblem("timeout", url=url, seconds=timeout)
    except requests.exceptions.ConnectionError as e:
        text = str(e)
        if "Connection refused" in text or "Errno 111" in text:
            raise HarvestProblem("refused", url=url)
        if "Name or service not known" in text or "NameResolution" in text or "getaddrinfo" in text:
            raise HarvestProblem("unknown_host", url=url, host=urlsplit(url).hostname or "?")
        if "timed out" in text.lower():
            raise HarvestProblem("timeout", url=url, seconds=timeout)
        log.warning("%s could not be reached: %r", url, e)
        raise HarvestProblem("connection", url=url)
    except requests.exceptions.RequestException as e:
        log.warning("%s could not be reached: %r", url, e)
        raise HarvestProblem("connection", url=url)


class _Deadline(Exception):
    pass


def _chunks(response, deadline: float, timeout: int):
    """The body as it arrives: each read returns what the socket has (never waits to fill a chunk) and waits at
    most until the deadline, so a slow trickle cannot outlast ``total_timeout``."""
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if read1 is None:  # not urllib3 2: chunked reads, the deadline checked between them
        yield from response.iter_content(CHUNK)
        return
    sock = _socket_of(raw)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Deadline()
        if sock is not None:
            sock.settimeout(min(timeout, remaining))
        try:
            chunk = read1(CHUNK)
        except Exception as e:  # the socket timed out: at the deadline, or after ``timeout`` of silence
            if time.monotonic() >= deadline:
                raise _Deadline() from e
            raise requests.exceptions.ReadTimeout(str(e)) from e
        if not chunk:
            return
        yield chunk


def _socket_of(raw):
    try:
        return raw.connection.sock
    except AttributeError:
        return None


def sniff(body: bytes) -> str | None:
    """What a page that is not the expected catalogue looks like: "html" (a web page, an error page), "data.json"
    (DCAT-US or the OAS regional profile), "ckan_api" (CKAN's action API), or None."""
    head = body[:4096].lstrip().lower()
    if head.startswith(b"<!doctype html") or head.startswith(b"<html") or b"<html" in head[:512]:
        return "html"
    if head[:1] in (b"{", b"["):
        try:
            doc = json.loads(body)
        except ValueError:
            return None
        if not isinstance(doc, dict):
            return None
        context = doc.get("@context")  # plain JSON, or DCAT-US's own context: not JSON-LD meant for RDF
        if context is None or (isinstance(context, str) and "project-open-data" in context):
            if isinstance(doc.get("dataset"), list):
                return "data.json"
            if "success" in doc and "result" in doc:
                return "ckan_api"
    return None


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
            raise malformed(url, "JSON-LD", e)
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


_LINE = re.compile(r"\bline (\d+)|^\S*:(\d+):\d+:")


def malformed(url: str, fmt: str, error: Exception | str) -> HarvestProblem:
    """The problem of a page a parser refused, with the line of its first error when the parser's message gives
    one (rdflib: "at line 2 of <>:", expat: "<unknown>:1:0:", json: "line 1 column 5"); never the parser's own
    words, which are internals in English."""
    log.info("%s is not valid %s: %s", url, fmt, error)
    match = _LINE.search(str(error))
    if match:
        return HarvestProblem("malformed_at", url=url, format=fmt, line=match.group(1) or match.group(2))
    return HarvestProblem("malformed", url=url, format=fmt)
