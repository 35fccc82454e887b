"""The hub's harvest sources (of its readers' source types), read from ckanext-harvest's table."""
from __future__ import annotations

import json

import sqlalchemy as sa

import ckan.model as model


#: The source types of the hub's readers (DCAT RDF, data.json in the regional profile and in DCAT-US, CKAN's API).
SOURCE_TYPES = ("pida", "pida_datajson", "pida_dcatus", "pida_ckan")


def pida_sources() -> list:
    """The active harvest sources of the hub's source types (none where ckanext-harvest's tables do not exist)."""
    if not sa.inspect(model.meta.engine).has_table("harvest_source"):
        return []
    from ckanext.harvest.model import HarvestSource
    return (model.Session.query(HarvestSource).filter(HarvestSource.type.in_(SOURCE_TYPES),
                                                      HarvestSource.active.is_(True))
            .order_by(HarvestSource.title).all())


def country_of(source) -> str | None:
    try:
        return (json.loads(source.config or "{}").get("country") or "").upper() or None
    except ValueError:
        return None


#: The fields of a harvest source that ckanext-harvest keeps as extras and its show schema lifts to the top.
SOURCE_FIELDS = ("source_type", "config", "frequency")


def lift_source_fields(pkg_dict: dict) -> dict:
    """A harvest source as ckanext-harvest's show schema gives it: ``source_type``, ``config`` and ``frequency``
    at the top, not in ``extras``.

    On CKAN 2.12 the search index caches the dict validated by the create/update schema, where those fields are
    extras, and ``package_show`` answers from that cache: the edit form then showed an empty configuration, and
    ``harvest_source_patch`` (show, merge, update) failed with "source_type: Missing value; extras: There is a
    schema field with the same name"."""
    if pkg_dict.get("type") != "harvest":
        return pkg_dict
    extras = pkg_dict.get("extras") or []
    lifted = {e["key"]: e["value"] for e in extras if e.get("key") in SOURCE_FIELDS}
    if lifted:
        for key, value in lifted.items():
            if pkg_dict.get(key) in (None, ""):
                pkg_dict[key] = value
        pkg_dict["extras"] = [e for e in extras if e.get("key") not in SOURCE_FIELDS]
    return pkg_dict


def index_source_fields(pkg_dict: dict) -> dict:
    """A harvested dataset's source in the search index, as ckanext-harvest indexes its own datasets
    (``harvest_source_id``, ``harvest_source_title``): its source page then counts and lists them, and its
    ``harvest_source_index_clear`` finds them. ckanext-harvest reads them from the dataset's current harvest object,
    which the hub links only after the dataset is saved (and indexed); the hub reads its provenance."""
    harvest = pkg_dict.get("pida_harvest")
    if isinstance(harvest, str):
        try:
            harvest = json.loads(harvest)
        except ValueError:
            harvest = None
    if isinstance(harvest, dict) and harvest.get("source") and not pkg_dict.get("harvest_source_id"):
        pkg_dict["harvest_source_id"] = harvest["source"]
        pkg_dict["harvest_source_title"] = harvest.get("source_title") or ""
    return pkg_dict
