"""The common encodings of languages, update frequencies and licences, mapped to what the PIDA schema stores.

Catalogues say "es", "es-AR", "spa", ``http://id.loc.gov/vocabulary/iso639-2/spa`` or ``.../language/SPA`` for
Spanish; ``http://purl.org/cld/freq/daily``, ``R/P1D`` or ``DAILY`` for daily; a Creative Commons URL with or
without "www.", "https" or a trailing slash, or its name, for a licence. Each function returns the schema's value, or
None when the value is not one it knows: the caller decides what to do with it (the hub keeps it in provenance and
says so on its health page; a form refuses it). The tables are data: vocabularies/encodings.yaml.
"""
from __future__ import annotations

import functools
import re
from typing import Optional

from ckanext.pida import vocabulary

_BCP47 = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{2,8})*$", re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def _tables() -> dict:
    return vocabulary.load("encodings")


@functools.lru_cache(maxsize=None)
def _languages_by_key() -> dict:
    by_key: dict[str, str] = {}
    for lang in _tables()["languages"]:
        code = lang["code"]
        for key in [code, lang.get("iso1"), lang.get("iso2b")] + list(lang.get("names") or []):
            if key:
                by_key[str(key).lower()] = code
    return by_key


def language_uri(value) -> Optional[str]:
    """The EU language authority URI for a language in any common encoding, or None."""
    text = str(value or "").strip()
    if not text:
        return None
    lowered = text.lower()
    for prefix in _tables()["language_uri_prefixes"]:
        if lowered.startswith(prefix.lower()):
            lowered = lowered[len(prefix):].strip("/")
            break
    by_key = _languages_by_key()
    code = by_key.get(lowered)
    if not code:
        match = _BCP47.match(lowered)  # a BCP 47 tag: es-AR, pt-BR, en-US
        code = by_key.get(match.group(1)) if match else None
    return _tables()["language_base"] + code if code else None


@functools.lru_cache(maxsize=None)
def _frequencies_by_key() -> dict:
    by_key = {}
    for f in vocabulary.frequencies():
        by_key[f["id"].lower()] = f["uri"]
        by_key[f["uri"].lower()] = f["uri"]
        if f.get("iso_repeating"):
            by_key.setdefault(f["iso_repeating"].lower(), f["uri"])
    for alias, code in _tables()["frequency_aliases"].items():
        found = vocabulary.frequency(code)
        if found:
            by_key.setdefault(str(alias).lower(), found["uri"])
    return by_key


def frequency_uri(value) -> Optional[str]:
    """The EU frequency URI (one the schema offers) for a frequency in any common encoding, or None."""
    text = str(value or "").strip()
    if not text:
        return None
    by_key = _frequencies_by_key()
    lowered = text.lower()
    if lowered in by_key:
        return by_key[lowered]
    for prefix in _tables()["frequency_prefixes"]:
        if lowered.startswith(prefix.lower()):
            return by_key.get(lowered[len(prefix):].strip("/"))
    return None


def _uri_key(value: str) -> str:
    key = re.sub(r"^https?://", "", value.strip().lower())
    return re.sub(r"^www\.", "", key).rstrip("/")


@functools.lru_cache(maxsize=None)
def _licences_by_key() -> dict:
    by_key = {}
    for licence_id, entry in _tables()["licences"].items():
        by_key[licence_id.lower()] = licence_id
        for uri in entry.get("uris") or []:
            by_key[_uri_key(uri)] = licence_id
        for name in entry.get("names") or []:
            by_key[str(name).strip().lower()] = licence_id
    return by_key


def licence_id(value) -> Optional[str]:
    """CKAN's licence id for a licence URI or name in any common spelling, or None."""
    text = str(value or "").strip()
    if not text:
        return None
    by_key = _licences_by_key()
    return by_key.get(text.lower()) or by_key.get(_uri_key(text))
