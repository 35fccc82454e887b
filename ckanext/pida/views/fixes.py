"""/pida/fixes: what to fix first in a country's priority datasets (a national portal's own; on the hub, the country
chosen with ``?country=``), for the portal's editors and administrators; /pida/fixes.csv gives the same list."""
from __future__ import annotations

from flask import Blueprint, Response

import ckan.plugins.toolkit as tk

from ckanext.pida.quality import fixes
from ckanext.pida.views.coverage import _translated

blueprint = Blueprint("pida_fixes", __name__)


def _result(lang=None):
    context = {"user": tk.current_user.name if tk.current_user.is_authenticated else ""}
    return tk.get_action("pida_fixes_show")(context, {"country": tk.request.args.get("country") or None,
                                                      "lang": lang or tk.h.lang()})


@blueprint.route("/pida/fixes")
def page():
    if not tk.current_user.is_authenticated:
        return tk.abort(403, tk._("Log in to see what to fix first."))
    try:
        result = _result()
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or tk._("Only editors of an organisation can see what to fix."))
    except tk.ValidationError as e:
        return tk.render("pida/fixes.html", {"result": None, "errors": e.error_dict,
                                             "countries": _countries()})
    for item in result["items"]:
        item["gain"] = fixes.gain_text(item)
        item["text"] = fixes.describe(item, result["concepts"], date=tk.h.pida_date)
    return tk.render("pida/fixes.html", {"result": result, "errors": None, "countries": _countries()})


@blueprint.route("/pida/fixes.csv")
def as_csv():
    """UTF-8 with a byte order mark; the text in ``?lang=`` (default: the page's language)."""
    lang = tk.request.args.get("lang") or tk.h.lang()
    try:
        with _translated(lang):
            result = _result(lang)
            body = fixes.to_csv(result)
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of an organisation can see what to fix."))
    except tk.ValidationError as e:
        return tk.abort(400, "; ".join(" ".join(v) for v in e.error_dict.values()))
    return Response(body.encode("utf-8"), mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": "attachment; filename=pida-fixes-{}.csv".format(result["country"].lower())})


def _countries() -> list[str]:
    from ckanext.pida import coverage
    return coverage.site_countries()
