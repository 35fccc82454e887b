"""The hub's harvest sources of type ``pida``, read from ckanext-harvest's table."""
from __future__ import annotations

import json

import sqlalchemy as sa

import ckan.model as model


def pida_sources() -> list:
    """The active harvest sources of type ``pida`` (none where ckanext-harvest's tables do not exist)."""
    if not sa.inspect(model.meta.engine).has_table("harvest_source"):
        return []
    from ckanext.harvest.model import HarvestSource
    return model.Session.query(HarvestSource).filter_by(type="pida", active=True).order_by(HarvestSource.title).all()


def country_of(source) -> str | None:
    try:
        return (json.loads(source.config or "{}").get("country") or "").upper() or None
    except ValueError:
        return None


def source_countries() -> list[str]:
    return [c for c in (country_of(s) for s in pida_sources()) if c]
