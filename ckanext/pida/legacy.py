"""Datasets written before ckanext-pida: what their own fields and free-form extras say, read into the PIDA schema.

Two users: every write (``lift_field_extras``: a script that still sends ``extras: [{"key": "frequency", ...}]``
keeps working, since ckanext-scheming refuses an extra named like a schema field), and ``ckan pida adopt``
(``proposal``: what one dataset's PIDA fields would become, and what could not be read). The names extras go by
are data (vocabularies/legacy_fields.yaml); the encodings of their values are the hub's (encodings.py). Nothing is
ever removed: a free extra stays as it is, beside the field it filled.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import re
from typing import Any, Optional

from ckanext.pida import encodings, vocabulary
from ckanext.pida.validators import EMAIL_PATTERN as _EMAIL, URL_PATTERN as _URL


# --- reading one value ------------------------------------------------------------------------------------------

def _languages(value: Any) -> Optional[list[str]]:
    if isinstance(value, str):
        text = value.strip()
        try:
            items = json.loads(text) if text.startswith("[") else re.split(r"[,;/|]| y | e | et | and ", text)
        except ValueError:
            items = [text]
    else:
        items = list(value or [])
    uris = [encodings.language_uri(v) for v in items if str(v).strip()]
    if not uris or None in uris:
        return None
    return list(dict.fromkeys(uris))


def _email(value: Any) -> Optional[str]:
    text = str(value or "").strip()
    text = text[len("mailto:"):] if text.lower().startswith("mailto:") else text
    return text if _EMAIL.match(text) else None


#: How a value of each kind is read: the schema's value, or None when it cannot be read.
READERS = {
    "frequency": encodings.frequency_uri,
    "date": encodings.iso_date,
    "language": _languages,
    "yes_no": encodings.yes_no,
    "email": _email,
}


def read(how: str, value: Any) -> Any:
    return READERS[how](value)


# --- writes: extras named like a schema field -------------------------------------------------------------------

#: How the schema fields a legacy extra may carry under the field's own name are read at write time.
_FIELD_READERS = {"frequency": "frequency", "issued": "date", "modified": "date", "language": "language"}


def lift_field_extras(data_dict: dict, field_names: set[str]) -> dict:
    """Moves each extra named like a schema field (``frequency``, ``issued``...) into that field, read in the
    schema's encoding when it can be ("Anual" -> the EU frequency URI, "15/03/2019" -> 2019-03-15), else as given
    (the field's validator then judges it as any value). A field the write also gives keeps the write's value.
    Returns ``data_dict`` (changed in place)."""
    extras = data_dict.get("extras")
    if not isinstance(extras, list):
        return data_dict
    kept = []
    for extra in extras:
        key = extra.get("key") if isinstance(extra, dict) else None
        if key not in field_names or extra.get("deleted"):
            kept.append(extra)
            continue
        if data_dict.get(key) in (None, "", []):
            how = _FIELD_READERS.get(key)
            value = extra.get("value")
            data_dict[key] = (read(how, value) if how else None) or value
    data_dict["extras"] = kept
    return data_dict


# --- adoption: what a dataset's PIDA fields would become --------------------------------------------------------

@dataclasses.dataclass
class Finding:
    """One thing ``adopt`` did or could not do to one field of a dataset."""
    field: str
    outcome: str          # "set" (filled from the dataset's own fields), "normalised", "kept" (could not be read)
    before: str
    after: str
    source: str           # where the value was found: the field itself, "extras: Frequência de atualização"...
    note: str = ""


@functools.lru_cache(maxsize=None)
def _extra_names() -> dict[str, tuple[str, str]]:
    """Folded extra name -> (target, how)."""
    names = {}
    for target, entry in vocabulary.load("legacy_fields")["extras"].items():
        for name in entry["names"]:
            names[encodings.fold(name)] = (target, entry["how"])
    return names


def _extras_by_target(pkg: dict) -> dict[str, list[tuple[str, Any]]]:
    """The dataset's free extras that say something the schema asks, by target: ``{target: [(key, value)]}``."""
    found: dict[str, list[tuple[str, Any]]] = {}
    for extra in pkg.get("extras") or []:
        if not isinstance(extra, dict) or extra.get("value") in (None, ""):
            continue
        match = _extra_names().get(encodings.fold(extra.get("key") or ""))
        if match:
            found.setdefault(match[0], []).append((extra["key"], extra["value"]))
    return found


def _text(value: Any) -> str:
    if value in (None, [], ""):
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _is_empty(value: Any) -> bool:
    return value in (None, "", [], {})


class _Proposal:
    def __init__(self, pkg: dict):
        self.pkg = pkg
        self.patch: dict = {}
        self.findings: list[Finding] = []
        self.extras = _extras_by_target(pkg)

    def finding(self, field, outcome, before, after, source, note=""):
        self.findings.append(Finding(field, outcome, _text(before), _text(after), source, note))

    def own_or_extra(self, field: str, how: str, valid) -> None:
        """A field the dataset may already hold (in a legacy encoding: normalised) or say in a free extra."""
        value = self.pkg.get(field)
        if not _is_empty(value):
            if valid(value):
                return
            read_value = read(how, value)
            if read_value is not None and read_value != value:
                self.patch[field] = read_value
                self.finding(field, "normalised", value, read_value, field)
            elif read_value is None:
                self.finding(field, "kept", value, value, field, "not understood; kept as it is")
            return
        for key, extra_value in self.extras.get(field, []):
            read_value = read(how, extra_value)
            if read_value is not None:
                self.patch[field] = read_value
                self.finding(field, "set", extra_value, read_value, "extras: " + key)
                return
            self.finding(field, "kept", extra_value, "", "extras: " + key, "not understood; the extra is kept")


def _valid_frequency(value) -> bool:
    return bool(vocabulary.frequency(value))


def _valid_date(value) -> bool:
    return encodings.iso_date(value) == str(value).strip()


def _valid_languages(value) -> bool:
    values = value if isinstance(value, list) else [value]
    return all(str(v).startswith(encodings._tables()["language_base"]) for v in values)


def proposal(pkg: dict, country: Optional[str] = None) -> tuple[dict, list[Finding]]:
    """What adopting one dataset changes: ``(patch, findings)``. ``pkg`` is its ``package_show`` with the PIDA
    schema on; ``patch`` holds only the fields that change (for ``package_patch``), each either filled from what the
    dataset already says elsewhere or the same value in the schema's encoding; ``findings`` lists every change and
    every value that could not be read (kept as it is). Applying the patch and proposing again gives nothing."""
    p = _Proposal(pkg)
    p.own_or_extra("frequency", "frequency", _valid_frequency)
    p.own_or_extra("issued", "date", _valid_date)
    p.own_or_extra("modified", "date", _valid_date)
    p.own_or_extra("language", "language", _valid_languages)

    if _is_empty(pkg.get("pida_personal_data")):
        for key, value in p.extras.get("pida_personal_data", []):
            answer = encodings.yes_no(value)
            # Not even on a private dataset: PIDA A.11 would then refuse to make it public, a write that worked.
            if answer == "yes" and _is_empty(pkg.get("pida_anonymisation")):
                p.finding("pida_personal_data", "kept", value, "", "extras: " + key,
                          "personal data declared but no anonymisation described (PIDA A.11): a publisher must "
                          "describe it and answer the question on the form")
            elif answer:
                p.patch["pida_personal_data"] = answer
                p.finding("pida_personal_data", "set", value, answer, "extras: " + key)
            else:
                p.finding("pida_personal_data", "kept", value, "", "extras: " + key, "not understood; kept")
            break

    if _is_empty(pkg.get("contact")):
        contact = None
        for role in ("maintainer", "author"):
            email = _email(pkg.get(role + "_email"))
            if email:
                contact, source = {"name": pkg.get(role) or "", "email": email}, role
                break
        if contact is None:
            for key, value in p.extras.get("contact_email", []):
                if _email(value):
                    contact, source = {"name": "", "email": _email(value)}, "extras: " + key
                    break
                if _URL.match(str(value).strip()):
                    contact, source = {"name": "", "url": str(value).strip()}, "extras: " + key
                    break
        if contact:
            p.patch["contact"] = [{k: v for k, v in contact.items() if v}]
            p.finding("contact", "set", "", p.patch["contact"], source)

    organization = pkg.get("organization") or {}
    if _is_empty(pkg.get("publisher")) and organization.get("title"):
        p.patch["publisher"] = [{"name": organization["title"]}]
        p.finding("publisher", "set", "", p.patch["publisher"], "organization")

    if _is_empty(pkg.get("pida_country")) and country:
        p.patch["pida_country"] = country.upper()
        p.finding("pida_country", "set", "", country.upper(), "ckanext.pida.country")

    if _is_empty(pkg.get("temporal_coverage")):
        start = next((encodings.iso_date(v) for _k, v in p.extras.get("temporal_start", [])
                      if encodings.iso_date(v)), None)
        end = next((encodings.iso_date(v) for _k, v in p.extras.get("temporal_end", []) if encodings.iso_date(v)),
                   None)
        if start:
            period = {"start": start, **({"end": end} if end else {})}
            p.patch["temporal_coverage"] = [period]
            p.finding("temporal_coverage", "set", "", [period], "extras")

    url = pkg.get("url")
    if url and not _URL.match(str(url).strip()):
        p.finding("url", "kept", url, url, "url", "not a web address; kept as it is")
    return p.patch, p.findings
