"""The feed of withdrawn datasets: what was in the catalogue and has since been deleted, made private (or draft)
or purged, so that incremental harvesters drop their copies (``pida_catalog_withdrawn``).

It reads a tombstone table (``pida_withdrawal``) kept by chained actions, so that a dataset that was never public
never appears in it (not even its id), a purge leaves a trace, and a re-published dataset leaves the feed.
Changes made outside CKAN's actions (raw SQL) are not seen; one full harvest covers them.
"""
from __future__ import annotations

import datetime
from typing import Any, Optional

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckanext.dcat.utils import dataset_uri

from ckanext.pida import activity_privacy, catalog
from ckanext.pida.model import Withdrawal

LIMIT = 1000


def withdrawn(data_dict: dict) -> dict:
    """Datasets withdrawn since a time, oldest first, paged by a (time, id) cursor.

    Each item gives only what a harvester needs to drop its copy: ``id``, ``uri`` (as the catalogue published
    it), ``status`` (``deleted``, ``private`` or ``purged``) and ``modified`` (when it was withdrawn, UTC). Titles
    and names are never shown.
    """
    since = catalog.date_param(data_dict, "since")
    if since is None:
        raise tk.ValidationError({"since": ["Missing value"]})
    limit = min(catalog.int_param(data_dict, "limit") or LIMIT, LIMIT)
    after = catalog.param(data_dict, "after")
    if after is not None and not catalog.SAFE_ID.match(after):
        raise tk.ValidationError({"after": ["Not a dataset id"]})

    W = Withdrawal
    query = model.Session.query(W)
    if after:
        query = query.filter((W.withdrawn_at > since) | ((W.withdrawn_at == since) & (W.package_id > after)))
    else:
        query = query.filter(W.withdrawn_at >= since)
    rows = query.order_by(W.withdrawn_at, W.package_id).limit(limit + 1).all()

    results = [{"id": w.package_id, "uri": w.uri, "status": w.status, "modified": w.withdrawn_at.isoformat()}
               for w in rows[:limit]]
    out: dict[str, Any] = {"since": since.isoformat(), "results": results}
    if len(rows) > limit:
        out["next"] = {"since": results[-1]["modified"], "after": results[-1]["id"]}
    return out


# --- recording withdrawals -------------------------------------------------------------------------------
#
# Each action that can take a dataset out of the catalogue (or put it back) is chained: before CKAN's action runs,
# _watch notes the datasets that are published now (with the URI the catalogue gives them) or already withdrawn;
# after it, _settle writes, updates or removes their tombstones. package_update covers package_patch,
# package_revise, the resource actions and, on CKAN 2.12, the organisation bulk actions (which call package_patch);
# CKAN 2.11's bulk actions update the package table directly, hence their own chains. A dataset neither published
# before nor withdrawn is not looked at again.

def _statuses(ids) -> dict[str, Optional[str]]:
    """{id: None if published, else "deleted" or "private"}; a purged dataset is absent. Read from the table, not
    from the session's objects, which CKAN 2.11's bulk actions leave stale (they update the table directly)."""
    P = model.Package
    model.Session.flush()
    rows = model.Session.query(P.id, P.state, P.private, P.type).filter(P.id.in_(list(ids)))
    return {r.id: None if r.state == "active" and not r.private and r.type not in catalog.HIDDEN_TYPES
            else "deleted" if r.state == "deleted" else "private" for r in rows}


def _watch(ids) -> dict[str, Optional[str]]:
    """{id: URI published} for the published datasets, {id: None} for those already withdrawn. The table is read
    even when no tombstone is expected, so a portal without it refuses the change rather than lose a withdrawal."""
    ids = [i for i in ids if i]
    withdrawn_already = {w for w, in model.Session.query(Withdrawal.package_id)
                         .filter(Withdrawal.package_id.in_(ids))}
    watched: dict[str, Optional[str]] = {}
    for pkg_id, status in _statuses(ids).items():
        if status is None:
            watched[pkg_id] = dataset_uri({"id": pkg_id, "uri": model.Package.get(pkg_id).extras.get("uri")})
        elif pkg_id in withdrawn_already:
            watched[pkg_id] = None
    return watched


def _settle(watched: dict, commit: bool) -> None:
    if not watched:
        return
    statuses, now = _statuses(watched), datetime.datetime.utcnow()
    # A dataset that left the catalogue, or came back: who may read its activity stream follows it.
    activity_privacy.relabel([pkg_id for pkg_id, uri in watched.items()
                              if (uri is not None) != (statuses.get(pkg_id, "purged") is None)])
    for pkg_id, uri in watched.items():
        status = statuses.get(pkg_id, "purged")
        row = Withdrawal.get(pkg_id)
        if status is None:
            if row is not None:
                model.Session.delete(row)
        elif row is None:
            if uri:
                model.Session.add(Withdrawal(package_id=pkg_id, uri=uri, status=status, withdrawn_at=now))
        elif row.status != status:
            row.status, row.withdrawn_at = status, now
    if commit:
        model.repo.commit()


def _dataset(data_dict) -> list:
    pkg = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
    return [pkg.id] if pkg else []


def _org_datasets(data_dict) -> list:
    """The datasets a bulk action changes, chosen as CKAN chooses them."""
    P = model.Package
    return [i for i, in model.Session.query(P.id).filter(P.id.in_(data_dict.get("datasets") or []),
                                                          P.owner_org == data_dict.get("org_id"))]


def _tracking(datasets_of):
    """A chained action that keeps the tombstones of the datasets ``datasets_of(data_dict)`` it may change."""
    @tk.chained_action
    def action(up_func, context, data_dict):
        watched = _watch(datasets_of(data_dict))
        result = up_func(context, data_dict)
        _settle(watched, commit=not context.get("defer_commit"))
        return result
    return action


#: The actions that can take a dataset out of the catalogue or put it back, and how each names its datasets.
TRACKED_ACTIONS = {
    "package_update": _dataset,
    "package_delete": _dataset,
    "dataset_purge": _dataset,
    "bulk_update_private": _org_datasets,
    "bulk_update_public": _org_datasets,
    "bulk_update_delete": _org_datasets,
}


@tk.side_effect_free
def pida_catalog_withdrawn(context, data_dict):
    """Datasets withdrawn (deleted, made private or purged after being published) since a time
    (see :func:`withdrawn`).

    :param since: ISO 8601 date or date and time (UTC if no zone), inclusive
    :param limit: at most this many items (default and maximum 1000)
    :param after: with ``since``, the cursor given as ``next`` by the previous answer
    """
    tk.check_access("pida_catalog_withdrawn", context, data_dict)
    return withdrawn(data_dict)


def get_actions() -> dict:
    return {"pida_catalog_withdrawn": pida_catalog_withdrawn,
            **{name: _tracking(datasets_of) for name, datasets_of in TRACKED_ACTIONS.items()}}
