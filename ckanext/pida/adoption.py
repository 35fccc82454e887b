"""``ckan pida adopt``: a portal's datasets from before ckanext-pida, read into the PIDA schema.

Each dataset (active, private or draft) is read with the PIDA schema on; ``legacy.proposal`` says what its PIDA
fields would become (filled from what the dataset already says, or its own values in the schema's encoding) and what
could not be read; the detector proposes the priority datasets it probably is. A dry run (the default) only writes
the report; ``apply`` saves each change with ``package_patch`` (so the dataset is validated and reindexed as any
write). Datasets are read in order of id, a batch at a time, the database session emptied after each batch: memory
stays flat whatever the portal's size. A run can stop anywhere: it is idempotent (adopting an adopted dataset changes
nothing) and resumable (``start_after``: the last id the previous run finished).
"""
from __future__ import annotations

import csv
import dataclasses
from typing import Callable, Iterator, Optional

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida import detection, legacy, vocabulary

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
              user: str) -> None:
    patch, findings = legacy.proposal(pkg, country)
    for f in findings:
        report.row(pkg, f.field, f.outcome, f.before, f.after, f.source, f.note)
        summary.count(f.outcome)
    if not pkg.get("pida_priority"):
        for s in detection.suggest(pkg, country=country or pkg.get("pida_country")):
            words = ", ".join(sorted({e.get("text") or e.get("term") or "" for e in s.get("evidence") or []}))
            report.row(pkg, "pida_priority", "suggested", "", s["id"], "detector",
                       "score {:.2f}; {}".format(s["score"], words).strip("; "))
            summary.suggested += 1
    if patch and apply:
        try:
            tk.get_action("package_patch")({"user": user, "ignore_auth": True}, dict(patch, id=pkg["id"]))
            summary.changed += 1
        except tk.ValidationError as e:
            summary.refused += 1
            report.row(pkg, ",".join(sorted(e.error_dict)), "refused", "", "", "package_patch",
                       "; ".join("{}: {}".format(k, v) for k, v in sorted(e.error_dict.items())))
    elif patch:
        summary.changed += 1


def run(report: Report, apply: bool = False, country: Optional[str] = None, batch_size: int = 500,
        start_after: Optional[str] = None, progress: Callable[[int], None] = lambda n: None,
        summary: Optional[Summary] = None) -> Summary:
    """Adopts every dataset after ``start_after`` (all when None); ``progress(n)`` after each batch of n. The
    figures accumulate in ``summary`` as it goes (its ``last_id`` says where to resume after an interruption)."""
    user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    summary = summary if summary is not None else Summary()
    for batch in dataset_ids(batch_size, start_after):
        for package_id in batch:
            pkg = tk.get_action("package_show")({"user": user, "ignore_auth": True, "use_cache": False},
                                                {"id": package_id})
            adopt_one(pkg, country, apply, report, summary, user)
            summary.datasets += 1
            summary.last_id = package_id
        model.Session.remove()  # flat memory: nothing of this batch stays in the session's identity map
        progress(len(batch))
    return summary
