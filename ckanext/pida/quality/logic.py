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


def coverage_values(result: dict) -> dict:
    """What the coverage and the fixes read of a dataset's ``report``, small enough for the search index:
    ``quality`` (MQA score), ``opens``, ``broken_since`` (when no link opens), ``links`` ({working, checked,
    total}), ``broken_links`` and ``failing_since`` (its oldest failing link), ``distributions``,
    ``machine_readable``, and ``missing``: the points each MQA indicator would add ({indicator id: points})."""
    urls = [u for d in result["distributions"] for u in d["links"]]
    failing = [u["failing_since"] for u in urls if u["failing_since"]]
    return {
        "quality": result["score"], "opens": result["opens"],
        "broken_since": min(failing, default=None) if result["opens"] is False else None,
        "links": {"working": sum(1 for u in urls if u["state"] == links.WORKING),
                  "checked": sum(1 for u in urls if u["state"] != links.PENDING), "total": len(urls)},
        "broken_links": sum(1 for u in urls if u["state"] == links.BROKEN),
        "failing_since": min(failing, default=None),
        "distributions": len(result["distributions"]),
        "machine_readable": sum(1 for d in result["distributions"] if d["machine_readable"]),
        "missing": {i["id"]: round(i["max"] - i["points"], 1) for i in result["indicators"]
                    if i["max"] - i["points"] >= 0.5 and not i.get("pending")},
    }


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


def indicator_labels() -> dict:
    """What each indicator asks, in the user's language (the page's "what would earn the most points")."""
    _ = tk._
    return {
        "keyword": _("Keywords"), "theme": _("Themes"), "spatial": _("Geographic coverage"),
        "temporal": _("Time period covered"), "access_url_status": _("Access links that open"),
        "download_url": _("Direct download links"), "download_url_status": _("Download links that open"),
        "format": _("File format"), "media_type": _("Media type"),
        "format_vocabulary": _("Format from a shared list (EU file types, IANA media types)"),
        "non_proprietary": _("An open (non-proprietary) format"), "machine_readable": _("A machine-readable format"),
        "dcat_ap_compliance": _("DCAT-AP's required fields (title, description, a link for every file)"),
        "licence": _("A licence"), "known_licence": _("A licence from the EU licence list"),
        "access_rights": _("Access rights"), "access_rights_vocabulary": _("Access rights from the EU list"),
        "contact_point": _("A contact point"), "publisher": _("A publisher"), "rights": _("Rights statement"),
        "byte_size": _("File sizes"), "issued": _("Release date"), "modified": _("Date of last update"),
        "frequency": _("Update frequency"), "up_to_date": _("Up to date"), "data_dictionary": _("Data dictionary"),
        "standard": _("A data standard"), "personal_data": _("Personal data answered"),
        "priority_concept": _("A PIDA priority dataset"),
    }


def dimension_labels() -> dict:
    _ = tk._
    return {"findability": _("Findability"), "accessibility": _("Accessibility"),
            "interoperability": _("Interoperability"), "reusability": _("Reusability"),
            "contextuality": _("Contextuality")}


def problem_text(link: dict) -> str:
    """Why a link does not open, in one sentence of the user's language (never an internal name)."""
    _ = tk._
    problem = link.get("problem") or ""
    if problem.startswith("http_"):
        return _("the server answers with error {code}").format(code=problem[5:])
    return {
        "timeout": _("the server did not answer in time"),
        "no_such_host": _("the server's name does not exist"),
        "tls": _("the secure connection failed (certificate)"),
        "connection_failed": _("the server refused the connection"),
        "redirect_loop": _("the link redirects in a loop"),
        "too_many_redirects": _("the link redirects too many times"),
        "private_address": _("the link leads to a private network address, which is never checked"),
        "scheme": _("the link is not a web address (http or https)"),
    }.get(problem, _("the link does not open"))


def fixes(result: dict, limit: int = 3) -> list[dict]:
    """The MQA indicators that would earn the most points, most first: ``[{id, label, gain}]``."""
    missing = [{"id": i["id"], "gain": round(i["max"] - i["points"], 1)} for i in result["indicators"]
               if i["max"] - i["points"] >= 0.5 and not i.get("pending")]
    labels = indicator_labels()
    missing.sort(key=lambda f: -f["gain"])
    return [dict(f, label=labels.get(f["id"], f["id"])) for f in missing[:limit]]


def sniffed_text(kind: Optional[str]) -> str:
    """What a file's first bytes showed, in words ("an HTML page")."""
    _ = tk._
    return {"html": _("an HTML page"), "pdf": _("a PDF document"), "zip": _("a ZIP archive"),
            "gzip": _("a compressed (gzip) file"), "ole": _("an old Office document"), "json": _("JSON"),
            "xml": _("XML"), "csv": _("a table of values (CSV)"), "text": _("plain text"),
            "binary": _("a binary file")}.get(kind or "", kind or "")
