"""Template helpers: the choices of the PIDA form fields, labels, and the principle evaluation of a dataset."""
from __future__ import annotations

import datetime
import re

from babel import dates
from markupsafe import Markup, escape

import ckan.plugins.toolkit as tk

from ckanext.pida import principles, review, vocabulary


def _choices(items: list, key: str = "id", label: str = "label") -> list[dict]:
    return [{"value": i[key], "label": vocabulary.scheming_label(i[label])} for i in items]


def pida_priority_choices(field=None):
    return [{"value": c["id"], "label": vocabulary.scheming_label(c["label"])} for c in vocabulary.concepts()]


def pida_stage_choices(field=None):
    return _choices(vocabulary.section("stages"))


def pida_standard_choices(field=None):
    return _choices(vocabulary.section("standards"))


def pida_identifier_scheme_choices(field=None):
    return _choices(vocabulary.section("identifier_schemes"))


def pida_country_choices(field=None):
    return _choices(vocabulary.countries(), key="code", label="name")


def pida_frequency_choices(field=None):
    return _choices(vocabulary.frequencies(), key="uri")


def pida_jurisdiction_choices(field=None):
    return _choices(vocabulary.jurisdiction_levels())


def pida_portal_country() -> str:
    """The portal's country (``ckanext.pida.country``), preselected in the form; empty on the hub."""
    return (tk.config.get("ckanext.pida.country") or "").upper()


