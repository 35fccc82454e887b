"""The link checker: does each distribution's access and download URL open, and is it what it says it is?

One URL is checked by ``check``: a HEAD, then a small ranged GET (the first 4 KB, whatever the server does with the
Range), redirects followed by hand within ``max_redirects``, all within one hard deadline (``timeout``: a server
that drips one byte a second is cut off). The first bytes tell what the file really is (``sniff``), which the
quality score and the dataset page compare with the declared format (HTML served as "CSV" is *mislabelled*).

Safe: only http and https; every connection, the first and each redirect's, resolves the host and connects to the
address it checked, never to a loopback, private, link-local, shared, multicast or reserved address (so never to
127.0.0.1 or 169.254.169.254, whatever DNS says), unless the host is listed in ``ckanext.pida.links.allowed_hosts``.

Polite (``run``): one request at a time per host, ``host_interval`` seconds apart, a server's ``Retry-After``
respected, a User-Agent that names the portal; working links are rechecked every ``recheck_days``, failing ones
sooner at first and then less and less often (back-off). What was learned goes to ``pida_link_check`` (first
failure, last success), and the datasets whose links changed state are reindexed (their score and coverage cell).
"""
from __future__ import annotations

import concurrent.futures
import datetime
import email.utils
import hashlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from typing import Iterable, Optional
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida.model import LinkCheck

log = logging.getLogger(__name__)

WORKING, BROKEN, REFUSED, PENDING = "working", "broken", "refused", "pending"
SNIFF_BYTES = 4096
CONNECT_TIMEOUT = 10.0


class Refused(Exception):
    """The URL leads to an address the checker never connects to."""


class DeadlineExceeded(socket.timeout):
    pass


class TooManyRedirects(Exception):
    pass


