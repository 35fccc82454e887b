"""``ckan pida adopt``: a portal's datasets from before ckanext-pida, read into the PIDA schema.

Each dataset (active, private or draft) is read with the PIDA schema on; ``legacy.proposal`` says what its PIDA
fields would become (filled from what the dataset already says, or its own values in the schema's encoding) and what
could not be read; the detector proposes the priority datasets it probably is (stored in ``pida_detection`` for the
portal's review queue, ckanext/pida/review.py). A dry run (the default) only writes the report; ``apply`` saves each
change with ``package_update`` (so the dataset is validated, its activity recorded and its detection refreshed as at
any write), a batch per database transaction: the batch is committed, indexed and committed to Solr once, instead of
once per dataset. Datasets are read in order of id, a batch at a time, the database session emptied after each
batch: memory stays flat whatever the portal's size. A run can stop anywhere: it is idempotent (adopting an adopted
dataset changes nothing) and resumable (``start_after``: the last id the previous run finished).
"""
from __future__ import annotations

import csv
import dataclasses
from typing import Callable, Iterator, Optional

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib import search

from ckanext.pida import legacy, review, vocabulary

REPORT_COLUMNS = ["dataset", "title", "state", "private", "organization", "field", "field_label", "outcome",
                  "before", "after", "found_in", "note"]


@dataclasses.dataclass
class Summary:
    datasets: int = 0
    changed: int = 0
    refused: int = 0
    outcomes: dict = dataclasses.field(default_factory=dict)
    suggested: int = 0
    last_id: Optional[str] = None

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def dataset_ids(batch_size: int, start_after: Optional[str] = None) -> Iterator[list[str]]:
    """The ids of the portal's datasets (active, private and drafts; not deleted), in batches, in order of id."""
    last = start_after or ""
    while True:
        batch = [i for (i,) in model.Session.query(model.Package.id)
                 .filter(model.Package.state.in_(["active", "draft"]))
                 .filter(model.Package.id > last)
                 .order_by(model.Package.id).limit(batch_size)]
        if not batch:
            return
        yield batch
        last = batch[-1]


def count_datasets(start_after: Optional[str] = None) -> int:
    query = model.Session.query(model.Package.id).filter(model.Package.state.in_(["active", "draft"]))
    if start_after:
        query = query.filter(model.Package.id > start_after)
    return query.count()


def _field_labels(lang: str) -> dict[str, str]:
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema
        schema = scheming_get_dataset_schema("dataset") or {}
    except ImportError:
        schema = {}
    labels = {f["field_name"]: vocabulary.text(f.get("label"), lang) for f in schema.get("dataset_fields", [])}
    labels.setdefault("pida_priority", "PIDA priority dataset(s)")
    return labels


class Report:
    """The CSV an administrator opens: one row per change, per value that could not be read, per suggestion.
    UTF-8 with a byte order mark and ``;`` between columns by default, as spreadsheets set up for Spanish,
    Portuguese or French read it."""

    def __init__(self, stream, lang: str, delimiter: str = ";", header: bool = True):
        self.writer = csv.writer(stream, delimiter=delimiter)
        self.labels = _field_labels(lang)
        if header:
            self.writer.writerow(REPORT_COLUMNS)

    def row(self, pkg: dict, field: str, outcome: str, before="", after="", found_in="", note="") -> None:
        organization = (pkg.get("organization") or {}).get("name") or ""
        self.writer.writerow([pkg.get("name"), pkg.get("title"), pkg.get("state"),
                              "yes" if pkg.get("private") else "no", organization, field,
                              self.labels.get(field, field), outcome, before, after, found_in, note])


def adopt_one(pkg: dict, country: Optional[str], apply: bool, report: Report, summary: Summary,
              user: str) -> bool:
    """Reports (and with ``apply``, saves) what adoption changes in one dataset; True if it was saved."""
    patch, findings = legacy.proposal(pkg, country)
    for f in findings:
        report.row(pkg, f.field, f.outcome, f.before, f.after, f.source, f.note)
        summary.count(f.outcome)
    adopted = dict(pkg, **patch)
    review.on_write({}, adopted)  # the detection the write stores (the decisions already taken kept)
    detected = adopted.get(review.FIELD) or {}
    for s in detected.get("pending") or []:
        words = ", ".join(sorted({e.get("text") or e.get("term") or "" for e in s.get("evidence") or []}))
        report.row(pkg, "pida_priority", "suggested", "", s["id"], "detector",
                   "score {:.2f}; {}".format(s["score"], words).strip("; "))
        summary.suggested += 1
    if not patch and detected == (pkg.get(review.FIELD) or {}):
        return False
    if not apply:
        summary.changed += bool(patch)
        return False
    context = {"user": user, "ignore_auth": True, "defer_commit": True, "return_id_only": True,
               review.SET_CONTEXT: True}
    try:
        tk.get_action("package_update")(context, adopted)
    except tk.ValidationError as e:
        summary.refused += 1
        report.row(pkg, ",".join(sorted(e.error_dict)), "refused", "", "", "package_update",
                   "; ".join("{}: {}".format(k, v) for k, v in sorted(e.error_dict.items())))
        return False
    _release_savepoints()
    summary.changed += bool(patch)
    return True


def _release_savepoints() -> None:
    """CKAN 2.12's ``package_update`` saves inside a savepoint that only a non-deferred write releases: released
    here, or a batch of 500 writes nests 500 savepoints (and SQLAlchemy overflows the stack releasing them)."""
    session = model.Session()
    nested = session.get_nested_transaction()
    while nested is not None:
        nested.commit()
        nested = session.get_nested_transaction()


def _index(package_ids: list[str]) -> None:
    """Indexes the datasets a batch saved. CKAN 2.11 indexes a dataset when its change is committed; 2.12 indexes
    inside ``package_update``, which a deferred write skips."""
    if package_ids and not hasattr(search, "SynchronousSearchPlugin"):
        search.rebuild(package_ids=package_ids, defer_commit=True)


def run(report: Report, apply: bool = False, country: Optional[str] = None, batch_size: int = 500,
        start_after: Optional[str] = None, progress: Callable[[int], None] = lambda n: None,
        summary: Optional[Summary] = None) -> Summary:
    """Adopts every dataset after ``start_after`` (all when None); ``progress(n)`` after each batch of n. The
    figures accumulate in ``summary`` as it goes (its ``last_id`` says where to resume after an interruption: the
    last dataset of the last batch committed)."""
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    summary = summary if summary is not None else Summary()
    solr_commit = tk.config.get("ckan.search.solr_commit")
    tk.config["ckan.search.solr_commit"] = False  # one Solr commit per batch, not one per dataset
    try:
        for batch in dataset_ids(batch_size, start_after):
            saved = []
            for package_id in batch:
                pkg = tk.get_action("package_show")({"user": user, "ignore_auth": True, "use_cache": False},
                                                    {"id": package_id})
                if adopt_one(pkg, country, apply, report, summary, user):
                    saved.append(package_id)
                summary.datasets += 1
            model.repo.commit()  # the batch's writes, in one transaction
            _index(saved)
            search.commit()
            summary.last_id = batch[-1]
            model.Session.remove()  # flat memory: nothing of this batch stays in the session's identity map
            progress(len(batch))
    finally:
        model.Session.rollback()  # an interrupted batch leaves nothing half written
        tk.config["ckan.search.solr_commit"] = solr_commit
    return summary