def pida_has_value(value) -> bool:
    """Whether a field says something: not None, not blank, not a list or dict of empty values."""
    if isinstance(value, dict):
        return any(pida_has_value(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(pida_has_value(v) for v in value)
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def pida_date(value, form: str = "long", with_time: bool = False) -> str:
    """A date (or ISO 8601 string) as people of the user's language write it: "26 de noviembre de 2026", "26
    novembre 2026", "November 26, 2026"; ``with_time`` adds the hour."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.rstrip("Z"))
        except ValueError:
            return value
    locale = vocabulary.current_lang()
    try:
        text = dates.format_date(value, format=form, locale=locale)
        if with_time and isinstance(value, datetime.datetime):
            text += ", " + dates.format_time(value, "HH:mm", locale=locale) + " UTC"
        return text
    except (ValueError, LookupError):
        return value.isoformat()


def pida_number(value, digits: int = 0) -> str:
    """A number as people of the user's language write it ("287", "1.234,5" in Spanish)."""
    if value is None:
        return ""
    from babel import numbers
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    try:
        return numbers.format_decimal(value, format=pattern, locale=vocabulary.current_lang())
    except (ValueError, LookupError):
        return str(value)


def pida_rating_label(rating: str | None) -> str:
    """An MQA rating (excellent, good, sufficient, bad) in the user's language."""
    from ckanext.pida import indexing
    return indexing.rating_labels().get(rating, rating or "")


def pida_quality(pkg_dict: dict) -> dict:
    """The dataset's quality report for its page (ckanext/pida/quality/logic.py)."""
    from ckanext.pida.quality import logic as quality_logic
    result = quality_logic.report(pkg_dict)
    result["fixes"] = quality_logic.fixes(result)
    result["dimension_labels"] = quality_logic.dimension_labels()
    for distribution in result["distributions"]:
        for link in distribution["links"]:
            link["problem_text"] = quality_logic.problem_text(link) if link["state"] in ("broken", "refused") else ""
            link["sniffed_text"] = quality_logic.sniffed_text(link["sniffed"])
    return result


def pida_coverage_glance() -> dict | None:
    """The home page's summary: the portal's country (``ckanext.pida.country``) in whole datasets, or on the hub
    the region in whole numbers (the average share, and how many countries publish at least one priority dataset
    up to date), never an average of datasets ("0.2 of 30"). None when there is nothing to show."""
    country = pida_portal_country() or None
    try:
        rep = tk.get_action("pida_coverage_show")({}, {"country": country})
    except tk.ValidationError:
        return None
    rows = rep["countries"]
    if not rows:
        return None
    total = rows[0]["totals"]["total"]
    if country:
        t = rows[0]["totals"]
        return {"country": country, "name": rows[0]["name"], "total": total, "published": t["published"],
                "out_of_date": t["out_of_date"] + t["not_opening"], "missing": t["missing"] + t["detected"],
                "share_up_to_date": rows[0]["share_up_to_date"]}
    from ckanext.pida import coverage_summary
    rows = [r for r in rows if coverage_summary.has_data(r)]  # a member state without data is not a 0 % country
    if not rows:
        return None
    share_late = sum((r["totals"]["out_of_date"] + r["totals"]["not_opening"]) / total for r in rows) / len(rows)
    return {"country": None, "countries": len(rows), "total": total,
            "share_up_to_date": coverage_summary.regional_average(rows), "share_late": share_late,
            "publishing": sum(1 for r in rows if r["totals"]["published"])}


def pida_facet_label(item: dict) -> str:
    """A PIDA facet value's whole label (CKAN cuts facet labels at 22 characters)."""
    return item.get("display_name") or item.get("name") or ""


def pida_concept(concept_id: str) -> dict | None:
    return vocabulary.concept(concept_id)


def pida_text(mapping) -> str:
    """A four-language mapping in the user's language."""
    return vocabulary.text(mapping)


def pida_label(source: str, value: str) -> str:
    return vocabulary.label_of(source, value)


def pida_principles(pkg_dict: dict) -> list[dict]:
    """The Charter principle evaluation of a dataset, in the user's language, for the dataset page."""
    return principles.explain(principles.evaluate(pkg_dict))


def pida_detection_info(pkg_dict: dict) -> dict:
    """The detection of a dataset for its page: ``pending`` and ``confirmed`` (ckanext/pida/review.py), and
    ``by_hub`` when the hub detected it in a harvested dataset."""
    info = review.info_of(pkg_dict)
    return {"pending": review.pending(pkg_dict), "confirmed": info.get("confirmed") or [],
            "by_hub": review.harvested(pkg_dict)}


def pida_hub_enabled() -> bool:
    """Whether this site is the regional hub (its pages, such as the harvest health, exist)."""
    from ckan.plugins import plugin_loaded
    return plugin_loaded("pida_hub")


def _messages(value, labels: dict, prefix: str = "") -> list[str]:
    """The messages of one field's errors; a repeating field's as "Punto de contacto 1 · Correo: ..."."""
    if isinstance(value, str):
        return [prefix + value]
    out = []
    for index, item in enumerate(value or [], 1):
        if isinstance(item, dict):
            for sub, sub_value in item.items():
                out += _messages(sub_value, labels, "{}{} {} · {}: ".format(
                    prefix, labels.get("__repeating__", ""), index, labels.get(sub, sub)).lstrip())
        elif item:
            out.append(prefix + str(item))
    return out


def pida_form_errors(errors: dict, dataset_type: str = "dataset", name: str | None = None, editing: bool = False,
                     current_page: int | None = None, resource_form: bool = False) -> list[dict]:
    """The form's errors in words a publisher acts on: each field by its label, the page of the form that holds it
    and a link to that page when it is another one, in the order of the form. ``[{"label", "messages", "page",
    "page_title", "url"}]`` (``page`` None for a field of the data page or for the dataset as a whole). On the data
    page (``resource_form``) a name both kinds of field have (``url``) is the resource's."""
    from ckanext.scheming.helpers import (scheming_get_dataset_form_pages, scheming_get_dataset_schema,
                                          scheming_language_text)
    pages = scheming_get_dataset_form_pages(dataset_type) or []
    schema = scheming_get_dataset_schema(dataset_type) or {}
    fields = schema.get("dataset_fields", []) + schema.get("resource_fields", [])
    if resource_form:
        fields = schema.get("resource_fields", []) + schema.get("dataset_fields", [])
    resource_names = {f["field_name"] for f in schema.get("resource_fields", [])} if resource_form else set()
    page_of = {f["field_name"]: (n, scheming_language_text(page.get("title")))
               for n, page in enumerate(pages, 1) for f in page["fields"] if f["field_name"] not in resource_names}
    order = {f["field_name"]: i for i, f in enumerate(fields)}
    by_name = {}
    for f in fields:
        by_name.setdefault(f["field_name"], f)
    special = {"data": tk._("Data"), "owner_org": tk._("Organization")}
    out = []
    for key, value in (errors or {}).items():
        field = by_name.get(key) or {}
        labels = {sub["field_name"]: scheming_language_text(sub.get("label"))
                  for sub in field.get("repeating_subfields") or []}
        labels["__repeating__"] = scheming_language_text(field.get("repeating_label") or field.get("label") or "")
        page, page_title = page_of.get(key, (None, None))
        url = None
        if page and name and page != current_page:
            url = tk.h.url_for(dataset_type + (".scheming_edit_page" if editing else ".scheming_new_page"),
                               id=name, page=page)
        out.append({"field": key, "label": scheming_language_text(field.get("label")) if field
                    else special.get(key, key), "messages": _messages(value, labels), "page": page,
                    "page_title": page_title, "url": url, "_order": (page or 99, order.get(key, 999))})
    out.sort(key=lambda e: e.pop("_order"))
    return out


def pida_typed_repeating(data: dict, dataset_type: str = "dataset") -> dict:
    """After a refused save, the form's data hold what was typed in repeating fields as flat keys
    (``contact-0-email``), which ckanext-scheming does not show again when the dataset had no such row: the rows
    rebuilt from them (``{"contact": [{"name": ..., "email": ...}]}``), so that every typed value is shown again."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    schema = scheming_get_dataset_schema(dataset_type) or {}
    out = {}
    for field in schema.get("dataset_fields", []):
        if not field.get("repeating_subfields"):
            continue
        prefix, rows = field["field_name"] + "-", {}
        for key, value in (data or {}).items():
            if isinstance(key, str) and key.startswith(prefix):
                index, _dash, sub = key[len(prefix):].partition("-")
                if index.isdigit() and sub:
                    rows.setdefault(int(index), {})[sub] = value
        if rows:
            out[field["field_name"]] = [rows[i] for i in sorted(rows)]
    return out


_URL = re.compile(r"https?://[^\s<>\"'«»]+", re.IGNORECASE)


def pida_linkify(text) -> Markup:
    """The text, escaped, with each http(s) address in it a link (``rel="nofollow"``): a free-text field from a
    portal's extras or a legal basis that names its page. A list gives its items, each linked, one per line."""
    if isinstance(text, (list, tuple)):
        return Markup("<br>").join(pida_linkify(item) for item in text if item not in (None, ""))
    text = "" if text is None else str(text)
    out, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)]")  # the sentence's punctuation is not part of the address
        out.append(escape(text[last:match.start()]))
        out.append(Markup('<a href="{0}" rel="nofollow">{0}</a>').format(url))
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


