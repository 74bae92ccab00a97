"""Outbox items held back by a push setting (e.g. "Send tasks" turned off), and letting them go.

A held item is an ordinary ``waiting`` item whose ``last_error_code`` says why (the engine chooses
the code) and whose ``next_try_at`` lies a day ahead, so the push loop sleeps instead of looking at
it again and again.  Turning the setting back on calls :func:`release`: the items become due at once.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlmodel import Session

from app.store.outbox import T
from app.store.types import utcnow


def release(session: Session, connection_id: int, code: str, kinds: tuple[str, ...] | None = None) -> int:
    """Make items held with ``code`` due now; returns how many."""
    query = update(T).where(T.c.connection_id == connection_id, T.c.state == "waiting",
                            T.c.last_error_code == code)
    if kinds:
        query = query.where(T.c.kind.in_(list(kinds)))
    result = session.exec(query.values(next_try_at=None, updated_at=utcnow()))
    return int(result.rowcount or 0)


def held_count(session: Session, connection_id: int, code: str) -> int:
    return int(session.execute(select(func.count()).select_from(T).where(
        T.c.connection_id == connection_id, T.c.state == "waiting", T.c.last_error_code == code)).scalar() or 0)
