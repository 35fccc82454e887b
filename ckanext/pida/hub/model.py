"""Tables of the regional hub (created by ``ckan db upgrade -p pida``, with the others of ckanext-pida).

``pida_harvest_record``     one row per dataset a harvest source publishes: the hub dataset it became, the hash
                            of what was imported last, the last job that saw it. Drives change detection and the
                            deletion diff, in the database rather than in memory.
``pida_harvest_run``        one row per harvest job: full or incremental, whether the whole catalogue was read,
                            pages, unchanged count and the problems met, as message codes (translated on display).
``pida_detection_decision`` a hub editor's confirmation or rejection of a detected priority dataset, against the
                            dataset's original URI at its source (so it survives every re-harvest), with the content
                            hash it was decided on (a rejection holds while the dataset is unchanged), who and when.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, types

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.pida.model import _now, _uuid


class HarvestRecord(tk.BaseModel):
    __tablename__ = "pida_harvest_record"
    __table_args__ = (sa.UniqueConstraint("source_id", "guid", name="pida_harvest_record_source_guid"),)

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    source_id = Column(types.UnicodeText, nullable=False, index=True)
    guid = Column(types.UnicodeText, nullable=False)
    package_id = Column(types.UnicodeText)
    name = Column(types.UnicodeText)
    content_hash = Column(types.UnicodeText)
    last_seen_job_id = Column(types.UnicodeText)
    state = Column(types.UnicodeText, nullable=False, default="active")  # active | deleted
    updated = Column(types.DateTime, default=_now, onupdate=_now)

    @classmethod
    def get(cls, source_id: str, guid: str) -> "HarvestRecord | None":
        return model.Session.query(cls).filter_by(source_id=source_id, guid=guid).first()

    @classmethod
    def for_guids(cls, source_id: str, guids: list[str]) -> dict:
        if not guids:
            return {}
        rows = model.Session.query(cls).filter(cls.source_id == source_id, cls.guid.in_(guids))
        return {r.guid: r for r in rows}

    @classmethod
    def owners_elsewhere(cls, source_id: str, guids: list[str]) -> dict[str, str]:
        """{guid: the other source that owns it} for the guids another source already brought to the hub (an
        active record). When several sources have one, the source created first owns it: a dataset is never
        federated twice, and which copy stays does not depend on the order of runs."""
        if not guids:
            return {}
        from ckanext.harvest.model import HarvestSource
        P = model.Package
        rows = (model.Session.query(cls.guid, cls.source_id, P.metadata_created)
                .join(P, P.id == cls.source_id)
                .join(HarvestSource, HarvestSource.id == cls.source_id)
                .filter(cls.guid.in_(guids), cls.state == "active", HarvestSource.active.is_(True)))
        listed = {source_id: None}
        owners: dict[str, tuple] = {}
        for guid, other, created in rows:
            listed[other] = created
            if guid not in owners or (created, other) < owners[guid]:
                owners[guid] = (created, other)
        mine = model.Session.query(P.metadata_created).filter(P.id == source_id).scalar()
        return {guid: other for guid, (created, other) in owners.items()
                if other != source_id and (mine is None or (created, other) < (mine, source_id))}

    @classmethod
    def adopt_from_deleted_sources(cls, source_id: str, url: str) -> int:
        """Gives this source the active records of deleted sources that had its URL (a source deleted without
        clearing, then created again): their datasets are the ones it brings, not copies. Returns how many."""
        from ckanext.harvest.model import HarvestSource
        deleted = model.Session.query(HarvestSource.id).filter(
            HarvestSource.url == url, HarvestSource.id != source_id, HarvestSource.active.is_(False))
        own = model.Session.query(cls.guid).filter(cls.source_id == source_id)
        return (model.Session.query(cls)
                .filter(cls.source_id.in_(deleted), cls.state == "active", ~cls.guid.in_(own))
                .update({cls.source_id: source_id}, synchronize_session=False))

    @classmethod
    def mark_seen(cls, source_id: str, guids: list[str], job_id: str) -> None:
        if guids:
            model.Session.execute(
                sa.update(cls.__table__)
                .where(cls.source_id == source_id, cls.guid.in_(guids))
                .values(last_seen_job_id=job_id)
            )

    @classmethod
    def active_query(cls, source_id: str):
        return model.Session.query(cls).filter(cls.source_id == source_id, cls.state == "active")

    @classmethod
    def unseen(cls, source_id: str, job_id: str):
        """Active records the job did not see: the datasets gone from the source (after a complete full run)."""
        return cls.active_query(source_id).filter(
            sa.or_(cls.last_seen_job_id.is_(None), cls.last_seen_job_id != job_id))


class HarvestRun(tk.BaseModel):
    __tablename__ = "pida_harvest_run"

    job_id = Column(types.UnicodeText, primary_key=True)
    source_id = Column(types.UnicodeText, nullable=False, index=True)
    requested_full = Column(types.Boolean, default=False)
    mode = Column(types.UnicodeText)  # full | incremental
    modified_since = Column(types.DateTime)
    started = Column(types.DateTime)
    finished = Column(types.DateTime)
    complete = Column(types.Boolean, default=False)
    pages = Column(types.Integer, default=0)
    seen = Column(types.Integer, default=0)
    changed = Column(types.Integer, default=0)
    unchanged = Column(types.Integer, default=0)
    to_delete = Column(types.Integer, default=0)
    problems = Column(types.JSON, default=list)  # [{"code": ..., "params": {...}}]

    @classmethod
    def get(cls, job_id: str) -> "HarvestRun | None":
        return model.Session.get(cls, job_id)

    @classmethod
    def last_complete(cls, source_id: str, mode: str | None = None) -> "HarvestRun | None":
        q = model.Session.query(cls).filter(cls.source_id == source_id, cls.complete.is_(True),
                                            cls.finished.isnot(None))
        if mode:
            q = q.filter(cls.mode == mode)
        return q.order_by(cls.started.desc()).first()


CONFIRMED, REJECTED = "confirmed", "rejected"


class DetectionDecision(tk.BaseModel):
    __tablename__ = "pida_detection_decision"
    __table_args__ = (sa.UniqueConstraint("original_uri", "concept", name="pida_detection_decision_uri_concept"),)

    id = Column(types.UnicodeText, primary_key=True, default=_uuid)
    original_uri = Column(types.UnicodeText, nullable=False, index=True)
    concept = Column(types.UnicodeText, nullable=False)
    decision = Column(types.UnicodeText, nullable=False)  # confirmed | rejected
    content_hash = Column(types.UnicodeText)
    user_id = Column(types.UnicodeText)
    decided_at = Column(types.DateTime, default=_now)

    @classmethod
    def for_uri(cls, original_uri: str) -> dict:
        """The decisions on one dataset, by concept."""
        if not original_uri:
            return {}
        return {d.concept: d for d in model.Session.query(cls).filter(cls.original_uri == original_uri)}

    @classmethod
    def for_uris(cls, original_uris: list[str]) -> dict:
        """The decisions on several datasets: {original URI: {concept: decision}}."""
        out: dict = {}
        uris = [u for u in original_uris if u]
        if uris:
            for d in model.Session.query(cls).filter(cls.original_uri.in_(uris)):
                out.setdefault(d.original_uri, {})[d.concept] = d
        return out

    @classmethod
    def record(cls, original_uri: str, concept: str, decision: str, content_hash: str | None,
               user_id: str | None) -> "DetectionDecision":
        row = model.Session.query(cls).filter_by(original_uri=original_uri, concept=concept).first() \
            or cls(original_uri=original_uri, concept=concept)
        row.decision, row.content_hash, row.user_id, row.decided_at = decision, content_hash, user_id, _now()
        model.Session.add(row)
        return row
