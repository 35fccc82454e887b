"""What the hub makes of one harvested dataset: its content hash, its name, its provenance."""
from __future__ import annotations

import datetime
import hashlib
import json
import re

import ckan.model as model
from ckan.lib.munge import munge_title_to_name

from ckanext.pida import vocabulary

#: Keys the hub sets itself: never part of the content hash, never taken from the source.
HUB_KEYS = ("id", "name", "owner_org", "pida_harvest", "state", "private", "extras")
NAME_MAX = 100


#: rdflib's blank node ids ("N" and 32 hex digits): new at every parse, so never part of a hash.
_BNODE_ID = re.compile(r"^N[0-9a-f]{32}$")


def _canonical(value):
    """The value with dict keys sorted, lists in a fixed order and blank node ids blanked, so that the hash depends
    on what the source says, not on serialisation order or on the ids rdflib gives blank nodes (a catalogue whose
    distributions are blank nodes would otherwise look changed at every run)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, str) and _BNODE_ID.match(value):
        return "_:blank"
    return value


def content_hash(dataset: dict) -> str:
    """SHA-256 of what the source says about a dataset (what the hub adds is left out)."""
    content = {k: v for k, v in dataset.items() if k not in HUB_KEYS}
    text = json.dumps(_canonical(content), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def guid_of(dataset: dict) -> str | None:
    """The dataset's identity at its source: its URI, else its dct:identifier."""
    extras = {e.get("key"): e.get("value") for e in dataset.get("extras") or [] if isinstance(e, dict)}
    for key in ("uri", "identifier"):
        value = dataset.get(key) or extras.get(key)
        if value:
            return value
    return None


def new_name(country: str, title: str, guid: str) -> str:
    """A hub name for a new dataset: ``<country>-<slug of title>``, made unique with a short hash of its guid.

    The country prefix keeps countries apart; the name is stored with the record and never recomputed, so it stays
    stable across re-harvests even when the title changes."""
    prefix = country.lower() + "-"
    slug = re.sub("-+", "-", munge_title_to_name(title or "") or "dataset").strip("-") or "dataset"
    name = (prefix + slug)[:NAME_MAX].rstrip("-")
    if not _taken(name):
        return name
    suffix = "-" + hashlib.sha1(guid.encode("utf-8")).hexdigest()[:8]
    name = (prefix + slug)[:NAME_MAX - len(suffix)].rstrip("-") + suffix
    n = 1
    candidate = name
    while _taken(candidate):
        n += 1
        candidate = "{}-{}".format(name[:NAME_MAX - 4], n)
    return candidate


def _taken(name: str) -> bool:
    return model.Session.query(model.Package.id).filter(model.Package.name == name).first() is not None


#: Keys of a dataset dict that CKAN itself takes, besides the fields of the PIDA schema.
CORE_KEYS = {"id", "name", "title", "notes", "url", "version", "license_id", "tags", "resources", "extras", "groups",
             "owner_org", "private", "state", "type", "author", "author_email", "maintainer", "maintainer_email"}


def schema_fields() -> set:
    """The names a harvested dataset may carry into package_create: CKAN's own and the PIDA schema's fields."""
    from ckanext.scheming.helpers import scheming_get_dataset_schema
    schema = scheming_get_dataset_schema("dataset") or {}
    return CORE_KEYS | {f["field_name"] for f in schema.get("dataset_fields", [])}


def for_hub(dataset: dict, *, cfg: dict, source, guid: str, digest: str, name: str, owner_org: str | None) -> dict:
    """The dict given to package_create / package_update: the source's dataset plus the hub's own keys."""
    known = schema_fields()
    out = {k: v for k, v in dataset.items() if k not in HUB_KEYS and not k.startswith("_") and k in known}
    # What the reader found that the PIDA schema has no field for (DCAT-AP 3's dct:creator...): kept in provenance,
    # not sent to validation (CKAN 2.11 refuses unexpected fields).
    extra = {k: v for k, v in dataset.items() if k not in HUB_KEYS and not k.startswith("_") and k not in known
             and v not in (None, "", [], {})}
    source_fields = dict(dataset.get("_source_fields") or {}, **extra)
    out["name"] = name
    if owner_org:
        out["owner_org"] = owner_org
    if not vocabulary.country(out.get("pida_country")):
        out["pida_country"] = cfg["country"]
    out["pida_harvest"] = {
        "country": cfg["country"],
        "source": source.id,
        "source_title": source.title,
        "source_url": source.url,
        "original_uri": guid,
        "harvested_at": datetime.datetime.utcnow().replace(microsecond=0).isoformat() + "Z",
        "hash": digest,
    }
    if source_fields:
        # What the source said that the schema has no place for (data.json's theme, superTheme...): kept.
        out["pida_harvest"]["source_fields"] = source_fields
    if dataset.get("_unmapped"):
        # What the source said that the schema has no value for: kept, so that nothing is thrown away.
        out["pida_harvest"]["unmapped"] = dataset["_unmapped"]
    return out