def url_id(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _config(key: str):
    return tk.config.get("ckanext.pida.links." + key)


def user_agent() -> str:
    return _config("user_agent") or "ckanext-pida link checker (+{})".format(tk.config.get("ckan.site_url"))


# --- one URL -------------------------------------------------------------------------------------------------------

class _Deadline:
    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded("deadline")
        return left


class _DeadlineSocket(socket.socket):
    """A socket whose every read is bounded by what is left of the check's deadline (plain http)."""
    deadline: _Deadline

    def recv_into(self, buffer, nbytes=0, flags=0):
        self.settimeout(self.deadline.left())
        return super().recv_into(buffer, nbytes, flags)

    def recv(self, bufsize, flags=0):
        self.settimeout(self.deadline.left())
        return super().recv(bufsize, flags)


class _DeadlineSSLSocket(ssl.SSLSocket):
    """The same for https."""
    deadline: _Deadline

    def read(self, len=1024, buffer=None):  # noqa: A002 (ssl.SSLSocket's signature)
        self.settimeout(self.deadline.left())
        return super().read(len, buffer)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _allowed(host: str, port: int) -> bool:
    allowed = {h.lower() for h in _config("allowed_hosts") or []}
    return host.lower() in allowed or "{}:{}".format(host.lower(), port) in allowed


def _connect(host: str, port: int, deadline: _Deadline) -> socket.socket:
    """A socket to ``host``, connected to an address that was checked (no second DNS lookup to race)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    allowed = _allowed(host, port)
    refused, error = False, None
    for family, kind, proto, _, address in infos:
        if not allowed and not is_public(address[0]):
            refused = True
            continue
        sock = _DeadlineSocket(family, kind, proto)
        sock.deadline = deadline
        sock.settimeout(min(CONNECT_TIMEOUT, deadline.left()))
        try:
            sock.connect(address)
            return sock
        except OSError as e:
            sock.close()
            error = e
    if error is not None:
        raise error
    if refused:
        raise Refused(host)
    raise OSError("no address for " + host)


def _request(method: str, url: str, deadline: _Deadline) -> tuple[int, dict, bytes]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("scheme")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    sock = _connect(parts.hostname, port, deadline)
    try:
        if parts.scheme == "https":
            context = ssl.create_default_context()
            context.sslsocket_class = _DeadlineSSLSocket
            sock.settimeout(min(CONNECT_TIMEOUT, deadline.left()))
            sock = context.wrap_socket(sock, server_hostname=parts.hostname)
            sock.deadline = deadline
        conn = http.client.HTTPConnection(parts.hostname, port)
        conn.sock = sock
        path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        headers = {"User-Agent": user_agent(), "Accept": "*/*"}
        if method == "GET":
            headers["Range"] = "bytes=0-{}".format(SNIFF_BYTES - 1)
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        body = response.read(SNIFF_BYTES) if method == "GET" else b""
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        sock.close()


def _follow(method: str, url: str, deadline: _Deadline) -> tuple[int, dict, bytes, str]:
    seen = {url}
    for _ in range(int(_config("max_redirects")) + 1):
        status, headers, body = _request(method, url, deadline)
        if status in (301, 302, 303, 307, 308) and headers.get("location"):
            url = urljoin(url, headers["location"])
            if url in seen:
                raise TooManyRedirects("loop")
            seen.add(url)
            continue
        return status, headers, body, url
    raise TooManyRedirects("too many")


def _retry_after(headers: dict) -> Optional[float]:
    value = headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def check(url: str) -> dict:
    """What ``url`` answers now: ``state`` (working, broken, refused), ``http_status``, ``problem`` (a code),
    ``content_type``, ``sniffed``, ``final_url`` and ``retry_after`` (seconds, when the server asked to wait)."""
    deadline = _Deadline(float(_config("timeout")))
    result = {"state": BROKEN, "http_status": None, "problem": None, "content_type": None, "sniffed": None,
              "final_url": None, "retry_after": None}
    try:
        status, headers, _, final = _follow("HEAD", url, deadline)
        if status < 400 or status in (400, 403, 405, 501):  # some servers refuse HEAD only
            status, headers, body, final = _follow("GET", url, deadline)
            result["sniffed"] = sniff(body) if status < 300 else None
        result.update(http_status=status, final_url=final, content_type=headers.get("content-type"))
        if 200 <= status < 300:
            result["state"] = WORKING
        else:
            result["problem"] = "http_{}".format(status)
            if status in (429, 503):
                result["retry_after"] = _retry_after(headers)
    except Refused as e:
        result.update(state=REFUSED, problem="scheme" if str(e) == "scheme" else "private_address")
    except TooManyRedirects as e:
        result["problem"] = "redirect_loop" if str(e) == "loop" else "too_many_redirects"
    except (socket.timeout, TimeoutError):
        result["problem"] = "timeout"
    except socket.gaierror:
        result["problem"] = "no_such_host"
    except ssl.SSLError:
        result["problem"] = "tls"
    except (OSError, http.client.HTTPException, ValueError):
        result["problem"] = "connection_failed"
    return result


def sniff(head: bytes) -> Optional[str]:
    """What the first bytes of a file are: pdf, zip (also xlsx, ods, docx), gzip, ole (xls, doc), html, xml, json,
    csv, text or binary; None when there were none."""
    if not head:
        return None
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text[:512]:
        return "html"
    if text.startswith(b"<"):
        return "xml"
    if text.startswith((b"{", b"[")):
        return "json"
    if b"\x00" in head[:1024]:
        return "binary"
    lines = [line for line in text.splitlines()[:5] if line.strip()]
    for separator in (b",", b";", b"\t", b"|"):
        if len(lines) >= 2 and all(line.count(separator) >= 1 for line in lines[:2]):
            return "csv"
    return "text"


# --- the checker's life: which URLs, when, how politely --------------------------------------------------------------

def dataset_urls(pkg: dict) -> set[str]:
    urls = set()
    for resource in pkg.get("resources") or []:
        for key in ("url", "access_url", "download_url"):
            value = (resource.get(key) or "").strip()
            if value.lower().startswith(("http://", "https://")):
                urls.add(value)
    return urls


_table = {"found": False, "told": False}


def _table_ready() -> bool:
    """Whether ``pida_link_check`` exists. A site that upgraded ckanext-pida and has not run ``ckan db upgrade -p
    pida`` yet keeps saving and indexing its datasets (their links read as not checked yet); it is told once."""
    if not _table["found"]:
        _table["found"] = sa.inspect(model.Session.connection()).has_table(LinkCheck.__tablename__)
        if not _table["found"] and not _table["told"]:
            _table["told"] = True
            log.warning("Table %s missing: run `ckan db upgrade -p pida`; until then links read as not checked",
                        LinkCheck.__tablename__)
    return _table["found"]


def states(urls: Iterable[str]) -> dict:
    """The checker's last answer for each URL it knows, as dicts (what the score and the pages read)."""
    ids = {url_id(u): u for u in urls}
    if not ids or not _table_ready():
        return {}
    rows = model.Session.query(LinkCheck).filter(LinkCheck.id.in_(list(ids))).all()
    return {row.url: {"state": row.state, "http_status": row.http_status, "problem": row.problem,
                      "sniffed": row.sniffed, "content_type": row.content_type,
                      "first_failure": row.first_failure, "last_success": row.last_success,
                      "last_checked": row.last_checked} for row in rows}


def register(urls: Iterable[str]) -> list[str]:
    """Adds the URLs the checker does not know yet (pending, due now); returns them."""
    urls = set(urls)
    known = {row.id for row in model.Session.query(LinkCheck.id).filter(
        LinkCheck.id.in_([url_id(u) for u in urls]))} if urls else set()
    new = [u for u in urls if url_id(u) not in known]
    now = datetime.datetime.utcnow()
    for url in new:
        model.Session.add(LinkCheck(id=url_id(url), url=url, host=_host_key(url), state=PENDING, failures=0,
                                    next_check=now))
    return new


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return "{}:{}".format((parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80))


def public_urls() -> set[str]:
    """Every URL of a public, active dataset's distributions."""
    query = model.Session.query(model.Resource.url, model.Resource.extras).join(
        model.Package, model.Package.id == model.Resource.package_id).filter(
        model.Package.state == "active", model.Package.private.is_(False), model.Resource.state == "active")
    urls = set()
    for url, extras in query.yield_per(2000):
        urls |= dataset_urls({"resources": [dict(extras or {}, url=url)]})
    return urls


def due(limit: Optional[int] = None) -> list[str]:
    query = model.Session.query(LinkCheck.url).filter(
        LinkCheck.next_check <= datetime.datetime.utcnow()).order_by(LinkCheck.next_check)
    if limit:
        query = query.limit(limit)
    return [url for url, in query]


def _next_check(row: LinkCheck, result: dict, now: datetime.datetime) -> datetime.datetime:
    recheck = datetime.timedelta(days=int(_config("recheck_days")))
    if result.get("retry_after") is not None:
        return now + datetime.timedelta(seconds=min(result["retry_after"], recheck.total_seconds()))
    if result["state"] == WORKING:
        return now + recheck
    backoff = datetime.timedelta(hours=int(_config("retry_hours"))) * (2 ** max(0, row.failures - 1))
    return now + min(backoff, recheck * 4)


def record(url: str, result: dict, now: Optional[datetime.datetime] = None) -> tuple[Optional[str], str]:
    """Stores a check's result; returns the URL's state before and after."""
    now = now or datetime.datetime.utcnow()
    row = model.Session.get(LinkCheck, url_id(url))
    if row is None:
        row = LinkCheck(id=url_id(url), url=url, host=_host_key(url), state=PENDING, failures=0, next_check=now)
        model.Session.add(row)
    before = row.state
    asked_to_wait = result.get("retry_after") is not None
    if not asked_to_wait:  # a 429 or 503 with Retry-After says nothing of the link: ask again when told
        row.state = result["state"]
        row.http_status, row.problem = result["http_status"], result["problem"]
        row.content_type, row.sniffed, row.final_url = result["content_type"], result["sniffed"], result["final_url"]
        if result["state"] == WORKING:
            row.failures, row.first_failure, row.last_success = 0, None, now
        else:
            row.failures = (row.failures or 0) + 1
            row.first_failure = row.first_failure or now
    row.last_checked = now
    row.next_check = _next_check(row, result, now)
    return before, row.state


class _Hosts:
    """One request at a time per host, ``interval`` seconds apart."""

    def __init__(self, interval: float):
        self.interval = interval
        self.locks: dict[str, threading.Lock] = {}
        self.last: dict[str, float] = {}
        self.guard = threading.Lock()

    def check(self, url: str) -> dict:
        host = _host_key(url)
        with self.guard:
            lock = self.locks.setdefault(host, threading.Lock())
        with lock:
            wait = self.last.get(host, 0.0) + self.interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                return check(url)
            finally:
                self.last[host] = time.monotonic()


def run(urls: Optional[Iterable[str]] = None, workers: Optional[int] = None, progress=None) -> dict:
    """Checks ``urls`` (default: every known URL that is due), ``workers`` hosts at a time; stores the results,
    reindexes the datasets whose links changed state; returns counts by state."""
    urls = list(dict.fromkeys(urls if urls is not None else due()))
    register(urls)
    model.Session.commit()
    # Interleave hosts so that the workers are not all waiting on one host's interval.
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(_host_key(url), []).append(url)
    ordered = [u for group in _round_robin(list(by_host.values())) for u in group]
    hosts = _Hosts(float(_config("host_interval")))
    counts = {WORKING: 0, BROKEN: 0, REFUSED: 0, "changed": 0}
    changed: set[str] = set()
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers or int(_config("workers"))) as pool:
        futures = {pool.submit(hosts.check, url): url for url in ordered}
        for n, future in enumerate(concurrent.futures.as_completed(futures), 1):
            url = futures[future]
            result = future.result()
            before, after = record(url, result)
            counts[after] = counts.get(after, 0) + 1
            if before != after:
                changed.add(url)
            if n % 200 == 0:
                model.Session.commit()
            if progress:
                progress(n, len(futures))
    model.Session.commit()
    counts["changed"] = len(changed)
    counts["reindexed"] = reindex_datasets_of(changed)
    return counts


