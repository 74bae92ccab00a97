"""Shared pieces of the contact queries: the list/search row shape and raw-connection access.

Kept apart so that ``contacts`` (writes, list, detail) and ``contact_search`` can both use them
without importing each other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.store.models import SOURCE_OBJECTS

MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ContactSummary:
    """What a list row or a search result shows; the detail panel loads the full ``Contact``."""

    id: int
    sf_id: str
    source_object: str
    name: str
    title: str | None
    email: str | None
    phone: str | None
    mobile_phone: str | None
    account_name: str | None
    city: str | None
    read_only: bool


SUMMARY_COLUMNS = (
    "c.id, c.sf_id, c.source_object, c.name, c.title, c.email, c.phone, c.mobile_phone, "
    "c.account_name, c.mailing_city, c.read_only"
)


def summary(row: Sequence[Any]) -> ContactSummary:
    return ContactSummary(
        id=row[0], sf_id=row[1], source_object=row[2], name=row[3], title=row[4], email=row[5],
        phone=row[6], mobile_phone=row[7], account_name=row[8], city=row[9], read_only=bool(row[10]),
    )


def raw_connection(session: Session) -> sqlite3.Connection:
    """The transaction's own sqlite3 connection: search runs a handful of tiny statements per
    keystroke, and skipping SQLAlchemy's statement layer is most of the time budget."""
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw


def source_filter(source_objects: Sequence[str] | None) -> tuple[str, list[str]]:
    if not source_objects:
        return "", []
    bad = [s for s in source_objects if s not in SOURCE_OBJECTS]
    if bad:
        raise ValueError(f"unknown source objects {bad}")
    return f" AND c.source_object IN ({', '.join('?' for _ in source_objects)})", list(source_objects)
