"""The coverage of the priority datasets: /pida/coverage (page), /pida/coverage.json, /pida/coverage.csv and
/pida/coverage.xlsx.

``?country=CO`` limits any of them to one country; ``?lang=es`` gives the CSV's headers and statuses in that
language (the machine ids stay in their own columns). The page also charts the daily snapshots."""
from __future__ import annotations

import functools
import json
import math
import os

from flask import Blueprint, Response, make_response

import ckan.model as model
from ckan.plugins import plugin_loaded
import ckan.plugins.toolkit as tk

from ckanext.pida import coverage_summary, indexing, vocabulary
from ckanext.pida.coverage import DETECTED, MISSING, NOT_OPENING, OUT_OF_DATE, PUBLISHED, to_csv
from ckanext.pida.coverage_xlsx import to_xlsx
from ckanext.pida.data_requests import logic as requests_logic

blueprint = Blueprint("pida_coverage", __name__)

# Line colours and dashes of the progress chart: distinct for colour-blind readers, and told apart by the dash too.
CHART_STYLES = [("#1b5e20", None), ("#0d47a1", "6 3"), ("#b71c1c", "2 3"), ("#4a148c", "8 3 2 3"),
                ("#e65100", "1 2"), ("#006064", "10 4")]


def status_labels() -> dict:
    return {PUBLISHED: tk._("Published and up to date"), OUT_OF_DATE: tk._("Published, out of date"),
            NOT_OPENING: tk._("Published, but the data does not open"), DETECTED: tk._("Detected, to be confirmed"), MISSING: tk._("Missing")}


class _BadRequest(Exception):
    def __init__(self, errors: dict):
        self.errors = errors

    def as_json(self):
        """The error as CKAN's action API gives it."""
        return _json({"success": False, "error": {"__type": "Validation Error", **self.errors}}, status=400)


def _report(lang=None, country=None):
    """The report of ``?country=`` (or of ``country``; "" for every country), in ``lang``."""
    wanted = tk.request.args.get("country") if country is None else country
    try:
        return tk.get_action("pida_coverage_show")({}, {"country": wanted or None, "lang": lang or tk.h.lang()})
    except tk.ValidationError as e:
        raise _BadRequest(e.error_dict)


def _json(body, status=200):
    return Response(json.dumps(body, ensure_ascii=False, indent=1), status=status, mimetype="application/json")


#: The cookie that remembers the reader's country (chosen with the page's picker), for a year.
COUNTRY_COOKIE = "pida_country"
SORTS = ("rank", "name", "change")
CHART_COUNTRIES = 6


@blueprint.route("/pida/coverage")
def page():
    """The page for a minister. ``?country=`` shows one country (and remembers it); without it, every country,
    the reader's remembered country first. Ranks, the regional average, changes and next steps always come from
    the whole region (``coverage_summary``). ``?sort=rank|name|change`` orders the score table."""
    country = (tk.request.args.get("country") or "").upper() or None
    if country and not vocabulary.country(country):
        return tk.abort(400, tk._("Unknown country code: {0}").format(country))
    try:
        whole = _report(country="")
    except _BadRequest as e:
        return tk.abort(400, "; ".join(" ".join(v) for v in e.errors.values()))
    history = tk.get_action("pida_coverage_history")({}, {})
    summary = coverage_summary.summarise(whole, history, organizations=_organization_titles(whole))
    remembered = (tk.request.cookies.get(COUNTRY_COOKIE) or "").upper()
    reader = country or (remembered if any(r["code"] == remembered for r in whole["countries"]) else None)
    sort = tk.request.args.get("sort") if tk.request.args.get("sort") in SORTS else "rank"

    rep = dict(whole, countries=[r for r in whole["countries"] if r["code"] == country]) if country else whole
    shown = _ordered(rep["countries"], summary, sort, reader)
    with_data = [r for r in shown if summary["countries"][r["code"]]["has_data"]]
    names = {r["code"]: r["name"] for r in whole["countries"]}
    response = make_response(tk.render("pida/coverage.html", {
        "report": rep, "rows": shown, "matrix_rows": with_data if len(shown) > 1 else shown,
        "without_data": [r for r in shown if r not in with_data] if len(shown) > 1 else [],
        "summary": summary, "reader": reader, "sort": sort, "statuses": _data_status(),
        "chart": chart(_chart_history(history, whole, summary, reader), names),
        "labels": status_labels(), "country": country, "all_countries": sorted(names.items(), key=lambda i: i[1]),
        "requests": requests_logic.waiting_counts(),
    }))
    if country and country != remembered:
        response.set_cookie(COUNTRY_COOKIE, country, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=tk.request.is_secure)
    return response


