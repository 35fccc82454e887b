"""Flask blueprints of ckanext-pida, by site role ("portal": every site with ``pida``; "hub": ``pida_hub``)."""
from __future__ import annotations

import importlib

ROLES = {
    "portal": ("concept_scheme", "coverage"),
    "hub": ("hub",),
}


def blueprints(role: str) -> list:
    found = []
    for name in ROLES[role]:
        try:  # TEMP until the modules land
            found.append(importlib.import_module("ckanext.pida.views." + name).blueprint)
        except ImportError:
            pass
    return found
