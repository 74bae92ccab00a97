"""Saved Salesforce connections: identity and preferences of each signed-in org user, never secrets.

Used by `app.sync.connection.ConnectionManager` (get_active, save_sign_in, update). The "active"
connection is the most recently signed-in one that has not been forgotten; a disconnected one stays
active (its workspace is kept and shown) until another org is connected.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.store.models import Connection
from app.store.types import utcnow

_FORGOTTEN = "forgotten"
_UPDATABLE = {
    "username", "display_name", "org_name", "instance_url", "login_url", "api_version", "consumer_key",
    "note_type", "client_object", "include_leads", "status",
}


def get(session: Session, connection_id: int) -> Connection | None:
    return session.get(Connection, connection_id)


def get_active(session: Session) -> Connection | None:
    statement = (
        select(Connection)
        .where(col(Connection.status) != _FORGOTTEN)
        .order_by(col(Connection.updated_at).desc(), col(Connection.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def save_sign_in(session: Session, *, org_id: str, user_id: str, **fields: Any) -> Connection:
    """Insert or refresh the row for this org user (reconnecting keeps its id, so its workspace)."""
    row = session.exec(
        select(Connection).where(Connection.org_id == org_id, Connection.user_id == user_id)
    ).first()
    values = {key: value for key, value in fields.items() if key in _UPDATABLE and value is not None}
    if row is None:
        row = Connection(org_id=org_id, user_id=user_id, **values)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    row.status = "connected"
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    session.refresh(row)
    return row


def update(session: Session, connection_id: int, **fields: Any) -> Connection:
    row = session.get(Connection, connection_id)
    if row is None:
        raise LookupError(f"no connection {connection_id}")
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"not a connection preference: {', '.join(sorted(unknown))}")
    for key, value in fields.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    session.refresh(row)
    return row


def delete(session: Session, connection_id: int) -> None:
    """Forget an org entirely: its rows go with it (ON DELETE CASCADE)."""
    row = session.get(Connection, connection_id)
    if row is not None:
        session.delete(row)
