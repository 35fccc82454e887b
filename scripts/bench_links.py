#!/usr/bin/env python
"""Speed and memory of the link checker, and the cost of the quality score when a dataset is saved.

    scripts/services.sh db ckan_bench_links && scripts/services.sh core ckan_bench_links .venv/bin/python
    CKAN_SQLALCHEMY_URL=postgresql://ckan_default:pass@127.0.0.1:5432/ckan_bench_links \\
    CKAN_SOLR_URL=http://127.0.0.1:8983/solr/ckan_bench_links CKAN_REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python scripts/bench_links.py --ini test.ini --links 10000 --workers 2 --datasets 300

1. **Links.** ``--links`` distributions' URLs on ``--hosts`` local file servers (each a host of its own, listed
   in ``ckanext.pida.links.allowed_hosts``, the only way the checker connects to loopback), in the mix of a real
   portal's: most answer a CSV, some 404 or 500, redirect (once, or in a loop), serve an HTML page as "CSV", or
   never answer before the deadline. ``links.run`` checks them all with ``--workers`` hosts at a time, as ``ckan
   pida check-links`` does, storing every result; the script prints checks/s, the states found, how many HTML
   pages were caught as mislabelled, and the peak resident memory. ``--host-interval`` is the pause between two
   requests to one host (default 0: the checker's own cost; a portal's default of 1 s bounds it to one check per
   second per host instead).
2. **Scoring at import.** ``--datasets`` datasets created with ``package_create`` (three distributions each): the
   time spent in the quality report that indexing computes (``quality.logic.report``), as a share of the whole
   create (validation, database, index). The target is under 5 %.

A benchmark's inputs are generated; give it a database and a Solr core of its own (it empties them).
"""
from __future__ import annotations

import argparse
import http.server
import resource
import sys
import threading
import time

MIX = [  # (share, path kind) of a portal's links
    (0.70, "ok"), (0.08, "gone"), (0.04, "error"), (0.06, "moved"), (0.06, "login"), (0.03, "loop"),
    (0.02, "slow"), (0.01, "busy")]
CSV = b"id,nombre,monto\n1,Constructora Andina,125000\n"
HTML = b"<!DOCTYPE html><html><head><title>Portal</title></head><body>Inicie sesion</body></html>"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_HEAD(self):  # noqa: N802
        self._route(head=True)

    def do_GET(self):  # noqa: N802
        self._route(head=False)

    def _route(self, head):
        kind = self.path.split("/")[1]
        if kind == "ok":
            return self._send(200, "text/csv", CSV, head)
        if kind == "login":
            return self._send(200, "text/html", HTML, head)
        if kind == "gone":
            return self._send(404, "text/html", b"not found", head)
        if kind == "error":
            return self._send(500, "text/plain", b"boom", head)
        if kind == "busy":
            self.send_response(429)
            self.send_header("Retry-After", "3600")
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if kind == "moved":
            return self._redirect("/ok/" + self.path.split("/", 2)[2])
        if kind == "loop":
            return self._redirect(self.path + "x")
        if kind == "slow":
            time.sleep(30)
        return self._send(404, "text/plain", b"", head)

    def _redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status, content_type, body, head):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve(hosts: int) -> list[str]:
    bases = []
    for _ in range(hosts):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append("http://127.0.0.1:{}".format(server.server_address[1]))
    return bases