@blueprint.route("/pida/coverage/profile", defaults={"code": None})
@blueprint.route("/pida/coverage/<code>/profile")
def profile(code):
    """One page for an OAS review session: a country's score, rank, trend, principles and top actions (or, without a
    country, the region's summary), in the page's language; the same page as a PDF at ``profile.pdf``."""
    return tk.render("pida/profile.html", _profile_vars(code, pdf=False))


@blueprint.route("/pida/coverage/profile.pdf", defaults={"code": None})
@blueprint.route("/pida/coverage/<code>/profile.pdf")
def profile_pdf(code):
    """The profile as an A4 PDF (WeasyPrint, the optional extra ``pdf``); without WeasyPrint, the HTML profile,
    which prints on one page too."""
    variables = _profile_vars(code, pdf=True)
    try:
        from weasyprint import HTML
    except (ImportError, OSError):  # not installed, or its system libraries (Pango) are missing
        variables["no_pdf"] = True
        return tk.render("pida/profile.html", variables)
    html = tk.render("pida/profile.html", variables)
    body = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    name = "pida-{}-{}.pdf".format((code or "region").lower(), tk.h.lang())
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="{}"'.format(name)})


def _no_fetch(url, *args, **kwargs):
    """The profile is self-contained: WeasyPrint fetches nothing (no request leaves the server)."""
    raise ValueError("the PIDA profile does not load " + url[:60])


def _profile_vars(code, pdf: bool) -> dict:
    code = (code or "").upper() or None
    if code and not vocabulary.country(code):
        tk.abort(404, tk._("Unknown country code: {0}").format(code))
    whole = _report(country="")
    history = tk.get_action("pida_coverage_history")({}, {})
    summary = coverage_summary.summarise(whole, history, organizations=_organization_titles(whole))
    names = {r["code"]: r["name"] for r in whole["countries"]}
    row = next((r for r in whole["countries"] if r["code"] == code), None)
    if code and row is None:
        tk.abort(404, tk._("No coverage for {0} on this site.").format(names.get(code, code)))
    live = coverage_summary.live_history(history, whole)
    region = tk._("OAS")  # the region's line, labelled at its end as a country's is by its code
    lines = [h for h in live if h["country"] == code] if code else []
    lines += _regional_line(live, region)
    names[region] = tk._("Regional average")
    return {"report": whole, "row": row, "summary": summary, "code": code, "pdf": pdf, "css": _profile_css(),
            "figures": summary["countries"].get(code) if code else None,
            "ranked_rows": sorted((r for r in whole["countries"] if summary["countries"][r["code"]]["has_data"]),
                                  key=lambda r: (summary["countries"][r["code"]]["rank"], r["name"])),
            "without_data": [r for r in whole["countries"] if not summary["countries"][r["code"]]["has_data"]],
            "chart": chart(lines, names), "no_pdf": False}


#: The profile's stylesheet, inlined in the page (the PDF loads nothing).
PROFILE_CSS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "assets", "pida-profile.css")


@functools.lru_cache(maxsize=1)
def _profile_css() -> str:
    with open(PROFILE_CSS, encoding="utf-8") as f:
        return f.read()


