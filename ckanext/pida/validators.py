"""Validators of the PIDA schema. Messages are translatable (tk._) and point at the field that is wrong.

Publication rules (``pida_required`` and ``pida_dataset_rules``) apply to active datasets only: a draft may be
incomplete. Datasets imported by the hub's harvester are validated with ``context["pida_lenient"]``: the hub keeps
what a source publishes and reports the gaps as principle evaluations instead of refusing the record.
"""
from __future__ import annotations

import datetime
import json
import re
from typing import Any, Callable

import ckan.lib.navl.dictization_functions as df
import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida import encodings, vocabulary

Invalid = df.Invalid
missing = df.missing
StopOnError = df.StopOnError

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def _publishing(data: dict, context: dict) -> bool:
    """Whether the publication rules apply: not a draft, not a lenient (harvested) import."""
    if context.get("pida_lenient"):
        return False
    return data.get(("state",)) != "draft"


def _error(errors: dict, key: tuple, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _final(validator: Callable) -> Callable:
    """A value validator whose refusal ends the field's chain: CKAN's navl goes on to the next validator after an
    Invalid, which would add a second, less helpful error for the same value (e.g. from convert_to_tags)."""
    def key_validator(key, data, errors, context):
        try:
            data[key] = validator(data.get(key), context)
        except Invalid as e:
            _error(errors, key, e.error)
            raise StopOnError
    return key_validator


# --- field validators ------------------------------------------------------------------------------------

def pida_required(key, data, errors, context):
    """Like scheming's required, but only for publication: a draft may leave the field empty."""
    if _empty(data.get(key)):
        if _publishing(data, context):
            _error(errors, key, tk._("Missing value"))
        data.pop(key, None)
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
    return validator


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
    """An ISO 8601 date or timestamp; a year or a year and month alone (2019, 2019-05), as xsd:gYear and the
    data.json profiles allow, is kept as given."""
    if _empty(value):
        return value
    if _YEAR_OR_MONTH.match(str(value).strip()):
        return str(value).strip()
    parsed = parse_iso_date(value)
    if parsed is None:
        raise Invalid(tk._('"{value}" is not a date in ISO 8601 form (YYYY-MM-DD).').format(value=value))
    text = str(value).strip()
    return parsed.date().isoformat() if len(text) == 10 else parsed.isoformat()


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
    if not _URL.match(str(value).strip()):
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
    if not _EMAIL.match(str(value).strip()):
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


def pida_dataset_rules(key, data, errors, context):
    """The PIDA rules that involve more than one field. Only on publication."""
    if not _publishing(data, context):
        return

    priority = data.get(("pida_priority",))
    public = not tk.asbool(data.get(("private",), False)) and data.get(("access_rights",)) in (
        None, missing, "", "http://publications.europa.eu/resource/authority/access-right/PUBLIC")

    if (data.get(("pida_personal_data",)) == "yes" and public
            and _empty(data.get(("pida_anonymisation",)))):
        _error(errors, ("pida_anonymisation",), tk._(
            "This public dataset holds personal data: describe the anonymisation applied before publication "
            "(PIDA action A.11)."))

    if not _empty(priority) and not _is_open_license(data.get(("license_id",))):
        _error(errors, ("license_id",), tk._(
            "A PIDA priority dataset must be published under an open licence (Open Data Charter, principle 3)."))

    for index, period in sorted(_temporal_periods(data).items()):
        start, end = parse_iso_date(period.get("start")), parse_iso_date(period.get("end"))
        if start and end and end.replace(tzinfo=None) < start.replace(tzinfo=None):
            _error(errors, ("temporal_coverage", index, "end"), tk._(
                "The end of the temporal coverage ({end}) is before its start ({start}).").format(
                    start=period["start"], end=period["end"]))


def get_validators() -> dict:
    return {
        "pida_required": pida_required,
        "pida_default_country": pida_default_country,
        "pida_choice": pida_choice,
        "pida_choice_list": pida_choice_list,
        "pida_priority_ids": pida_priority_ids,
        "pida_priority_to_tags": pida_priority_to_tags,
        "pida_priority_from_tags": pida_priority_from_tags,
        "pida_iso_date": pida_iso_date,
        "pida_languages": pida_languages,
        "pida_url": pida_url,
        "pida_url_list": pida_url_list,
        "pida_email": pida_email,
        "pida_dataset_rules": pida_dataset_rules,
    }
