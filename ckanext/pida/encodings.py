"""The common encodings of languages, update frequencies and licences, mapped to what the PIDA schema stores.

Catalogues say "es", "es-AR", "spa", ``http://id.loc.gov/vocabulary/iso639-2/spa`` or ``.../language/SPA`` for
Spanish; ``http://purl.org/cld/freq/daily``, ``R/P1D`` or ``DAILY`` for daily; a Creative Commons URL with or
without "www.", "https" or a trailing slash, or its name, for a licence. Each function returns the schema's value, or
None when the value is not one it knows: the caller decides what to do with it (the hub keeps it in provenance and
says so on its health page; a form refuses it). The tables are data: vocabularies/encodings.yaml.
"""
from __future__ import annotations

import datetime
import functools
import html
import re
import unicodedata
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


def fold(text: str) -> str:
    """Lower case, accents and surrounding blanks removed, inner blanks collapsed: "Diária " is "diaria"."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


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
            by_key.setdefault(fold(alias), found["uri"])
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
    if fold(text) in by_key:
        return by_key[fold(text)]
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


_TAG = re.compile(r"<[^>]*>")
_URL = re.compile(r"https?://[^\s<>\"')]+", re.IGNORECASE)


def plain_text(value) -> str:
    """Free text without its HTML: tags taken out, entities read, spaces folded."""
    text = html.unescape(_TAG.sub(" ", str(value or "")))
    return " ".join(text.split())


def licence_in_text(value) -> Optional[str]:
    """CKAN's licence id for a licence named inside free text (a data.json ``license`` written as an HTML
    paragraph, "Soumis à la licence Etalab : https://www.etalab.gouv.fr/licence-ouverte-open-licence/"): the text
    without HTML, then each URL in it, then the longest known licence name it contains (as whole words); or None."""
    text = plain_text(value)
    if not text:
        return None
    found = licence_id(text)
    if found:
        return found
    for url in _URL.findall(text):
        found = licence_id(url.rstrip(".,;:"))
        if found:
            return found
    lowered = " " + re.sub(r"[^\w.-]+", " ", text.lower()) + " "
    for name, found in _licence_names():
        if " " + name + " " in lowered:
            return found
    return None


@functools.lru_cache(maxsize=1)
def _licence_names() -> tuple:
    """The licences' names (and ids) as whole-word phrases, longest first; names shorter than 4 characters
    ("cc0") are left out: too likely to be part of another word or code."""
    names = {}
    for licence_id_, entry in _tables()["licences"].items():
        for name in [licence_id_] + list(entry.get("names") or []):
            phrase = " ".join(re.sub(r"[^\w.-]+", " ", str(name).lower()).split())
            if len(phrase) >= 4 and licence_id_ != "notspecified":
                names.setdefault(phrase, licence_id_)
    return tuple(sorted(names.items(), key=lambda item: -len(item[0])))


# --- dates ------------------------------------------------------------------------------------------------------

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_TIME = re.compile(r"^(?P<date>\S+)(?:[ T]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$")


def _day(year: int, month: int, day: int) -> Optional[datetime.date]:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def iso_date(value) -> Optional[str]:
    """A date as catalogues write it, in ISO 8601 (``YYYY-MM-DD``, or with its time), or None.

    Besides ISO 8601 itself: ``15/03/2019``, ``15-03-2019`` and ``15.03.2019`` (day first, as the portals of Latin
    America and the Caribbean write dates; a first number above 12 with a second of 12 or less is read the same way,
    and a second number above 12 is read month first, as US portals write), ``2019/03/15``, each with an optional time
    (``15/03/2019 10:30``). A year or a year and month alone (``2019``, ``2019-05``) is kept as it is."""
    text = " ".join(str(value or "").split())
    if not text:
        return None
    if re.match(r"^\d{4}(-(0[1-9]|1[0-2]))?$", text):
        return text
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed.date().isoformat() if _ISO_DAY.match(text) else parsed.isoformat()
    except ValueError:
        pass
    match = _TIME.match(text)
    if not match:
        return None
    date_part, time_part = match.group("date"), match.group("time")
    day = None
    m = _YEAR_FIRST.match(date_part)
    if m:
        day = _day(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DAY_FIRST.match(date_part)
    if m:
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day = _day(year, first, second) if second > 12 else _day(year, second, first)
    if day is None:
        return None
    if not time_part:
        return day.isoformat()
    hours, minutes, *rest = time_part.split(":")
    seconds = float(rest[0]) if rest else 0.0
    try:
        moment = datetime.datetime(day.year, day.month, day.day, int(hours), int(minutes), int(seconds))
    except ValueError:
        return None
    return moment.isoformat()


# --- yes and no -------------------------------------------------------------------------------------------------

def yes_no(value) -> Optional[str]:
    """"yes" or "no" for an answer in any of the four OAS languages (Sí, Não, Oui, true, 1...), or None."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    answers = _tables()["yes_no"]
    key = fold(value or "")
    for answer in ("yes", "no"):
        if key in answers[answer]:
            return answer
    return None
