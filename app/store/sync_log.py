"""The sync log as the settings page reads it: filtered, linked to local items, kept for 90 days.

Pull runs write their entry through :mod:`app.store.sync_state` (``start_log``/``finish_log``, one row
per run).  A push writes one row per item it settled (:func:`record_push`), carrying the local item
(``item_kind``/``item_id``, added by migration ``0004_settings``) and the Salesforce record Id, so each
row can open both.  Only Ids, codes and Salesforce's own error message are kept — never field values,
which could hold client details.

Entries older than :data:`KEEP_DAYS` are deleted by :func:`prune` (the settings page calls it when it
loads; the log is for support, not an archive).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlmodel import Session

from app.store.models import SyncLogEntry
from app.store.sync_steps import SyncStep, step_for_kind
from app.store.tables import table_of
from app.store.types import utcnow

KEEP_DAYS = 90
MAX_ROWS = 20_000
_MAX_MESSAGE = 2000

T = table_of(SyncLogEntry)  # the model is the one description of the table


@dataclass(frozen=True, slots=True)
class LogRow:
    id: int
    started_at: datetime
    finished_at: datetime | None
    direction: str
    object: str | None
    outcome: str
    error_code: str | None
    error_message: str | None
    api_calls: int
    record_ids: tuple[str, ...]
    counts: dict[str, int]
    item_kind: str | None
    item_id: int | None
    step: SyncStep | None  # the step of the sync the entry was part of (None: a push run's own row)
    # Read at display time from the local rows (never stored in the log): the note's title or task's
    # subject, and the client's name — what an advisor recognises, where the Ids mean nothing.
    title: str | None = None
    client: str | None = None

    @property
    def record_id(self) -> str | None:
        """The Salesforce record this row is about (the first one, for a run with several)."""
        return self.record_ids[0] if self.record_ids else None


@dataclass(frozen=True, slots=True)
class PushLogItem:
    """One settled push item, as the engine reports it."""

    kind: str                 # note | task | person
    item_id: int
    sobject: str | None       # ContentNote, Note, Task, Event, Contact, Lead …
    outcome: str              # pushed | needs_attention | waiting
    record_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    api_calls: int = 0
    at: datetime | None = None
    extra_ids: tuple[str, ...] = field(default=())


def record_push(session: Session, connection_id: int, items: Iterable[PushLogItem]) -> int:
    """Write one row per settled item (in the caller's transaction); returns how many."""
    rows = []
    now = utcnow()
    for item in items:
        at = item.at or now
        ids = [i for i in (item.record_id, *item.extra_ids) if i]
        rows.append({
            "connection_id": connection_id, "started_at": at, "finished_at": at, "direction": "push",
            "object": item.sobject, "record_ids": ids, "outcome": item.outcome,
            "error_code": item.error_code,
            "error_message": (item.error_message or None) and item.error_message[:_MAX_MESSAGE],
            "api_calls": int(item.api_calls), "counts": {item.kind: 1}, "item_kind": item.kind,
            "item_id": item.item_id, "step": step_for_kind(item.kind),
        })
    if rows:
        session.execute(T.insert(), rows)
    return len(rows)


def record_run(session: Session, connection_id: int, run: PushLogItem, counts: dict[str, int]) -> None:
    """The push run as a whole: its outcome, what it settled, and the API calls it spent."""
    at = run.at or utcnow()
    session.execute(T.insert().values(
        connection_id=connection_id, started_at=at, finished_at=at, direction="push", object=None,
        record_ids=[], outcome=run.outcome, error_code=run.error_code,
        error_message=(run.error_message or None) and run.error_message[:_MAX_MESSAGE],
        api_calls=int(run.api_calls), counts={k: int(v) for k, v in counts.items() if v}, item_kind=None,
        item_id=None, step=None))  # the run spans every kind: its items carry their steps


def entries(
    session: Session, connection_id: int, *, since: datetime | None = None, until: datetime | None = None,
    outcome: str | None = None, object_: str | None = None, direction: str | None = None,
    step: SyncStep | None = None, limit: int = MAX_ROWS,
) -> list[LogRow]:
    """Newest first.  ``outcome``/``object_``/``direction``/``step`` match exactly; dates bound ``started_at``."""
    query = select(*T.columns).where(T.c.connection_id == connection_id)
    if since is not None:
        query = query.where(T.c.started_at >= since)
    if until is not None:
        query = query.where(T.c.started_at < until)
    if outcome:
        query = query.where(T.c.outcome == outcome)
    if object_:
        query = query.where(T.c.object == object_)
    if direction:
        query = query.where(T.c.direction == direction)
    if step is not None:
        query = query.where(T.c.step == step.value)
    query = query.order_by(T.c.started_at.desc(), T.c.id.desc()).limit(limit)
    return [row_of(r) for r in session.execute(query).all()]


def choices(session: Session, connection_id: int) -> tuple[list[str], list[str]]:
    """The outcomes and objects present in the log (for the filter menus), sorted."""
    outcomes = session.execute(select(T.c.outcome).where(T.c.connection_id == connection_id).distinct()).all()
    objects = session.execute(select(T.c.object).where(
        T.c.connection_id == connection_id, T.c.object.is_not(None)).distinct()).all()
    return sorted(str(r[0]) for r in outcomes), sorted(str(r[0]) for r in objects)


def prune(session: Session, *, now: datetime | None = None, keep_days: int = KEEP_DAYS) -> int:
    """Delete entries older than ``keep_days`` (every connection); returns how many went."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    return int(session.exec(delete(T).where(T.c.started_at < cutoff)).rowcount or 0)


def calls_since(session: Session, connection_id: int, since: datetime) -> int:
    """API calls the logged runs made since ``since`` (pull runs and push items)."""
    return int(session.execute(select(func.coalesce(func.sum(T.c.api_calls), 0)).where(
        T.c.connection_id == connection_id, T.c.started_at >= since)).scalar_one())


def row_of(r: Row[*tuple[Any, ...]]) -> LogRow:
    m = r._mapping
    counts = m["counts"] if isinstance(m["counts"], dict) else {}
    """A detached copy of one selected ``sync_log`` row."""
    return LogRow(
        id=int(m["id"]), started_at=m["started_at"], finished_at=m["finished_at"], direction=m["direction"],
        object=m["object"], outcome=m["outcome"], error_code=m["error_code"], error_message=m["error_message"],
        api_calls=int(m["api_calls"] or 0), record_ids=tuple(str(i) for i in (m["record_ids"] or ())),
        counts={str(k): int(v) for k, v in counts.items()}, item_kind=m["item_kind"],
        item_id=int(m["item_id"]) if m["item_id"] is not None else None, step=_step(m["step"]),
    )


def _step(value: object) -> SyncStep | None:
    """A stored step, or None (a run's own row, or a value this version does not know)."""
    try:
        return SyncStep(str(value)) if value is not None else None
    except ValueError:
        return None
