"""Column types shared by the store's tables.

Timestamps are the one place where SQLite and Python disagree silently: SQLite has no time zone
type, and SQLAlchemy's ``DateTime`` drops ``tzinfo`` on the way in.  A sync cursor compared against
a naive local time would skip or repeat records, so every timestamp is normalised to UTC on write
and handed back as an aware UTC ``datetime`` on read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the only kind the store accepts)."""
    return datetime.now(UTC)


def parse_timestamp(value: str) -> datetime:
    """Parse an ISO-8601 timestamp, including Salesforce's ``2013-05-07T22:07:19.000+0000``.

    Naive values are taken as UTC: Salesforce always sends an offset, and our own code never
    writes local times, so a naive value can only come from UTC-producing code.
    """
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def to_naive_utc(value: object) -> datetime | None:
    """Normalise a datetime or ISO string to the naive UTC value that is stored."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_timestamp(value)
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime or ISO-8601 string, got {type(value).__name__}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime`` stored as naive UTC text and returned as aware UTC.

    Accepts ``datetime`` (aware, or naive meaning UTC) and ISO-8601 strings so the sync engine can
    hand Salesforce's wire values straight to the repository without its own parsing step.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        return to_naive_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value  # the DateTime impl has already parsed SQLite's text
        return stored.replace(tzinfo=UTC)


def to_sqlite_text(value: datetime | str | None) -> str | None:
    """The exact text ``UTCDateTime`` stores, for the store's raw bulk statements.

    Same normalisation as :meth:`UTCDateTime.process_bind_param` and the same format as
    SQLAlchemy's SQLite ``DATETIME`` (``YYYY-MM-DD HH:MM:SS.ffffff``), so ORM reads and index order
    are identical whichever path wrote the row.
    """
    if (
        isinstance(value, str)
        and len(value) == 28
        and value.endswith("+0000")
        and value[10] == "T"
        and value[19] == "."
        and value[:4].isdigit()
    ):
        # Salesforce's own format (always UTC): re-slice instead of parsing, 100,000 times a sync.
        return f"{value[:10]} {value[11:19]}.{value[20:23]}000"
    d = to_naive_utc(value)
    if d is None:
        return None
    return (
        f"{d.year:04d}-{d.month:02d}-{d.day:02d} "
        f"{d.hour:02d}:{d.minute:02d}:{d.second:02d}.{d.microsecond:06d}"
    )
