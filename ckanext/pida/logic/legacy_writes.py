"""Writes shaped as before ckanext-pida keep working: CKAN's ``package_create`` and ``package_update`` (and so
``package_patch`` and every resource action, which save their dataset through it), chained so that an extra named
like a schema field (``extras: [{"key": "frequency", "value": "Anual"}]``, as scripts wrote them before the plugin)
fills that field instead of being refused by ckanext-scheming."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.pida import legacy


def _field_names(dataset_type: str) -> set[str]:
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
    except ImportError:
        return set()
    schema = scheming_get_dataset_schema(dataset_type or "dataset") or {}
    return {f["field_name"] for f in schema.get("dataset_fields", [])}


@tk.chained_action
def package_create(original_action, context, data_dict):
    legacy.lift_field_extras(data_dict, _field_names(data_dict.get("type")))
    return original_action(context, data_dict)


@tk.chained_action
def package_update(original_action, context, data_dict):
    legacy.lift_field_extras(data_dict, _field_names(data_dict.get("type")))
    return original_action(context, data_dict)


def get_actions() -> dict:
    return {"package_create": package_create, "package_update": package_update}
