"""Tables of ckanext-pida on every site (created by ``ckan db upgrade -p pida``; the hub's own are in
``ckanext.pida.hub.model``).

``pida_coverage_snapshot``  one row per country and day: the coverage of the priority datasets, for charts.
``pida_withdrawal``         one row per dataset that was public and is no longer (deleted, private or purged): the
                            tombstone the withdrawals feed reads. Removed when the dataset is published again.
``pida_link_check``         what the link checker last learned of each distribution URL.
``pida_data_request``       a citizen's request for a priority dataset a country does not publish (or not well).
``pida_review_log``         every decision on a detected priority dataset (confirm, reject) and its undoing.
"""
from __future__ import annotations

import datetime
import uuid

import sqlalchemy as sa
from sqlalchemy import Column, types

import ckan.model as model
import ckan.plugins.toolkit as tk


def _uuid() -> str:
    return str(uuid.uuid4())


def _now() -> datetime.datetime:
    return datetime.datetime.utcnow()


class CoverageSnapshot(tk.BaseModel):
    __tablename__ = "pida_coverage_snapshot"
    __table_args__ = (sa.UniqueConstraint("day", "country", name="pida_coverage_snapshot_day_country"),)

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    day = Column(types.Date, nullable=False, index=True)
    country = Column(types.UnicodeText, nullable=False)
    published = Column(types.Integer, default=0)  # published and up to date
    out_of_date = Column(types.Integer, default=0)
    missing = Column(types.Integer, default=0)
    cells = Column(types.JSON)  # {concept_id: status}
    principles = Column(types.JSON)  # {principle_id: {met, partly, not_met}}
    created = Column(types.DateTime, default=_now)


class Withdrawal(tk.BaseModel):
    __tablename__ = "pida_withdrawal"
    __table_args__ = (sa.Index("pida_withdrawal_cursor", "withdrawn_at", "package_id"),)

    package_id = Column(types.UnicodeText, primary_key=True)  # no foreign key: the row outlives a purge
    uri = Column(types.UnicodeText, nullable=False)  # as the catalogue published it
    status = Column(types.UnicodeText, nullable=False)  # deleted | private | purged
    withdrawn_at = Column(types.DateTime, nullable=False, default=_now)  # UTC

    @classmethod
    def get(cls, package_id: str) -> "Withdrawal | None":
        return model.Session.get(cls, package_id)


class LinkCheck(tk.BaseModel):
    """What the link checker last learned of one URL (``ckanext.pida.quality.links``): one row per URL, shared by
    every distribution that gives it. ``state``: ``working`` (answered 2xx), ``broken`` (an HTTP error, a timeout,
    no such host, a redirect loop), ``refused`` (it leads to an address the checker never connects to: loopback,
    private, link-local, metadata) or ``pending`` (not checked yet)."""
    __tablename__ = "pida_link_check"
    __table_args__ = (sa.Index("pida_link_check_due", "next_check"),)

    id = Column(types.UnicodeText, primary_key=True)  # sha256 of the URL: a URL can outgrow a btree entry
    url = Column(types.UnicodeText, nullable=False)
    host = Column(types.UnicodeText, nullable=False, index=True)
    state = Column(types.UnicodeText, nullable=False, default="pending")
    http_status = Column(types.Integer)
    problem = Column(types.UnicodeText)  # why it is broken or refused, as a code (messages in links.PROBLEMS)
    content_type = Column(types.UnicodeText)  # as the server declared it
    sniffed = Column(types.UnicodeText)  # what its first bytes are (csv, html, json, xml, pdf, zip...)
    final_url = Column(types.UnicodeText)  # after redirects
    failures = Column(types.Integer, nullable=False, default=0)  # in a row
    first_failure = Column(types.DateTime)  # of the current run of failures
    last_success = Column(types.DateTime)
    last_checked = Column(types.DateTime)
    next_check = Column(types.DateTime, nullable=False, default=_now)


class DataRequest(tk.BaseModel):
    """A request for a priority dataset, sent from the coverage's empty cell or a dataset's page
    (``ckanext.pida.data_requests``). Public, except ``email``: it is only used to tell the requester the answer,
    and is erased when the request is closed."""
    __tablename__ = "pida_data_request"
    __table_args__ = (sa.Index("pida_data_request_country_concept", "country", "concept"),
                      sa.Index("pida_data_request_created", "created"))

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    country = Column(types.UnicodeText, nullable=False)  # ISO 3166-1 alpha-2
    concept = Column(types.UnicodeText, nullable=False)  # priority dataset id
    package_id = Column(types.UnicodeText)  # the dataset page it was asked from, if any (no foreign key: kept)
    message = Column(types.UnicodeText, nullable=False)
    email = Column(types.UnicodeText)  # never shown, never returned by an action
    language = Column(types.UnicodeText)  # of the page it was sent from: the answer's e-mail is in it
    status = Column(types.UnicodeText, nullable=False, default="open")  # open | answered | closed
    answer = Column(types.UnicodeText)
    answered_by = Column(types.UnicodeText)  # user id
    answer_package_id = Column(types.UnicodeText)  # the dataset that answers it (as ckanext-datarequests' accepted one)
    created = Column(types.DateTime, nullable=False, default=_now)
    answered = Column(types.DateTime)

    @classmethod
    def get(cls, request_id: str) -> "DataRequest | None":
        return model.Session.get(cls, request_id)


class ReviewLog(tk.BaseModel):
    """One decision on a detected priority dataset, as the review page's history lists it: who confirmed or
    rejected which concept on which dataset, when, and whether (and by whom) it was undone."""
    __tablename__ = "pida_review_log"
    __table_args__ = (sa.Index("pida_review_log_package_concept", "package_id", "concept"),
                      sa.Index("pida_review_log_at", "at"))

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    package_id = Column(types.UnicodeText, nullable=False)
    concept = Column(types.UnicodeText, nullable=False)
    decision = Column(types.UnicodeText, nullable=False)  # confirmed | rejected
    user_id = Column(types.UnicodeText)
    at = Column(types.DateTime, nullable=False, default=_now)
    undone_at = Column(types.DateTime)
    undone_by = Column(types.UnicodeText)
