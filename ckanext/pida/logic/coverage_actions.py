"""API actions of the coverage of the priority datasets (wired into the ``pida`` plugin: hub and national portals)."""
from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk

from ckanext.pida import coverage, vocabulary


@tk.side_effect_free
def pida_coverage_show(context, data_dict):
    """Countries by the 30 priority datasets: each cell published / out_of_date / missing, with its datasets;
    per country totals, shares and the Charter principle summary.

    :param country: optional ISO 3166-1 alpha-2 code: only that country
    :param lang: optional language of the labels (es, en, pt_BR, fr)
    """
    country = _country(data_dict.get("country"))
    return coverage.report(_search_context(), country, data_dict.get("lang"))


@tk.side_effect_free
def pida_coverage_history(context, data_dict):
    """The daily snapshots of the coverage, oldest first, for progress charts.

    :param country: optional ISO 3166-1 alpha-2 code
    :param since: optional date (YYYY-MM-DD)
    """
    since = data_dict.get("since")
    if since:
        try:
            since = datetime.date.fromisoformat(str(since)[:10])
        except ValueError:
            raise tk.ValidationError({"since": [tk._("Use a date such as 2026-01-31.")]})
    return coverage.history(_country(data_dict.get("country")), since)


def pida_coverage_snapshot(context, data_dict):
    """Stores today's coverage (one row per country; run daily, e.g. ``ckan pida coverage-snapshot``).
    Sysadmins only. Returns ``{"day", "countries"}``."""
    tk.check_access("pida_coverage_snapshot", context, data_dict)
    rep = coverage.report(_search_context(), None, "en")
    return {"day": datetime.date.today().isoformat(), "countries": coverage.snapshot(rep)}


def pida_coverage_backfill(context, data_dict):
    """Reconstructs the past snapshots that are missing from the datasets' release and update dates, so that a
    new portal or hub shows its progress from the start (sysadmins only; recorded snapshots are kept).

    :param days: how far back, in days (default 365)
    :param step: one snapshot every so many days (default 7)
    Returns ``{"days": number of snapshots stored}``."""
    tk.check_access("pida_coverage_snapshot", context, data_dict)
    try:
        days, step = int(data_dict.get("days", 365)), int(data_dict.get("step", 7))
    except (TypeError, ValueError):
        raise tk.ValidationError({"days": [tk._("Use whole numbers of days.")]})
    if not (1 <= step <= days <= 3660):
        raise tk.ValidationError({"days": [tk._("Use whole numbers of days.")]})
    return {"days": coverage.backfill(_search_context(), days, step)}


@tk.side_effect_free
def pida_fixes_show(context, data_dict):
    """What to fix first in one country's priority datasets, best first: the fixes that win cells of the coverage
    (data that does not open, out of date, detections to decide), then those that win quality points (dead links,
    MQA indicators the datasets miss), each with what it wins. For the portal's editors and administrators.

    :param country: ISO 3166-1 alpha-2 code (default: the portal's own, ``ckanext.pida.country``)
    :param lang: optional language of the labels (es, en, pt_BR, fr)
    """
    from ckanext.pida.quality import fixes
    tk.check_access("pida_fixes_show", context, data_dict)
    country = _country(data_dict.get("country") or tk.config.get("ckanext.pida.country"))
    if not country:
        raise tk.ValidationError({"country": [tk._("Choose a country.")]})
    result = fixes.build(coverage.index_datasets(country), country, data_dict.get("lang"))
    for item in result["items"]:
        item["text"] = fixes.describe(item, result["concepts"])
    return result


def _country(value):
    if not value:
        return None
    if not vocabulary.country(value):
        raise tk.ValidationError({"country": [tk._("Unknown country code: {0}").format(value)]})
    return value.upper()


def _search_context():
    # Coverage counts public datasets only, whoever asks, so the page shows the same to everyone.
    return {"ignore_auth": True, "user": ""}


def get_actions() -> dict:
    return {
        "pida_coverage_show": pida_coverage_show,
        "pida_coverage_history": pida_coverage_history,
        "pida_coverage_snapshot": pida_coverage_snapshot,
        "pida_coverage_backfill": pida_coverage_backfill,
        "pida_fixes_show": pida_fixes_show,
    }
