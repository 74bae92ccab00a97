"""Samples of the org's daily API usage, for the settings page's 24-hour chart.

Salesforce reports usage with every response (``Sforce-Limit-Info: api-usage=used/max``); keeping
every reading would be one row per request.  We keep one row per five-minute slot instead: a new
reading in the same slot replaces the slot's numbers (the latest reading wins) and adds to the calls
Notebridge itself made in it (``own_calls``).  That is at most 288 rows a day per connection; rows
older than two days are pruned when new ones are written.

Table ``api_usage_sample`` (``models.ApiUsageSample``, created by migration ``0004_settings``) is used
through its Core table, so reads and writes stay plain, explicit statements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from app.store.models import ApiUsageSample
from app.store.tables import table_of
from app.store.types import utcnow

SLOT = timedelta(minutes=5)
KEEP = timedelta(hours=48)

T = table_of(ApiUsageSample)  # the model is the one description of the table


@dataclass(frozen=True, slots=True)
class UsageSample:
    taken_at: datetime
    used: int
    max_calls: int
    own_calls: int

    @property
    def share(self) -> float:
        return self.used / self.max_calls if self.max_calls else 0.0


def slot_start(at: datetime) -> datetime:
    """The start of the five-minute slot ``at`` falls in (UTC)."""
    seconds = int(SLOT.total_seconds())
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=at.tzinfo)


def record(
    session: Session, connection_id: int, used: int, max_calls: int, *, own_calls: int = 0,
    at: datetime | None = None,
) -> None:
    """Record a reading; one row per slot (the latest reading wins, own calls add up)."""
    if max_calls <= 0 or used < 0 or own_calls < 0:
        raise ValueError("API usage is a non-negative count of a positive daily limit")
    at = at or utcnow()
    start = slot_start(at)
    existing = session.execute(
        select(T.c.id).where(T.c.connection_id == connection_id, T.c.taken_at >= start,
                             T.c.taken_at < start + SLOT).order_by(T.c.id.desc()).limit(1)
    ).first()
    if existing is not None:
        session.execute(update(T).where(T.c.id == existing[0]).values(
            taken_at=at, used=used, max_calls=max_calls, own_calls=T.c.own_calls + own_calls))
    else:
        session.execute(T.insert().values(connection_id=connection_id, taken_at=at, used=used,
                                          max_calls=max_calls, own_calls=own_calls))
    session.execute(delete(T).where(T.c.connection_id == connection_id, T.c.taken_at < at - KEEP))


def samples(session: Session, connection_id: int, since: datetime) -> list[UsageSample]:
    """Readings at or after ``since``, oldest first."""
    rows = session.execute(
        select(T.c.taken_at, T.c.used, T.c.max_calls, T.c.own_calls)
        .where(T.c.connection_id == connection_id, T.c.taken_at >= since).order_by(T.c.taken_at, T.c.id)
    ).all()
    return [UsageSample(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]


def own_calls_since(session: Session, connection_id: int, since: datetime) -> int:
    """Calls Notebridge made at or after ``since`` (its own share of the org's usage)."""
    total = session.execute(
        select(func.coalesce(func.sum(T.c.own_calls), 0)).where(
            T.c.connection_id == connection_id, T.c.taken_at >= since)
    ).scalar_one()
    return int(total)


def latest(session: Session, connection_id: int) -> UsageSample | None:
    row = session.execute(
        select(T.c.taken_at, T.c.used, T.c.max_calls, T.c.own_calls)
        .where(T.c.connection_id == connection_id).order_by(T.c.taken_at.desc(), T.c.id.desc()).limit(1)
    ).first()
    return UsageSample(row[0], int(row[1]), int(row[2]), int(row[3])) if row else None


def prune(session: Session, before: datetime) -> int:
    return int(session.exec(delete(T).where(T.c.taken_at < before)).rowcount or 0)
