"""Mirror of the org's Accounts (households, person accounts, companies) for the Account client mode."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.store.models import Account
from app.store.types import utcnow

_TABLE = Account.__table__  # type: ignore[attr-defined]
_FIELDS = frozenset(c.name for c in _TABLE.columns) - {"id", "connection_id", "updated_at"}


def upsert_many(session: Session, connection_id: int, rows: Iterable[Mapping[str, Any]]) -> int:
    now = utcnow()
    params = []
    for row in rows:
        unknown = set(row) - _FIELDS
        if unknown:
            raise ValueError(f"unknown account fields: {sorted(unknown)}")
        params.append({**row, "connection_id": connection_id, "updated_at": now})
    if not params:
        return 0
    keys = sorted(set(params[0]) - {"connection_id", "sf_id"})
    stmt = sqlite_insert(_TABLE)
    stmt = stmt.on_conflict_do_update(
        index_elements=["connection_id", "sf_id"], set_={k: stmt.excluded[k] for k in keys}
    )
    session.execute(stmt, params)
    return len(params)


def mark_deleted(session: Session, connection_id: int, sf_ids: Iterable[str]) -> int:
    ids = sorted(set(sf_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        result = session.execute(
            update(_TABLE)
            .where(_TABLE.c.connection_id == connection_id, _TABLE.c.sf_id.in_(ids[start : start + 500]),
                   ~_TABLE.c.is_deleted)
            .values(is_deleted=True, updated_at=utcnow())
        )
        changed += result.rowcount
    return changed


def get_by_sf_id(session: Session, connection_id: int, sf_id: str) -> Account | None:
    stmt = select(Account).where(Account.connection_id == connection_id, Account.sf_id == sf_id)
    return session.execute(stmt).scalars().first()
