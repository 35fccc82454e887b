"""Validators of the PIDA schema. Messages are translatable (tk._) and point at the field that is wrong.

What a write is judged on (the README's "What PIDA asks of a write"): the values it gives or changes, and the rules
its declarations trigger; never a PIDA field the dataset never had.

- A value is checked for form (a known vocabulary value in any common encoding, a date, an email, a web address)
  when a write gives or changes it. The value a dataset already stores, unchanged, is kept as it is: a dataset from
  before the plugin is not refused for what it always said (``ckan pida adopt`` normalises what it can).
- The required fields (``pida_required``) are asked on the form's page that holds them (draft or not), when a draft
  is published, when a new dataset is created (active) declaring a priority concept, and when a write empties one
  that a priority dataset had. Not of an API write to an existing dataset that never had them.
- PIDA A.11 always: a public, active dataset that declares personal data describes its anonymisation. A priority
  dataset's licence is open when the licence is set or changed, or the dataset is created or published. Publishing
  a draft asks for at least one file or link.

Datasets imported by the hub's harvester are validated with ``context["pida_lenient"]``: the hub keeps what a
source publishes and reports the gaps as principle evaluations instead of refusing the record.
"""
from __future__ import annotations

import datetime
import json
import re
from typing import Any, Callable

import flask

import ckan.lib.navl.dictization_functions as df
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida import encodings, vocabulary

Invalid = df.Invalid
missing = df.missing
StopOnError = df.StopOnError

URL_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def _error(errors: dict, key: tuple, message: str) -> None:
    errors.setdefault(key, []).append(message)


# --- what a write changes ---------------------------------------------------------------------------------------

#: Columns of CKAN's package table; every other field of the schema is stored by ckanext-scheming as an extra.
_CORE_FIELDS = {"name", "title", "notes", "url", "version", "author", "author_email", "maintainer",
                "maintainer_email", "license_id", "private", "state", "owner_org", "type"}


def stored_dataset(data: dict, context: dict):
    """The dataset as stored before this write (``package_update`` puts it in the context), or None for a new one.
    A context reused from another call may hold another dataset: it counts only when its id or name is this one's."""
    pkg = context.get("package")
    if pkg is None:
        return None
    if data.get(("id",)) in (pkg.id, pkg.name) or data.get(("name",)) == pkg.name:
        return pkg
    return None


def stored_value(key: tuple, data: dict, context: dict) -> Any:
    """The value the dataset stores under ``key`` before this write (``missing`` when new or absent): a column, an
    extra, or a subfield of a repeating field (a JSON list in an extra)."""
    pkg = stored_dataset(data, context)
    if pkg is None:
        return missing
    field = key[0]
    value = getattr(pkg, field, None) if field in _CORE_FIELDS else pkg.extras.get(field)
    if value is None:
        return missing
    if len(key) == 3:
        try:
            value = json.loads(value)[key[1]][key[2]]
        except (ValueError, TypeError, LookupError, KeyError):
            return missing
    return value


def unchanged(key: tuple, data: dict, context: dict) -> bool:
    """Whether the write leaves ``key`` as the dataset stores it."""
    stored = stored_value(key, data, context)
    given = data.get(key)
    if stored is missing:
        return _empty(given)
    if isinstance(given, (list, dict)):
        try:
            return json.loads(stored) == given
        except (TypeError, ValueError):
            return False
    return str(stored).strip() == str(given if given is not None else "").strip()


def form_page_fields() -> set | None:
    """The fields of the PIDA form's page this request saves (page 1 creates the dataset; each later page is saved
    with ``package_patch``), or None outside such a request (the API, a command, the harvester)."""
    if not flask.has_request_context() or flask.request.method != "POST":
        return None
    endpoint = flask.request.endpoint or ""
    dataset_type, _dot, view = endpoint.partition(".")
    if view == "new":
        page = 1
    elif view in ("scheming_new_page", "scheming_edit_page"):
        page = (flask.request.view_args or {}).get("page")
    else:
        return None
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_form_pages
        pages = scheming_get_dataset_form_pages(dataset_type)
        fields = pages[int(page) - 1]["fields"]
    except (ImportError, TypeError, ValueError, IndexError, KeyError):
        return None
    return {f["field_name"] for f in fields}


def _declares_priority(data: dict) -> bool:
    return not _empty(data.get(("pida_priority",)))


def _publishing(data: dict, context: dict) -> bool:
    """Whether the dataset comes out of this write active (not a draft) and not as a lenient (harvested) import."""
    if context.get("pida_lenient"):
        return False
    return data.get(("state",)) != "draft"