def _regional_line(live: list[dict], region: str) -> list[dict]:
    """The regional average by day (the mean share of the countries with data that day), as the line of a
    pseudo-country ``region``."""
    by_day: dict = {}
    for h in live:
        by_day.setdefault(h["day"], []).append(h["share_up_to_date"])
    return [{"day": day, "country": region, "share_up_to_date": sum(v) / len(v)}
            for day, v in sorted(by_day.items(), key=lambda item: str(item[0]))]


def _ordered(rows: list[dict], summary: dict, sort: str, reader) -> list[dict]:
    """Countries with data by rank (or name, or change over 90 days), the reader's own first; then those without
    data, by name."""
    figures = summary["countries"]

    def key(r):
        f = figures[r["code"]]
        if sort == "name":
            main = (r["name"],)
        elif sort == "change":
            change = f["change"]["days_90"]
            main = (change is None, -(change or 0), r["name"])
        else:
            main = (f["rank"] or 0, r["name"])
        return (r["code"] != reader, not f["has_data"]) + main
    return sorted(rows, key=key)


def _chart_history(history: list[dict], whole: dict, summary: dict, reader) -> list[dict]:
    """The chart's lines, with today's live values: the reader's country and the best ranked ones (six at most)."""
    live = coverage_summary.live_history(history, whole)
    ranked = sorted((c for c, f in summary["countries"].items() if f["has_data"]),
                    key=lambda c: summary["countries"][c]["rank"])
    keep = set(([reader] if reader else []) + [c for c in ranked if c != reader][:CHART_COUNTRIES - bool(reader)])
    return [h for h in live if h["country"] in keep]


def _organization_titles(rep: dict) -> dict:
    """The titles of the organisations that publish the report's datasets, in one query."""
    names = coverage_summary.organization_names(rep["countries"])
    if not names:
        return {}
    return dict(model.Session.query(model.Group.name, model.Group.title).filter(model.Group.name.in_(names)))


def _data_status() -> dict:
    """On the hub, whether each country's catalogues can be read (``hub.logic.country_data_status``); a national
    portal has nothing to say here."""
    if not plugin_loaded("pida_hub"):
        return {}
    from ckanext.pida.hub.logic import country_data_status
    return country_data_status()


@blueprint.route("/pida/coverage.json")
def as_json():
    try:
        return _json(_report())
    except _BadRequest as e:
        return e.as_json()


