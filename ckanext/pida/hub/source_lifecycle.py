"""What becomes of a hub source's datasets when the source is cleared or deleted (issue 21, first step).

ckanext-harvest's ``harvest_source_clear`` (also called by ``harvest_source_delete`` with ``clear_source``, and by
the "Clear" button of ``/harvest/<source>``) removes a source's datasets with raw SQL and clears its Solr documents
by the ``harvest_source_id`` field, which the hub's datasets do not carry: they stayed in search, in the catalogue
and in the coverage. For the hub's source types the clear is chained: each dataset the source brought is first
withdrawn through ``package_delete`` (it leaves search, the catalogue pages and the coverage, enters the
withdrawals feed, and its activity stream follows it), and its harvest record is marked deleted; then
ckanext-harvest's own clear runs (jobs, objects, and the rows it purges).
"""
from __future__ import annotations

import logging

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.harvest.model import HarvestSource

from ckanext.pida.hub.harvesters import sources
from ckanext.pida.hub.model import HarvestRecord

log = logging.getLogger(__name__)


def withdraw_datasets(source_id: str) -> int:
    """Deletes (through ``package_delete``) every active dataset the source brought; returns how many."""
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    withdrawn = 0
    for record in HarvestRecord.active_query(source_id).all():
        package = model.Package.get(record.package_id) if record.package_id else None
        if package is not None and package.state != "deleted":
            tk.get_action("package_delete")({"user": site_user, "ignore_auth": True}, {"id": package.id})
            withdrawn += 1
        record.state = "deleted"
        model.Session.add(record)
    model.Session.commit()
    return withdrawn


@tk.chained_action
def harvest_source_clear(up_func, context, data_dict):
    source = HarvestSource.get(data_dict.get("id"))
    if source is not None and source.type in sources.SOURCE_TYPES:
        tk.check_access("harvest_source_clear", context, data_dict)
        withdrawn = withdraw_datasets(source.id)
        log.info("Harvest source %s cleared: %d datasets withdrawn", source.id, withdrawn)
        result = up_func(context, data_dict)
        # ckanext-harvest purged the datasets' rows with raw SQL: the session must not hand out its objects of them
        # (CKAN 2.11: "Could not refresh instance" at the next import of the same dataset).
        model.Session.expunge_all()
        return result
    return up_func(context, data_dict)


def orphans() -> list[dict]:
    """The sources that brought datasets still on the hub but are gone (deleted without clearing): each with its
    title and URL (when ckanext-harvest kept its row) and how many active datasets it left."""
    import sqlalchemy as sa
    live = [s.id for s in sources.pida_sources()]
    rows = (model.Session.query(HarvestRecord.source_id, sa.func.count(HarvestRecord.id))
            .filter(HarvestRecord.state == "active", ~HarvestRecord.source_id.in_(live or [""]))
            .group_by(HarvestRecord.source_id))
    out = []
    for source_id, count in rows:
        source = HarvestSource.get(source_id)
        out.append({"source_id": source_id, "title": source.title if source else None,
                    "url": source.url if source else None, "datasets": count})
    return out