def urls_for(bases: list[str], total: int) -> tuple[list[str], dict]:
    """``total`` URLs in the proportions of MIX, spread over the hosts; and how many of each kind."""
    kinds = []
    for share, kind in MIX:
        kinds += [kind] * int(round(share * total))
    kinds = (kinds + ["ok"] * total)[:total]
    urls = ["{}/{}/{}.csv".format(bases[i % len(bases)], kind, i) for i, kind in enumerate(kinds)]
    return urls, {kind: kinds.count(kind) for _, kind in MIX}


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def bench_links(args) -> None:
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    from ckanext.pida.model import LinkCheck
    from ckanext.pida.quality import links

    bases = serve(args.hosts)
    tk.config["ckanext.pida.links.allowed_hosts"] = [b.split("//")[1] for b in bases]
    tk.config["ckanext.pida.links.host_interval"] = args.host_interval
    tk.config["ckanext.pida.links.timeout"] = args.timeout
    urls, mix = urls_for(bases, args.links)
    model.Session.query(LinkCheck).delete()
    model.Session.commit()
    before = peak_mb()
    marks = {}

    def progress(n, total):
        if n in (total // 10, total // 2, total):
            marks[n] = peak_mb()

    started = time.perf_counter()
    counts = links.run(urls, workers=args.workers, progress=progress)
    elapsed = time.perf_counter() - started
    mislabelled = model.Session.query(LinkCheck).filter(LinkCheck.url.like("%/login/%"),
                                                        LinkCheck.sniffed == "html").count()
    print("links: {} on {} hosts, {} workers, host interval {} s, deadline {} s".format(
        len(urls), len(bases), args.workers, args.host_interval, args.timeout))
    print("  mix: " + ", ".join("{} {}".format(n, k) for k, n in mix.items()))
    print("  {:.1f} s, {:.1f} checks/s".format(elapsed, len(urls) / elapsed))
    print("  found: working {}, broken {}, refused {}, pending (asked to wait) {}; HTML served as CSV caught: {} of "
          "{}".format(counts.get(links.WORKING, 0), counts.get(links.BROKEN, 0), counts.get(links.REFUSED, 0),
                      counts.get(links.PENDING, 0), mislabelled, mix["login"]))
    print("  peak memory: {} MB before; after 10 %, 50 %, all of the checks: {} MB".format(
        before, " ".join(str(marks[k]) for k in sorted(marks))))


def bench_scoring(args) -> None:
    """The share of a dataset's create spent in its quality report (measured around the real function)."""
    import ckan.plugins.toolkit as tk
    from ckanext.pida import indexing
    from ckanext.pida.quality import logic as quality_logic

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    org = tk.get_action("organization_create")({"user": site_user}, {"name": "bench-scoring-{}".format(
        int(time.time()))})
    spent = [0.0]
    real_report = quality_logic.report

    def timed_report(pkg, now=None):
        t = time.perf_counter()
        try:
            return real_report(pkg, now)
        finally:
            spent[0] += time.perf_counter() - t

    indexing.quality_logic.report = timed_report
    try:
        started = time.perf_counter()
        for n in range(args.datasets):
            tk.get_action("package_create")({"user": site_user}, {
                "name": "bench-scoring-{}-{}".format(org["name"][-10:], n), "title": "Contratos {}".format(n),
                "notes": "Contratos adjudicados por la entidad, con proveedor, monto y fecha.",
                "owner_org": org["id"], "pida_country": "CO", "pida_personal_data": "no",
                "tag_string": "contratos,compras", "license_id": "cc-by",
                "frequency": "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
                "resources": [{"url": "https://datos.example.gov/contratos-{}.{}".format(n, ext), "format": fmt,
                               "name": "contratos.{}".format(ext)}
                              for ext, fmt in (("csv", "CSV"), ("json", "JSON"), ("xlsx", "XLSX"))]})
        elapsed = time.perf_counter() - started
    finally:
        indexing.quality_logic.report = real_report
    print("scoring at import: {} datasets created in {:.1f} s ({:.1f} ms each); quality report {:.1f} ms each, "
          "{:.1f} % of a create".format(args.datasets, elapsed, elapsed / args.datasets * 1000,
                                        spent[0] / args.datasets * 1000, spent[0] / elapsed * 100))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default="test.ini")
    parser.add_argument("--links", type=int, default=10000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--host-interval", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=2.0, help="the checker's deadline per link (seconds)")
    parser.add_argument("--datasets", type=int, default=300, help="datasets created to time the scoring (0: skip)")
    args = parser.parse_args()

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    config = load_config(args.ini)
    config["ckan.plugins"] = "pida scheming_datasets dcat"
    config["ckanext.pida.country"] = "CO"
    config["ckanext.pida.links.check_on_update"] = False
    app = make_app(config)
    import ckan.model as model
    from ckan.cli.db import _run_migrations
    with app._wsgi_app.test_request_context():
        model.repo.init_db()
        _run_migrations("pida")
        if args.links:
            bench_links(args)
        if args.datasets:
            bench_scoring(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