def _round_robin(groups: list[list[str]]) -> list[list[str]]:
    """One URL of each host, then the next of each, and so on."""
    out = []
    while groups:
        out.append([g.pop(0) for g in groups])
        groups = [g for g in groups if g]
    return out


def reindex_datasets_of(urls: Iterable[str]) -> int:
    """Reindexes the datasets that give one of ``urls`` (their quality score and coverage cell read link states)."""
    urls = list(urls)
    if not urls:
        return 0
    from ckan.lib.search import rebuild, commit
    ids = {pid for pid, in model.Session.query(model.Resource.package_id).filter(
        model.Resource.url.in_(urls), model.Resource.state == "active")}
    for package_id in ids:
        rebuild(package_id, defer_commit=True)
    commit()
    return len(ids)


def check_dataset_job(package_id: str) -> dict:
    """CKAN background job (``ckan jobs worker``): checks the links of one dataset that are due or new."""
    pkg = model.Package.get(package_id)
    if pkg is None or pkg.state != "active" or pkg.private:
        return {}
    urls = dataset_urls({"resources": [dict(r.extras or {}, url=r.url) for r in pkg.resources]})
    fresh = set(register(urls))
    model.Session.commit()
    known = states(urls)
    now = datetime.datetime.utcnow()
    todo = [u for u in urls if u in fresh or (known.get(u) or {}).get("state") == PENDING]
    todo += [row.url for row in model.Session.query(LinkCheck).filter(
        LinkCheck.id.in_([url_id(u) for u in urls]), LinkCheck.next_check <= now) if row.url not in todo]
    return run(todo) if todo else {}


def enqueue_dataset(pkg: dict) -> None:
    """Queues ``check_dataset_job`` for a public dataset that has links (after a create or an update)."""
    if not tk.asbool(_config("check_on_update")) or pkg.get("private") or pkg.get("state", "active") != "active":
        return
    if not dataset_urls(pkg):
        return
    try:
        tk.enqueue_job(check_dataset_job, [pkg["id"]], title="pida: check the links of " + pkg.get("name", ""))
    except Exception:  # Redis down: the links wait for `ckan pida check-links`; the save itself must not fail
        log.warning("Could not queue the link check of %s", pkg.get("name"), exc_info=True)
