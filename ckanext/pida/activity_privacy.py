"""Who may read a dataset's activity stream follows the dataset: once it is no longer public, no version of it is.

CKAN's ``activity`` plugin stores every version of a dataset (title, description, the whole dict) with the
permission labels the dataset had when the version was written, and its pages and actions (organisation, user and
recent-changes streams, ``activity_show``, ``activity_diff``, the history and changes pages) show a version to
whoever holds one of its labels. A public dataset that is deleted or made private keeps its earlier versions
labelled ``public``: readable by anyone. When a dataset leaves the catalogue or comes back
(``withdrawals.py`` sees both), every activity of it gets the labels the dataset has now: its organisation's
members (or its creator) while withdrawn, everyone once published again; a purged dataset's, nobody's but
sysadmins'. ``ckan pida hide-withdrawn-activity`` does the same for what was withdrawn before the plugin.
"""
from __future__ import annotations

from typing import Iterable

import ckan.model as model
from ckan.lib.plugins import get_permission_labels
from ckan.plugins import plugin_loaded


def relabel(package_ids: Iterable[str]) -> int:
    """Gives every activity of these datasets the labels each dataset has now; returns how many were changed."""
    if not plugin_loaded("activity"):
        return 0
    from ckanext.activity.model import Activity
    labeller = get_permission_labels()
    changed = 0
    for package_id in package_ids:
        package = model.Package.get(package_id)
        labels = labeller.get_dataset_labels(package) if package is not None else []
        changed += model.Session.query(Activity).filter(
            Activity.object_id == package_id,
            ~Activity.permission_labels.op("@>")(labels) | ~Activity.permission_labels.op("<@")(labels)
            | Activity.permission_labels.is_(None),
        ).update({Activity.permission_labels: labels}, synchronize_session=False)
    return changed


def hide_withdrawn(batch_size: int = 500) -> tuple[int, int]:
    """Relabels the activities of every dataset that is not public now (deleted, private, draft, purged):
    ``(datasets, activities changed)``."""
    if not plugin_loaded("activity"):
        return 0, 0
    from ckanext.activity.model import Activity
    P = model.Package
    public = model.Session.query(P.id).filter(P.state == "active", P.private.is_(False))
    ids = [i for i, in model.Session.query(Activity.object_id).filter(
        Activity.activity_type.like("%package"), Activity.permission_labels.op("&&")(["public"]),
        ~Activity.object_id.in_(public)).distinct()]
    changed = 0
    for start in range(0, len(ids), batch_size):
        changed += relabel(ids[start:start + batch_size])
        model.repo.commit()
    return len(ids), changed
