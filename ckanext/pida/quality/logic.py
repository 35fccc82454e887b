"""The quality of one dataset as the API, the dataset page and the index read it: the MQA score with the link
checker's answers, and what each distribution's links did."""
from __future__ import annotations

import datetime
from typing import Optional

import ckan.plugins.toolkit as tk

from ckanext.pida.quality import links, score


def report(pkg: dict, now: Optional[datetime.datetime] = None) -> dict:
    """``score.assess`` of the dataset, plus ``distributions``: for each, its access and download URL's state,
    problem, since when it fails, and whether the file is what its format says (``mislabelled``)."""
    known = links.states(links.dataset_urls(pkg))
    result = score.assess(pkg, known, now)
    result["distributions"] = [_distribution(r, known) for r in pkg.get("resources") or []]
    result["opens"] = opens(result["distributions"])
    return result


def _distribution(resource: dict, known: dict) -> dict:
    urls = []
    for role, url in (("access", score.access_url(resource)), ("download", score.download_url(resource))):
        if url and url not in [u["url"] for u in urls]:
            state = known.get(url) or {"state": links.PENDING}
            urls.append({"role": role, "url": url, "state": state["state"], "problem": state.get("problem"),
                         "http_status": state.get("http_status"), "sniffed": state.get("sniffed"),
                         "failing_since": _iso(state.get("first_failure")),
                         "last_success": _iso(state.get("last_success")),
                         "mislabelled": mislabelled(resource, state.get("sniffed"))})
    return {"id": resource.get("id"), "name": resource.get("name"), "format": resource.get("format"),
            "machine_readable": score.DISTRIBUTION_CHECKS["machine_readable"](resource, {}, {}), "links": urls}


def mislabelled(resource: dict, sniffed: Optional[str]) -> bool:
    """Whether the file's first bytes contradict its declared format (an HTML page declared as "CSV")."""
    if not sniffed:
        return False
    table = score.sniff_table()
    allowed = [table[c] for c in score.declared_file_types(resource) if c in table]
    return bool(allowed) and not any(sniffed in a for a in allowed)


def opens(distributions: list) -> Optional[bool]:
    """True when at least one link of one distribution works; False when every link was checked and none works
    (the data does not open); None while some are not checked yet, or when there are none."""
    states = [u["state"] for d in distributions for u in d["links"]]
    if links.WORKING in states:
        return True
    if states and links.PENDING not in states:
        return False
    return None


def _iso(value) -> Optional[str]:
    return value.replace(microsecond=0).isoformat() if value else None


@tk.side_effect_free
def pida_quality_show(context, data_dict):
    """The metadata quality of one dataset, as data.europa.eu's MQA measures it (405 points, five dimensions, a
    rating), with each indicator's points, what PIDA asks beyond MQA (scored apart), and each distribution's links
    as the link checker last found them.

    :param id: the dataset's id or name
    """
    pkg = tk.get_action("package_show")(context, {"id": tk.get_or_bust(data_dict, "id")})
    return report(pkg)


def get_actions():
    return {"pida_quality_show": pida_quality_show}