def _published_now(data: dict, context: dict) -> bool:
    """A draft made active by this write («Publicar», or ``package_patch state=active``)."""
    pkg = stored_dataset(data, context)
    return _publishing(data, context) and pkg is not None and pkg.state == "draft"


def completeness_asked(key: tuple, data: dict, context: dict) -> bool:
    """Whether an empty required field is refused in this write (see the module's docstring)."""
    if context.get("pida_lenient"):
        return False
    if context.get("pida_complete"):  # `ckan pida validate`: as if published through the form
        return True
    on_page = form_page_fields()
    if on_page is not None and key[0] in on_page:
        return True
    if not _publishing(data, context):
        return False
    pkg = stored_dataset(data, context)
    if pkg is None:
        return _declares_priority(data)
    if pkg.state == "draft":
        return True
    return _declares_priority(data) and not _empty(stored_value(key, data, context))


def _final(validator: Callable) -> Callable:
    """A value validator whose refusal ends the field's chain: CKAN's navl goes on to the next validator after an
    Invalid, which would add a second, less helpful error for the same value (e.g. from convert_to_tags). The value
    a dataset already stores, unchanged, is never refused (it was accepted before the rule)."""
    def key_validator(key, data, errors, context):
        try:
            data[key] = validator(data.get(key), context)
        except Invalid as e:
            if not _empty(data.get(key)) and unchanged(key, data, context):
                return
            _error(errors, key, e.error)
            raise StopOnError
    return key_validator


# --- field validators ------------------------------------------------------------------------------------

def pida_required(key, data, errors, context):
    """Like scheming's required, but only where ``completeness_asked``: never for a field an existing dataset
    never had, in an API write that does not touch it."""
    if _empty(data.get(key)):
        if completeness_asked(key, data, context):
            _error(errors, key, tk._("Missing value"))
        data.pop(key, None)
        raise StopOnError


def pida_form_required(key, data, errors, context):
    """Required on the form's page that holds the field, nowhere else: the form reports an empty title as the title
    (not as the URL made from it), while an API write keeps CKAN's own rule (a title defaults to the name)."""
    if _empty(data.get(key)) and not context.get("pida_lenient"):
        on_page = form_page_fields()
        if on_page is not None and key[0] in on_page:
            _error(errors, key, tk._("Missing value"))
            raise StopOnError


def pida_name_from_title(key, data, errors, context):
    """On the form, a URL left empty with an empty title is the title's error (the URL is made from it): one
    message, on the field the publisher types in."""
    if _empty(data.get(key)) and _empty(data.get(("title",))):
        on_page = form_page_fields()
        if on_page is not None and "title" in on_page:
            raise StopOnError


def pida_resource_link(key, data, errors, context):
    """A file or link for the resource saved from the form's data page (new or edited): a resource without one holds
    nothing, and on CKAN 2.11 «Publicar» would otherwise publish it. Resources written through the API keep CKAN's
    rule (DataStore resources, say, get their URL later)."""
    if not _empty(data.get(key)) or context.get("pida_lenient"):
        return
    if not flask.has_request_context() or flask.request.method != "POST":
        return
    if not (flask.request.endpoint or "").endswith(("_resource.new", "_resource.edit")):
        return
    target = (flask.request.view_args or {}).get("resource_id")
    resource_id = data.get(key[:-1] + ("id",))
    if (not target and _empty(resource_id)) or (target and resource_id == target):
        _error(errors, key, tk._("Add a file or a link to the data: a resource without one holds nothing."))
        raise StopOnError


def pida_default_country(key, data, errors, context):
    """Fills the country from the portal's ``ckanext.pida.country`` when the publisher leaves it empty."""
    if _empty(data.get(key)):
        default = tk.config.get("ckanext.pida.country")
        if default:
            data[key] = default.upper()


def _normalise(source: str, value: str) -> str:
    if source == "countries":
        return value.strip().upper()
    if source == "frequencies":  # any common encoding (ANNUAL, R/P1Y, http://purl.org/cld/freq/annual) -> EU URI
        return encodings.frequency_uri(value) or value
    return value.strip()


def _unknown_message(source: str, value: str) -> str:
    names = {
        "countries": tk._("country"),
        "frequencies": tk._("update frequency"),
        "stages": tk._("anti-corruption stage"),
        "standards": tk._("data standard"),
        "identifier_schemes": tk._("identifier scheme"),
        "jurisdiction_levels": tk._("level of government"),
    }
    # The choices by their labels in the user's language, as the form offers them (the ids and URIs behind them are
    # in the schema: scheming_dataset_schema_show).
    labels = [vocabulary.label_of(source, v) for v in vocabulary.allowed_values(source)]
    return tk._('Unknown {what}: "{value}". Choose one of: {choices}').format(
        what=names.get(source, source), value=value, choices=", ".join(labels))


