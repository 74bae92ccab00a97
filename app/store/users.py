"""Salesforce users of the org (record owners, task assignees), mirrored for names and pickers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from app.store.models import User
from app.store.org_rows import upsert_by_sf_id
from app.store.tables import table_of
from app.store.types import utcnow

_TABLE = table_of(User)


@dataclass(frozen=True, slots=True)
class UserSummary:
    sf_id: str
    name: str
    email: str | None
    is_active: bool


def upsert_many(session: Session, connection_id: int, rows: Iterable[Mapping[str, Any]]) -> int:
    return upsert_by_sf_id(session, _TABLE, "user", connection_id, rows)


def deactivate_missing(session: Session, connection_id: int, active_ids: Iterable[str]) -> int:
    """Users that no longer come back as active were deactivated (or lost to sharing)."""
    keep = set(active_ids)
    current = session.execute(
        select(_TABLE.c.sf_id).where(_TABLE.c.connection_id == connection_id, _TABLE.c.is_active)
    ).scalars().all()
    gone = [i for i in current if i not in keep]
    for start in range(0, len(gone), 500):
        session.execute(
            update(_TABLE)
            .where(_TABLE.c.connection_id == connection_id, _TABLE.c.sf_id.in_(gone[start : start + 500]))
            .values(is_active=False, updated_at=utcnow())
        )
    return len(gone)


def names(session: Session, connection_id: int, sf_ids: Sequence[str | None]) -> dict[str, str]:
    ids = sorted({i for i in sf_ids if i})
    if not ids:
        return {}
    rows = session.execute(
        select(_TABLE.c.sf_id, _TABLE.c.name).where(_TABLE.c.connection_id == connection_id,
                                                    _TABLE.c.sf_id.in_(ids[:500]))
    ).all()
    return {r[0]: r[1] for r in rows}


def active(session: Session, connection_id: int) -> list[UserSummary]:
    rows = session.execute(
        select(User).where(col(User.connection_id) == connection_id, col(User.is_active)).order_by(col(User.name))
    ).scalars()
    return [UserSummary(u.sf_id, u.name, u.email, u.is_active) for u in rows]
