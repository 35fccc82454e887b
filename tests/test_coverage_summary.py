"""The minister's figures (issue #20): ranks, the regional average, the change over 90 days and a year, next
steps, and the chart's live last point, on a hand-made region."""
import copy
import datetime

from ckanext.pida import coverage, coverage_summary
from tests.test_coverage import DAILY, MONTHLY, NOW, ds

TODAY = NOW.date()

REGION = [
    # Colombia: lobbying up to date; contracts out of date since months (daily), by the procurement agency.
    ds("co-lobby", "CO", ["lobbying-register"], MONTHLY, "2026-06-10"),
    ds("co-contracts", "CO", ["contracts-register"], DAILY, "2026-01-01", organization={"name": "colombia-compra"}),
    # Mexico: lobbying and budgets up to date: first.
    ds("mx-lobby", "MX", ["lobbying-register"], MONTHLY, "2026-06-10"),
    ds("mx-budget", "MX", ["budgets"], MONTHLY, "2026-06-10"),
    # Chile: lobbying up to date, as Colombia: the same rank.
    ds("cl-lobby", "CL", ["lobbying-register"], MONTHLY, "2026-06-10"),
]


def region():
    return coverage.build(copy.deepcopy(REGION), countries=["PE"], now=NOW, lang="es")


def test_ranks_share_equal_places_and_skip_countries_without_data():
    rep = region()
    ranks = coverage_summary.ranks(rep["countries"])
    # Colombia publishes 2 (one late), Chile 1: same share up to date, Colombia ahead on share published.
    assert ranks == {"MX": 1, "CO": 2, "CL": 3}
    assert "PE" not in ranks  # Peru has nothing: not a 0 % country, not in the average
    assert coverage_summary.regional_average(rep["countries"]) == round((2 / 30 + 1 / 30 + 1 / 30) / 3, 4)

    tied = coverage.build([ds("cl-lobby", "CL", ["lobbying-register"], MONTHLY, "2026-06-10"),
                           ds("ar-lobby", "AR", ["lobbying-register"], MONTHLY, "2026-06-10")], now=NOW)
    assert coverage_summary.ranks(tied["countries"]) == {"AR": 1, "CL": 1}


def test_changes_compare_today_with_the_snapshots_90_and_365_days_old():
    [co] = [r for r in region()["countries"] if r["code"] == "CO"]
    history = [{"day": "2025-06-01", "country": "CO", "share_up_to_date": 0.0},
               {"day": "2026-03-01", "country": "CO", "share_up_to_date": 0.0667},  # 121 days before
               {"day": "2026-04-15", "country": "CO", "share_up_to_date": 0.1},  # 76 days: too recent for 90
               {"day": "2026-03-01", "country": "MX", "share_up_to_date": 0.5}]
    change = coverage_summary.changes(co, history, TODAY)
    assert change == {"days_90": round(1 / 30 - 0.0667, 4), "days_365": round(1 / 30, 4)}
    assert coverage_summary.changes(co, history[2:], TODAY) == {"days_90": None, "days_365": None}


def test_next_steps_say_how_late_who_publishes_and_what_peers_manage():
    rep = region()
    [co] = [r for r in rep["countries"] if r["code"] == "CO"]
    steps = coverage_summary.next_steps(co, rep["countries"], TODAY, {"colombia-compra": "Colombia Compra Eficiente"})

    [late] = steps["late"]
    assert late["name"] == "co-contracts" and late["publisher"] == "Colombia Compra Eficiente"
    # Daily, last updated on 1 January: late since 2 January (1 day x 1.2 tolerance), 179 days on 30 June.
    assert late["since"] == "2026-01-02" and late["days"] == 179
    # Budgets is published by Mexico, the one peer with it: it weighs most among Colombia's missing datasets.
    assert steps["missing"][0] == {"concept": "budgets", "peers": 1, "of": 2, "stages": steps["missing"][0]["stages"]}
    assert steps["missing_total"] == 28 and steps["detected"] == 0


def test_the_chart_ends_on_todays_live_value():
    rep = region()
    history = [{"day": "2026-06-01", "country": "CO", "share_up_to_date": 0.0},
               {"day": TODAY.isoformat(), "country": "CO", "share_up_to_date": 0.0}]  # this morning's snapshot
    live = coverage_summary.live_history(history, rep, TODAY)
    assert live == [{"day": "2026-06-01", "country": "CO", "share_up_to_date": 0.0},
                    {"day": TODAY.isoformat(), "country": "CO", "share_up_to_date": round(1 / 30, 4)}]


def test_summary_leaves_countries_without_data_unranked():
    summary = coverage_summary.summarise(region(), [], TODAY)
    assert summary["ranked"] == 3 and summary["countries"]["PE"] == dict(
        summary["countries"]["PE"], rank=None, has_data=False)
    assert summary["countries"]["MX"]["rank"] == 1


def test_stale_dates_from_the_index_give_the_same_lateness():
    late = ds("co-contracts", "CO", ["contracts-register"], DAILY, "2026-01-01")
    late["_stale"] = datetime.datetime(2026, 1, 2, 4, 48)
    rep = coverage.build([late], now=NOW)
    [entry] = rep["countries"][0]["cells"]["contracts-register"]["datasets"]
    assert entry["late_since"] == "2026-01-02"