def pida_choice(source: str) -> Callable:
    """One value of a PIDA vocabulary (``pida_choice(countries)``)."""
    def validator(value, context):
        if _empty(value):
            return value
        value = _normalise(source, str(value))
        if value not in vocabulary.allowed_values(source):
            if context.get("pida_lenient"):  # a harvested import: the hub kept the value in provenance
                return None
            raise Invalid(_unknown_message(source, value))
        return value
    return _final(validator)


def _as_list(value: Any) -> list:
    if _empty(value):
        return []
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:  # the JSON list scheming stores
                return json.loads(value)
            except ValueError:
                return [value]
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def pida_choice_list(source: str) -> Callable:
    """A list of values of a PIDA vocabulary (``pida_choice_list(standards)``)."""
    def validator(value, context):
        values = [_normalise(source, str(v)) for v in _as_list(value)]
        unknown = [v for v in values if v not in vocabulary.allowed_values(source)]
        if unknown:
            raise Invalid(_unknown_message(source, ", ".join(unknown)))
        return values or missing
    return _final(validator)


def pida_priority_ids(value, context):
    """The priority-dataset concept ids, each one of the 30 of the PIDA vocabulary."""
    ids = [v.strip() for v in _as_list(value)]
    unknown = [v for v in ids if not vocabulary.concept(v)]
    if unknown:
        raise Invalid(tk._('Unknown PIDA priority dataset: "{value}". Use the ids of the PIDA vocabulary, '
                           'such as "lobbying-register" or "asset-declarations".').format(value=", ".join(unknown)))
    return list(dict.fromkeys(ids)) or missing


pida_priority_ids = _final(pida_priority_ids)


def pida_priority_to_tags(key, data, errors, context):
    """Stores the priority ids as tags of the ``pida_priority`` vocabulary (indexed as vocab_pida_priority)."""
    ids = data.get(key)
    if _empty(ids):
        # No concept: nothing to store, as ignore_missing does (CKAN 2.11 would store the empty marker as an extra).
        data.pop(key, None)
        raise StopOnError
    if not model.Vocabulary.get(vocabulary.PRIORITY_VOCABULARY):
        raise Invalid(tk._("The PIDA vocabulary is not installed on this portal: a sysadmin must run "
                           "`ckan pida init`."))
    tk.get_converter("convert_to_tags")(vocabulary.PRIORITY_VOCABULARY)(key, data, errors, context)


def pida_priority_from_tags(key, data, errors, context):
    """The priority ids back from the vocabulary tags (an empty list where the vocabulary is not installed)."""
    vocab = model.Vocabulary.get(vocabulary.PRIORITY_VOCABULARY)
    # In show data each tag is flattened as ("tags", n, "__extras") -> tag dict (see convert_from_tags).
    vocab_tags = [k for k in sorted(data) if k[0] == "tags" and vocab
                  and (data[k] or {}).get("vocabulary_id") == vocab.id]
    data[key] = [data[k]["name"] for k in vocab_tags]
    # The concepts are not free keywords: drop them from `tags`, as CKAN's free_tags_only does.
    for k in vocab_tags:
        del data[k]


_YEAR_OR_MONTH = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


def parse_iso_date(value: Any) -> datetime.datetime | None:
    """An ISO 8601 date or timestamp, or None when it is not one."""
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    if _YEAR_OR_MONTH.match(text):  # 2019, 2019-05: the first day of that year or month
        return datetime.datetime(int(text[:4]), int(text[5:7] or 1) if len(text) > 4 else 1, 1)
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def pida_iso_date(value, context):
    """A date, stored in ISO 8601 form: ISO 8601 itself, or a date as portals write it (``15/03/2019``, day first;
    see ``encodings.iso_date``); a year or a year and month alone (2019, 2019-05), as xsd:gYear and the data.json
    profiles allow, is kept as given."""
    if _empty(value):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
    iso = encodings.iso_date(value)
    if iso is None:
        raise Invalid(tk._('"{value}" is not a date: write it as YYYY-MM-DD (2024-03-15) or DD/MM/YYYY '
                           '(15/03/2024).').format(value=value))
    return iso


