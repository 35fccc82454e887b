"""The coverage of the priority datasets: /pida/coverage (page), /pida/coverage.json and /pida/coverage.csv.

``?country=CO`` limits any of them to one country; ``?lang=es`` gives the CSV's headers and statuses in that
language (the machine ids stay in their own columns). The page also charts the daily snapshots."""
from __future__ import annotations

import json
import math

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk

from ckanext.pida import indexing
from ckanext.pida.coverage import DETECTED, MISSING, NOT_OPENING, OUT_OF_DATE, PUBLISHED, to_csv

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


def _report(lang=None):
    params = {"country": tk.request.args.get("country") or None, "lang": lang or tk.h.lang()}
    try:
        return tk.get_action("pida_coverage_show")({}, params)
    except tk.ValidationError as e:
        raise _BadRequest(e.error_dict)


def _json(body, status=200):
    return Response(json.dumps(body, ensure_ascii=False, indent=1), status=status, mimetype="application/json")


@blueprint.route("/pida/coverage")
def page():
    try:
        rep = _report()
    except _BadRequest as e:
        return tk.abort(400, "; ".join(" ".join(v) for v in e.errors.values()))
    history = tk.get_action("pida_coverage_history")({}, {"country": tk.request.args.get("country") or None})
    names = {r["code"]: r["name"] for r in rep["countries"]}
    return tk.render("pida/coverage.html", {"report": rep, "chart": chart(history, names),
                                            "labels": status_labels(),
                                            "country": tk.request.args.get("country")})


@blueprint.route("/pida/coverage.json")
def as_json():
    try:
        return _json(_report())
    except _BadRequest as e:
        return e.as_json()


@blueprint.route("/pida/coverage.csv")
def as_csv():
    """UTF-8 with a byte order mark, so that Excel reads "México" as such. Headers and statuses in ``?lang=`` (by
    default the page's language), each header with its machine id in brackets; ``?lang=id`` gives ids only."""
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
            labels = status_labels()
            headers = {"country": tk._("Country code"), "name": tk._("Country"), "datasets": tk._("Datasets"),
                       "share_up_to_date": tk._("Share up to date"), "share_published": tk._("Share published"),
                       "share_detected": tk._("Share detected, to be confirmed"),
                       "quality_score": tk._("Metadata quality (MQA points of 405)"),
                       "quality_rating": tk._("Metadata quality rating"),
                       "share_links_working": tk._("Share of the links checked that open"),
                       "share_machine_readable": tk._("Share of machine-readable files"), **labels}
            labels.update(indexing.rating_labels())
        body = to_csv(rep, headers, labels)
    return Response(("\ufeff" + body).encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=pida-coverage.csv"})


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
