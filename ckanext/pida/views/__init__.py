"""Flask blueprints of the ``pida`` plugin (every site; the hub's own are in ckanext.pida.hub.views)."""
from __future__ import annotations


def blueprints() -> list:
    from ckanext.pida.data_requests import views as data_requests
    from ckanext.pida.views import concept_scheme, coverage, dataset_form, datajson, fixes, review
    return [concept_scheme.blueprint, coverage.blueprint, dataset_form.blueprint, datajson.blueprint,
            review.blueprint, fixes.blueprint, data_requests.blueprint]
