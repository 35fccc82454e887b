"""Flask blueprints of ckanext-pida, by site role ("portal": every site with ``pida``; "hub": ``pida_hub``)."""
from __future__ import annotations


def blueprints(role: str) -> list:
    if role == "portal":
        from ckanext.pida.views import concept_scheme, coverage, dataset_form
        return [concept_scheme.blueprint, coverage.blueprint, dataset_form.blueprint]
    from ckanext.pida.views import hub
    return [hub.blueprint]
