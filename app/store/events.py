"""Meetings (Salesforce Events) for the people in the workspace: sync writes, timeline reads.

The pull asks Salesforce for a date window of events, not for each person's events (that would be
one query per person).  Whether an event belongs to someone we keep is decided here, next to the
data: an event is stored when its ``WhoId`` or ``WhatId`` is a person (or household) in the
workspace, or when it is already stored (so an edit that moves it out of the window still lands).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from app.store.models import Event
from app.store.org_rows import upsert_by_sf_id
from app.store.tables import table_of
from app.store.types import parse_timestamp, utcnow

_TABLE = table_of(Event)
_MAX_IN_LIST = 500


@dataclass(frozen=True, slots=True)
class EventSummary:
    id: int
    sf_id: str
    subject: str
    start_at: datetime | None
    end_at: datetime | None
    is_all_day: bool
    location: str | None
    who_id: str | None
    what_id: str | None


def upsert_linked(session: Session, connection_id: int, rows: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """Write the events that belong to someone in the workspace; returns (written, ignored)."""
    if not rows:
        return 0, 0
    wanted_ids = {r.get("who_id") for r in rows} | {r.get("what_id") for r in rows}
    people = _live_people(session, connection_id, {i for i in wanted_ids if i})
    stored = _existing(session, connection_id, [str(r["sf_id"]) for r in rows])
    keep = [
        r for r in rows
        if r.get("who_id") in people or r.get("what_id") in people or r["sf_id"] in stored
    ]
    upsert_many(session, connection_id, keep)
    return len(keep), len(rows) - len(keep)


def upsert_many(session: Session, connection_id: int, rows: Iterable[Mapping[str, Any]]) -> int:
    return upsert_by_sf_id(session, _TABLE, "event", connection_id, rows)


def mark_deleted(session: Session, connection_id: int, sf_ids: Iterable[str]) -> int:
    ids = sorted(set(sf_ids))
    changed = 0
    for start in range(0, len(ids), _MAX_IN_LIST):
        result = session.exec(
            update(_TABLE)
            .where(_TABLE.c.connection_id == connection_id, _TABLE.c.sf_id.in_(ids[start : start + _MAX_IN_LIST]),
                   ~_TABLE.c.is_deleted)
            .values(is_deleted=True, updated_at=utcnow())
        )
        changed += result.rowcount
    return changed


def for_people(
    session: Session, connection_id: int, sf_ids: Sequence[str], limit: int = 200
) -> list[EventSummary]:
    """A person's timeline: their meetings (as Who, or as What for households), newest first."""
    ids = [i for i in sf_ids if i][:_MAX_IN_LIST]
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    raw = _raw(session)
    # Two index lookups (who, what) instead of one OR, which SQLite answers by reading every event.
    columns = "id, sf_id, subject, start_at, end_at, is_all_day, location, who_id, what_id"
    sql = (  # only "?" placeholders are formatted in
        f"SELECT {columns} FROM event WHERE connection_id = ? AND who_id IN ({marks}) AND is_deleted = 0"  # noqa: S608
        f" UNION SELECT {columns} FROM event WHERE connection_id = ? AND what_id IN ({marks}) AND is_deleted = 0"
        " ORDER BY start_at DESC, id DESC LIMIT ?"
    )
    rows = raw.execute(sql, [connection_id, *ids, connection_id, *ids, limit]).fetchall()
    return [
        EventSummary(
            id=r[0], sf_id=r[1], subject=r[2] or "", start_at=_dt(r[3]), end_at=_dt(r[4]),
            is_all_day=bool(r[5]), location=r[6], who_id=r[7], what_id=r[8],
        )
        for r in rows
    ]


def count(session: Session, connection_id: int) -> int:
    raw = _raw(session)
    row = raw.execute("SELECT count(*) FROM event WHERE connection_id = ? AND is_deleted = 0", [connection_id])
    return int(row.fetchone()[0])


def _live_people(session: Session, connection_id: int, ids: set[str]) -> set[str]:
    """Which of ``ids`` are live people in the workspace, or the household account of one.

    ``+is_deleted`` keeps SQLite from choosing the (connection_id, is_deleted, sort_key) index for the
    account lookup, which walks every live contact; ``ix_contact_account`` finds the few matches.
    """
    found: set[str] = set()
    ordered = sorted(ids)
    raw = _raw(session)
    for start in range(0, len(ordered), _MAX_IN_LIST):
        chunk = ordered[start : start + _MAX_IN_LIST]
        marks = ", ".join("?" for _ in chunk)
        for column in ("sf_id", "account_sf_id"):
            rows = raw.execute(
                f"SELECT {column} FROM contact WHERE connection_id = ? AND {column} IN ({marks})"  # noqa: S608
                " AND +is_deleted = 0",
                [connection_id, *chunk],
            )
            found.update(row[0] for row in rows)
    return found


def _existing(session: Session, connection_id: int, sf_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(sf_ids), _MAX_IN_LIST):
        stmt = select(_TABLE.c.sf_id).where(
            _TABLE.c.connection_id == connection_id, _TABLE.c.sf_id.in_(sf_ids[start : start + _MAX_IN_LIST])
        )
        found.update(session.execute(stmt).scalars())
    return found


def _raw(session: Session) -> sqlite3.Connection:
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def _dt(value: Any) -> datetime | None:
    """Raw sqlite3 reads bypass the UTC type; the column holds naive UTC text."""
    if value is None:
        return None
    return parse_timestamp(str(value).replace(" ", "T"))
