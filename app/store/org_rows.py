"""What the tables mirrored from the org (accounts, users, events) share: rows keyed by
``(connection_id, sf_id)``, written in bulk as a pull delivers them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.store.types import utcnow

_OURS = frozenset({"id", "connection_id", "updated_at"})


def writable_fields(table: Table) -> frozenset[str]:
    return frozenset(c.name for c in table.columns) - _OURS


def upsert_by_sf_id(
    session: Session, table: Table, what: str, connection_id: int, rows: Iterable[Mapping[str, Any]]
) -> int:
    """Insert or update by ``(connection_id, sf_id)`` in one statement; returns rows written.

    Rows must carry the same keys; columns a row leaves out keep their stored value.  ``what`` names
    the record type in the error for an unknown field ("unknown event fields: [...]")."""
    fields = writable_fields(table)
    now = utcnow()
    params = []
    for row in rows:
        unknown = set(row) - fields
        if unknown:
            raise ValueError(f"unknown {what} fields: {sorted(unknown)}")
        params.append({**row, "connection_id": connection_id, "updated_at": now})
    if not params:
        return 0
    keys = sorted(set(params[0]) - {"connection_id", "sf_id"})
    stmt = sqlite_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["connection_id", "sf_id"], set_={k: stmt.excluded[k] for k in keys}
    )
    session.execute(stmt, params)
    return len(params)
