"""Mirror of the org's Accounts (households, person accounts, companies) for the Account client mode."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from app.store.models import Account
from app.store.org_rows import upsert_by_sf_id
from app.store.tables import table_of
from app.store.types import utcnow

_TABLE = table_of(Account)


def upsert_many(session: Session, connection_id: int, rows: Iterable[Mapping[str, Any]]) -> int:
    return upsert_by_sf_id(session, _TABLE, "account", connection_id, rows)


def mark_deleted(session: Session, connection_id: int, sf_ids: Iterable[str]) -> int:
    ids = sorted(set(sf_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        result = session.exec(
            update(_TABLE)
            .where(_TABLE.c.connection_id == connection_id, _TABLE.c.sf_id.in_(ids[start : start + 500]),
                   ~_TABLE.c.is_deleted)
            .values(is_deleted=True, updated_at=utcnow())
        )
        changed += result.rowcount
    return changed


def get_by_sf_id(session: Session, connection_id: int, sf_id: str) -> Account | None:
    stmt = select(Account).where(col(Account.connection_id) == connection_id, col(Account.sf_id) == sf_id)
    return session.execute(stmt).scalars().first()