def pida_concept_url(concept_id: str) -> str:
    """The page of a priority dataset (its URI on this site; a browser gets HTML, a client asking RDF gets RDF)."""
    return tk.url_for("pida_concept_scheme.priority_datasets_item", item_id_fmt=concept_id)


def pida_out_of_date(pkg: dict) -> dict | None:
    """For a priority dataset past its update interval: ``{"since" (date), "updated" (its last update),
    "frequency" (the declared one's label, or None)}``; None for any other dataset."""
    if not pkg.get("pida_priority"):
        return None
    stale = principles.stale_after(pkg)
    if stale is None or stale >= datetime.datetime.utcnow():
        return None
    frequency = principles.declared_frequency(pkg)
    return {"since": stale.date().isoformat(), "updated": (principles.last_update(pkg) or stale).date().isoformat(),
            "frequency": vocabulary.text(frequency.get("label")) if frequency else None}


def get_helpers() -> dict:
    return {f.__name__: f for f in (
        pida_priority_choices, pida_stage_choices, pida_standard_choices, pida_identifier_scheme_choices,
        pida_country_choices, pida_portal_country, pida_frequency_choices, pida_jurisdiction_choices,
        pida_has_value, pida_date, pida_coverage_glance, pida_facet_label, pida_concept, pida_text,
        pida_label, pida_principles, pida_hub_enabled, pida_form_errors, pida_typed_repeating, pida_detection_info,
        pida_number, pida_rating_label, pida_quality, pida_linkify, pida_out_of_date,
        pida_concept_url,
    )}
