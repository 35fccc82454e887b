"""The coverage of the priority datasets: /pida/coverage (page), /pida/coverage.json and /pida/coverage.csv.

``?country=CO`` limits any of them to one country. The page also charts the daily snapshots."""
from __future__ import annotations

import json

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk

from ckanext.pida.coverage import MISSING, OUT_OF_DATE, PUBLISHED, to_csv

blueprint = Blueprint("pida_coverage", __name__)


def _report():
    params = {"country": tk.request.args.get("country") or None, "lang": tk.h.lang()}
    try:
        return tk.get_action("pida_coverage_show")({}, params)
    except tk.ValidationError as e:
        tk.abort(400, "; ".join("{}: {}".format(k, " ".join(v)) for k, v in e.error_dict.items()))


@blueprint.route("/pida/coverage")
def page():
    rep = _report()
    history = tk.get_action("pida_coverage_history")({}, {"country": tk.request.args.get("country") or None})
    labels = {PUBLISHED: tk._("Published and up to date"), OUT_OF_DATE: tk._("Published, out of date"),
              MISSING: tk._("Missing")}
    return tk.render("pida/coverage.html", {"report": rep, "history": _series(history), "labels": labels,
                                            "country": tk.request.args.get("country")})


@blueprint.route("/pida/coverage.json")
def as_json():
    return Response(json.dumps(_report(), ensure_ascii=False, indent=1), mimetype="application/json")


@blueprint.route("/pida/coverage.csv")
def as_csv():
    return Response(to_csv(_report()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=pida-coverage.csv"})


def _series(history: list[dict]) -> dict:
    """Snapshots grouped by country, as SVG polyline points (x: day index, y: share up to date) for the chart."""
    days = sorted({h["day"] for h in history})
    if not days:
        return {"days": [], "countries": {}}
    x_of = {d: (i * 100.0 / max(len(days) - 1, 1)) for i, d in enumerate(days)}
    by_country: dict[str, list] = {}
    for h in history:
        by_country.setdefault(h["country"], []).append(
            "{:.1f},{:.1f}".format(x_of[h["day"]], 40 - 40 * h["share_up_to_date"]))
    return {"days": days, "countries": {c: " ".join(points) for c, points in by_country.items()}}
