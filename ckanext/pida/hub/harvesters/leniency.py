"""Lenient means lenient: a harvested value that fails its field's validation leaves that field, and the dataset
lands.

The hub saves a harvested dataset with ``package_create`` / ``package_update`` (the PIDA schema's lenient
validation). When CKAN refuses it, each value its errors name is taken out of the dataset (a top-level field, the
subfield of one contact, the field of one distribution) and kept in the dataset's provenance
(``pida_harvest.refused``: field, value, reason), and the save is tried again. Only a dataset whose title (or the
hub's own keys: its name, organisation) is refused stays refused. Values with an unsafe link scheme
(``javascript:``...) are taken out before any save, the same way.
"""
from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.pida.hub.harvesters.messages import N_

#: Fields whose refusal refuses the dataset: without a title it is not a dataset; the others are the hub's own.
ESSENTIAL = frozenset({"title", "name", "id", "owner_org", "type", "pida_harvest"})
#: A save is tried at most this many times (each try takes out every value the previous one's errors named).
MAX_TRIES = 6
#: Link schemes a browser runs instead of following: never stored, whatever field they are in.
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file|livescript)\s*:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20]+")
#: The keys that hold links (a description that starts with "Data:" is not a link).
LINK_KEY = re.compile(r"(url|uri|page|documentation|conforms_to|homepage|link|href)", re.IGNORECASE)


class Refused(Exception):
    """The dataset itself is refused: ``errors`` names an essential field, or a value that cannot be taken out."""

    def __init__(self, error: tk.ValidationError):
        super().__init__(str(error))
        self.error = error


def save(action: str, context: dict, data: dict) -> tuple[Any, list[dict]]:
    """Runs ``action`` (``package_create`` or ``package_update``) on ``data``, taking out what validation refuses;
    returns the action's result and what was taken out (also written in ``data["pida_harvest"]["refused"]``)."""
    refused: list[dict] = list((data.get("pida_harvest") or {}).get("refused") or [])
    for _try in range(MAX_TRIES):
        try:
            return tk.get_action(action)(dict(context), data), refused
        except tk.ValidationError as e:
            taken = take_out(data, e.error_dict)
            if taken is None:
                raise Refused(e)
            refused += taken
            data.setdefault("pida_harvest", {})["refused"] = refused
    raise Refused(tk.ValidationError({"title": ["too many refused values"]}))


def take_out(data: dict, errors: dict, prefix: str = "") -> list[dict] | None:
    """Takes the values ``errors`` names out of ``data``; None if one of them cannot be (an essential field, an
    error on a value the dataset does not have)."""
    taken: list[dict] = []
    for key, messages in (errors or {}).items():
        if not prefix and key in ESSENTIAL:
            return None
        if key not in data:
            return None
        if isinstance(messages, list) and messages and all(isinstance(m, dict) for m in messages):
            items = data[key] if isinstance(data[key], list) else []
            emptied = []
            for index, item_errors in enumerate(messages):
                if not item_errors:
                    continue
                if index >= len(items) or not isinstance(items[index], dict):
                    return None
                inner = take_out(items[index], item_errors, prefix + key + ".")
                if inner is None:
                    return None
                taken += inner
                if not any(v not in (None, "", [], {}) for v in items[index].values()):
                    emptied.append(index)  # nothing left of it (a tag without its name): the item goes
            for index in reversed(emptied):
                del items[index]
        elif isinstance(messages, dict):
            if not isinstance(data[key], dict):
                return None
            inner = take_out(data[key], messages, prefix + key + ".")
            if inner is None:
                return None
            taken += inner
        else:
            value = data.pop(key)
            taken.append({"field": prefix + key, "value": _plain(value), "reason": _reason(messages)})
    return taken


def unsafe_links(data: Any, prefix: str = "", link: bool = False) -> list[dict]:
    """Takes every link with an unsafe scheme out of ``data`` (in place, at any depth: the dataset's, its
    distributions' and its contacts' links); returns them."""
    taken: list[dict] = []
    if isinstance(data, dict):
        for key in list(data):
            value, is_link = data[key], link or bool(LINK_KEY.search(key))
            if is_link and _unsafe(value):
                data.pop(key)
                taken.append({"field": prefix + key, "value": value[:500], "reason": UNSAFE_REASON})
            elif isinstance(value, (dict, list)):
                taken += unsafe_links(value, prefix + key + ".", is_link and isinstance(value, list))
    elif isinstance(data, list):
        kept = []
        for item in data:
            if link and _unsafe(item):
                taken.append({"field": prefix.rstrip("."), "value": item[:500], "reason": UNSAFE_REASON})
            else:
                taken += unsafe_links(item, prefix)
                kept.append(item)
        data[:] = kept
    return taken


#: The reason given for an unsafe link (translated when shown).
UNSAFE_REASON = N_("unsafe link scheme")


def _unsafe(value) -> bool:
    return isinstance(value, str) and bool(UNSAFE_SCHEME.match(_CONTROL.sub("", value)))


def _plain(value):
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _reason(messages) -> str:
    if isinstance(messages, (list, tuple)):
        return "; ".join(str(m).rstrip(". ") for m in messages if m)
    return str(messages).rstrip(". ")
