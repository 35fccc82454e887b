"""Search in the region's languages: when the site's Solr core has the fields ckanext-pida's schema adds
(``solr_schema.py``: ``text_es``, ``text_pt``, ``text_fr``, the title, description, tags and resources stemmed in
Spanish, Portuguese and French, accents folded), the dataset search looks in them too, beside CKAN's own fields.
A core with CKAN's plain schema is searched as before (the fields are looked for once per process)."""
from __future__ import annotations

import logging
import time

import requests
from ckan.lib.search.common import make_connection
from ckan.lib.search.query import QUERY_FIELDS

from ckanext.pida.solr_schema import FIELDS

log = logging.getLogger(__name__)


def before_dataset_search(search_params: dict) -> dict:
    if "qf" not in search_params and core_has_language_fields():
        search_params["qf"] = QUERY_FIELDS + " " + " ".join(FIELDS)
    return search_params


#: (answer, when it was read): a core that has the fields keeps them; one that lacks them (or a Solr that did not
#: answer) is asked again after RECHECK_SECONDS, so a schema updated while the site runs is used without a restart.
_known: list = [None, 0.0]
RECHECK_SECONDS = 300


def core_has_language_fields() -> bool:
    answer, when = _known
    if answer or (answer is False and time.monotonic() - when < RECHECK_SECONDS):
        return bool(answer)
    _known[:] = [_ask_solr(), time.monotonic()]
    return _known[0]


def _ask_solr() -> bool:
    url = make_connection().url  # CKAN's solr_url, with its credentials if it has any
    try:
        for field in FIELDS:
            response = requests.get("{}/schema/fields/{}".format(url.rstrip("/"), field), params={"wt": "json"},
                                    timeout=10)
            if response.status_code != 200:
                log.info("The Solr core has no %s field: searching CKAN's own fields only (ckanext-pida's "
                         "schema adds it: see the README)", field)
                return False
        return True
    except requests.RequestException as e:
        log.warning("Could not read the Solr schema (%s): searching CKAN's own fields only", type(e).__name__)
        return False