def pida_languages(value, context):
    """Languages in any common encoding (es, es-AR, spa, the EU, LoC or lexvo URI), stored as EU language URIs, as
    the JSON list ckanext-scheming keeps. An unknown language is refused, except in a lenient (harvested) import,
    where the hub has already kept it in the dataset's provenance."""
    uris, unknown = [], []
    for v in _as_list(value):
        uri = encodings.language_uri(v)
        if uri:
            if uri not in uris:
                uris.append(uri)
        else:
            unknown.append(str(v))
    if unknown and not context.get("pida_lenient"):
        raise Invalid(tk._('Unknown language: "{value}". Use a language code such as "es" or its EU URI.').format(
            value=", ".join(unknown)))
    return json.dumps(uris) if uris else None


def pida_url(value, context):
    if _empty(value):
        return value
    if not URL_PATTERN.match(str(value).strip()):
        raise Invalid(tk._('"{value}" is not a web address (it must start with http:// or https://).')
                      .format(value=value))
    return str(value).strip()


def pida_url_list(value, context):
    for v in _as_list(value):
        pida_url(v, context)
    return value


def pida_email(value, context):
    if _empty(value):
        return value
    if not EMAIL_PATTERN.match(str(value).strip()):
        raise Invalid(tk._('"{value}" is not an email address.').format(value=value))
    return str(value).strip()


# --- dataset-level rules (scheming after_validators) -----------------------------------------------------

def _is_open_license(license_id: str) -> bool:
    register = model.Package.get_license_register()
    license = register.get(license_id) if license_id else None
    return bool(license and license.isopen())


def _temporal_periods(data: dict) -> dict[int, dict]:
    periods: dict[int, dict] = {}
    for k, v in data.items():
        if len(k) == 3 and k[0] == "temporal_coverage" and k[2] in ("start", "end"):
            periods.setdefault(k[1], {})[k[2]] = v
    return periods


def _has_data(data: dict, context: dict) -> bool:
    """Whether the dataset has a file or link: in the resources the write validates, or (CKAN 2.12 validates only
    the resources a write changes) among those it already has."""
    if any(k[0] == "resources" and k[-1] == "url" and not _empty(v) for k, v in data.items() if len(k) == 3):
        return True
    pkg = stored_dataset(data, context)
    return bool(pkg and any(r.url for r in pkg.resources))


def pida_dataset_rules(key, data, errors, context):
    """The PIDA rules that involve more than one field, for what comes out of the write active (see the module's
    docstring for when each applies)."""
    if not _publishing(data, context):
        return

    new = stored_dataset(data, context) is None
    published_now = _published_now(data, context)
    priority = data.get(("pida_priority",))
    public = not tk.asbool(data.get(("private",), False)) and data.get(("access_rights",)) in (
        None, missing, "", "http://publications.europa.eu/resource/authority/access-right/PUBLIC")

    if (data.get(("pida_personal_data",)) == "yes" and public
            and _empty(data.get(("pida_anonymisation",)))):
        _error(errors, ("pida_anonymisation",), tk._(
            "This public dataset holds personal data: describe the anonymisation applied before publication "
            "(PIDA action A.11)."))

    licence_set = new or published_now or not unchanged(("license_id",), data, context)
    if not _empty(priority) and licence_set and not _is_open_license(data.get(("license_id",))):
        _error(errors, ("license_id",), tk._(
            "A PIDA priority dataset must be published under an open licence (Open Data Charter, principle 3)."))

    for index, period in sorted(_temporal_periods(data).items()):
        start, end = parse_iso_date(period.get("start")), parse_iso_date(period.get("end"))
        if start and end and end.replace(tzinfo=None) < start.replace(tzinfo=None):
            _error(errors, ("temporal_coverage", index, "end"), tk._(
                "The end of the temporal coverage ({end}) is before its start ({start}).").format(
                    start=period["start"], end=period["end"]))

    if published_now and not _has_data(data, context):
        _error(errors, ("data",), tk._(
            "Add at least one file or link to the data before publishing: a dataset without data cannot be "
            "published."))


def get_validators() -> dict:
    return {
        "pida_required": pida_required,
        "pida_form_required": pida_form_required,
        "pida_resource_link": pida_resource_link,
        "pida_name_from_title": pida_name_from_title,
        "pida_default_country": pida_default_country,
        "pida_choice": pida_choice,
        "pida_choice_list": pida_choice_list,
        "pida_priority_ids": pida_priority_ids,
        "pida_priority_to_tags": pida_priority_to_tags,
        "pida_priority_from_tags": pida_priority_from_tags,
        "pida_iso_date": _final(pida_iso_date),
        "pida_languages": _final(pida_languages),
        "pida_url": _final(pida_url),
        "pida_url_list": _final(pida_url_list),
        "pida_email": _final(pida_email),
        "pida_dataset_rules": pida_dataset_rules,
    }