@blueprint.route("/pida/coverage.csv")
def as_csv():
    """UTF-8 with a byte order mark, so that Excel reads "México" as such; comma-separated, with a dot before
    decimals and shares as fractions (0.1333), whatever the language (the XLSX is the export for a spreadsheet set
    up with a decimal comma). Headers and statuses in ``?lang=`` (by default the page's language), each header with
    its machine id in brackets; ``?lang=id`` gives ids only."""
    lang = tk.request.args.get("lang") or tk.h.lang()
    machine = lang == "id"
    try:
        rep = _report("en" if machine else lang)
    except _BadRequest as e:
        return e.as_json()
    if machine:
        body = to_csv(rep)
    else:
        with _translated(lang):
            headers, labels = _texts(), _statuses()
        body = to_csv(rep, headers, labels)
    return Response(("\ufeff" + body).encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=pida-coverage.csv"})


@blueprint.route("/pida/coverage.xlsx")
def as_xlsx():
    """The same report as a workbook (``coverage_xlsx``): countries, cells and datasets, one sheet each, with typed
    numbers, percentages and dates, in ``?lang=`` (by default the page's language)."""
    lang = tk.request.args.get("lang") or tk.h.lang()
    try:
        rep = _report(lang)
    except _BadRequest as e:
        return e.as_json()
    with _translated(lang):
        texts, labels = _texts(), _statuses()
    body = to_xlsx(rep, texts, labels, lambda name: tk.url_for("dataset.read", id=name, _external=True))
    suffix = "-" + rep["countries"][0]["code"].lower() if tk.request.args.get("country") and rep["countries"] else ""
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=pida-coverage{}.xlsx".format(suffix)})


def _statuses() -> dict:
    """The statuses' and ratings' labels, in the language in force."""
    labels = status_labels()
    labels.update(indexing.rating_labels())
    return labels


def _texts() -> dict:
    """The exports' headers (keyed by the CSV's machine ids) and the workbook's sheet names and further headers."""
    return {"country": tk._("Country code"), "name": tk._("Country"), "datasets": tk._("Datasets"),
            "share_up_to_date": tk._("Share up to date"), "share_published": tk._("Share published"),
            "share_detected": tk._("Share detected, to be confirmed"),
            "quality_score": tk._("Metadata quality (MQA points of 405)"),
            "quality_rating": tk._("Metadata quality rating"),
            "share_links_working": tk._("Share of the links checked that open"),
            "share_machine_readable": tk._("Share of machine-readable files"), **status_labels(),
            "sheet_countries": tk._("Countries"), "sheet_cells": tk._("Priority datasets by country"),
            "sheet_datasets": tk._("Datasets counted"), "cell_notation": tk._("Number"),
            "cell_concept": tk._("Priority dataset"), "cell_status": tk._("Status"),
            "cell_datasets": tk._("Datasets"), "cell_broken_since": tk._("Does not open since"),
            "dataset_title": tk._("Dataset"), "dataset_url": tk._("Address"),
            "dataset_modified": tk._("Last updated")}


def _translated(lang: str):
    """Messages in ``lang`` for this block, whatever the request's own language."""
    import flask_babel
    from ckan.lib.i18n import get_locales_from_config
    offered = {str(l) for l in get_locales_from_config()}
    return flask_babel.force_locale(lang if lang in offered else tk.h.lang())


def chart(history: list[dict], names: dict) -> dict:
    """The geometry of the progress chart (an SVG drawn by the template): one line per country, share published
    and up to date (0-100 %) by day, with a grid, the first and last days and each line's last value."""
    width, height, left, right, top, bottom = 640, 240, 44, 560, 12, 210
    days = sorted({h["day"] for h in history})
    geometry = {"width": width, "height": height, "left": left, "right": right, "series": []}
    if len(days) < 2:
        return geometry
    x_of = {d: left + i * (right - left) / (len(days) - 1) for i, d in enumerate(days)}

    # The vertical scale ends at the next quarter above the highest share, so that small progress is visible.
    ceiling = max(0.25, min(1.0, math.ceil(max(h["share_up_to_date"] for h in history) * 4 + 1e-9) / 4))

    def y_of(share):
        return bottom - share / ceiling * (bottom - top)

    by_country: dict[str, list] = {}
    for h in history:
        by_country.setdefault(h["country"], []).append(h)
    series = []
    for i, (code, points) in enumerate(sorted(by_country.items())):
        colour, dash = CHART_STYLES[i % len(CHART_STYLES)]
        series.append({
            "code": code, "name": names.get(code, code), "colour": colour, "dash": dash,
            "points": " ".join("{:.1f},{:.1f}".format(x_of[p["day"]], y_of(p["share_up_to_date"])) for p in points),
            "first": round(points[0]["share_up_to_date"] * 100), "last": round(points[-1]["share_up_to_date"] * 100),
            "end_y": y_of(points[-1]["share_up_to_date"]),
        })
    min_gap = 13
    ordered = sorted(series, key=lambda s: s["end_y"])
    for previous, current in zip(ordered, ordered[1:]):
        current["end_y"] = max(current["end_y"], previous["end_y"] + min_gap)
    middle = days[len(days) // 2]
    geometry.update({
        "series": series, "start": tk.h.pida_date(days[0]), "end": tk.h.pida_date(days[-1]),
        "grid": [{"y": y_of(v / 100), "label": v} for v in range(0, int(ceiling * 100) + 1, 5 if ceiling <= .25 else 25)],
        "ticks": [{"x": x_of[d], "label": tk.h.pida_date(d, "medium")} for d in sorted({days[0], middle, days[-1]})],
    })
    return geometry
