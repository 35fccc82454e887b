"""The coverage read by a minister: each country's rank, the regional average, the change over 90 days and a
year, and the country's next steps.

- **Rank**: countries by share published and up to date, then by share published (competition ranking: equal
  shares, equal rank). Countries listed without any data (no source on the hub, nothing published) are neither
  ranked nor in the average: a missing catalogue is not a 0 % country.
- **Change**: today's share minus the share of the last daily snapshot at least 90 (365) days old; None while
  the history is shorter.
- **Next steps**: the datasets out of date, latest first by how late, with who publishes them; the datasets whose
  data does not open; the detections waiting for a decision; and the missing priority datasets that weigh most,
  that is those the most other countries of the region already publish (what peers manage is within reach, and
  what makes the region comparable), then those that serve the most anti-corruption stages.
"""
from __future__ import annotations

import datetime
from typing import Iterable, Optional

from ckanext.pida import vocabulary
from ckanext.pida.coverage import DETECTED, MISSING, NOT_OPENING, OUT_OF_DATE, PUBLISHED

PUBLISHED_STATUSES = (PUBLISHED, OUT_OF_DATE, NOT_OPENING)
NEXT_STEPS_SHOWN = 5
MISSING_SHOWN = 3


def has_data(row: dict) -> bool:
    """Whether the country has anything in the report (a dataset counted, or one detected)."""
    return bool(row["datasets"] or row.get("detected_datasets"))


def ranks(rows: list[dict]) -> dict:
    """{country code: rank} of the countries with data; 1 is the best."""
    ranked = sorted((r for r in rows if has_data(r)), key=lambda r: (-r["share_up_to_date"], -r["share_published"]))
    out, previous, rank = {}, None, 0
    for position, r in enumerate(ranked, start=1):
        key = (r["share_up_to_date"], r["share_published"])
        if key != previous:
            rank, previous = position, key
        out[r["code"]] = rank
    return out


def regional_average(rows: list[dict]) -> Optional[float]:
    shares = [r["share_up_to_date"] for r in rows if has_data(r)]
    return round(sum(shares) / len(shares), 4) if shares else None


def changes(row: dict, history: Iterable[dict], today: datetime.date) -> dict:
    """{"days_90": change, "days_365": change} of the country's share up to date (fractions; None without a
    snapshot that old)."""
    days = sorted((h for h in history if h["country"] == row["code"]), key=lambda h: h["day"])
    out = {}
    for span in (90, 365):
        limit = (today - datetime.timedelta(days=span)).isoformat()
        past = [h for h in days if str(h["day"]) <= limit]
        out["days_{}".format(span)] = round(row["share_up_to_date"] - past[-1]["share_up_to_date"], 4) if past else None
    return out


def next_steps(row: dict, rows: list[dict], today: datetime.date, organizations: Optional[dict] = None) -> dict:
    """What the country should do next (see the module's docstring). ``organizations`` maps organisation names to
    their titles."""
    organizations = organizations or {}
    late, not_opening, seen = [], [], set()
    for concept in vocabulary.concepts():
        cell = row["cells"][concept["id"]]
        for d in cell["datasets"]:
            if d["name"] in seen or d["status"] not in (OUT_OF_DATE, NOT_OPENING):
                continue
            seen.add(d["name"])
            item = {"name": d["name"], "title": d["title"], "concept": concept["id"],
                    "publisher": organizations.get(d.get("organization"), d.get("organization"))}
            if d["status"] == OUT_OF_DATE:
                since = d.get("late_since")
                item.update(since=since, days=(today - datetime.date.fromisoformat(since)).days if since else None)
                late.append(item)
            else:
                item["since"] = d.get("broken_since")
                not_opening.append(item)
    late.sort(key=lambda i: -(i["days"] or 0))

    peers = [r for r in rows if r["code"] != row["code"] and has_data(r)]
    missing = []
    for concept in vocabulary.concepts():
        if row["cells"][concept["id"]]["status"] not in (MISSING, DETECTED):
            continue
        publishing = sum(1 for r in peers if r["cells"][concept["id"]]["status"] in PUBLISHED_STATUSES)
        missing.append({"concept": concept["id"], "peers": publishing, "of": len(peers),
                        "stages": len(concept.get("stages") or [])})
    missing.sort(key=lambda m: (-m["peers"], -m["stages"], m["concept"]))
    return {"late": late[:NEXT_STEPS_SHOWN], "late_total": len(late),
            "not_opening": not_opening[:NEXT_STEPS_SHOWN], "not_opening_total": len(not_opening),
            "detected": sum(1 for c in row["cells"].values() if c["status"] == DETECTED),
            "missing": missing[:MISSING_SHOWN], "missing_total": len(missing)}


def organization_names(rows: list[dict]) -> set:
    return {d.get("organization") for r in rows for c in r["cells"].values() for d in c["datasets"]
            if d.get("organization")}


def summarise(rep: dict, history: list[dict], today: Optional[datetime.date] = None,
              organizations: Optional[dict] = None) -> dict:
    """The minister's figures for every country of ``rep``: {"average", "ranked", "countries": {code: {...}}}."""
    today = today or datetime.date.today()
    rows = rep["countries"]
    rank_of = ranks(rows)
    return {
        "average": regional_average(rows), "ranked": len(rank_of),
        "countries": {r["code"]: {"rank": rank_of.get(r["code"]), "has_data": has_data(r),
                                  "change": changes(r, history, today),
                                  "next_steps": next_steps(r, rows, today, organizations)} for r in rows},
    }


def live_history(history: list[dict], rep: dict, today: Optional[datetime.date] = None) -> list[dict]:
    """The snapshots with today's live value in place of today's snapshot: the chart ends where the table is."""
    today = (today or datetime.date.today()).isoformat()
    codes = {r["code"] for r in rep["countries"]}
    kept = [h for h in history if str(h["day"]) != today or h["country"] not in codes]
    kept += [{"day": today, "country": r["code"], "share_up_to_date": r["share_up_to_date"]}
             for r in rep["countries"] if any(h["country"] == r["code"] for h in history)]
    return sorted(kept, key=lambda h: (str(h["day"]), h["country"]))
