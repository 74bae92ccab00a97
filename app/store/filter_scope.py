"""People leaving and re-entering the advisor's filter rules.

A person the filter no longer keeps leaves the workspace (soft-deleted: out of the list and search;
their pushed notes keep their link) — unless a draft or a queued item is about them: then they stay,
marked ``outside_filter``, because a filter change never loses local work. A person the filter keeps
again is simply written again by the pull; ``back_in_filter`` clears the mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlmodel import Session, col

from app.store.forget import UNSENT_STATES
from app.store.models import Contact, Note, Task
from app.store.tables import table_of
from app.store.types import utcnow

_TABLE = table_of(Contact)
_CHUNK = 500


@dataclass(frozen=True)
class Left:
    removed: int  # left the workspace
    kept: int  # stayed, "outside your filter", for their drafts or queued items


def _with_local_work(session: Session, connection_id: int, sf_ids: list[str]) -> set[str]:
    """Which of ``sf_ids`` have a note or task not yet in Salesforce (draft, queued, sending …)."""
    found: set[str] = set()
    ids_by_sf: dict[str, int] = dict(session.execute(select(_TABLE.c.sf_id, _TABLE.c.id).where(
        _TABLE.c.connection_id == connection_id, _TABLE.c.sf_id.in_(sf_ids))).all())
    rows = list(ids_by_sf.values())
    by_row = {row: sf for sf, row in ids_by_sf.items()}
    for model, sf_column in ((Note, col(Note.parent_sf_id)), (Task, col(Task.who_id))):
        stmt = select(col(model.contact_id), sf_column).where(
            col(model.connection_id) == connection_id, col(model.state).in_(UNSENT_STATES),
            or_(col(model.contact_id).in_(rows), sf_column.in_(sf_ids)))
        for row_id, sf_id in session.execute(stmt).all():
            if row_id in by_row:
                found.add(by_row[row_id])
            if sf_id in ids_by_sf:
                found.add(sf_id)
    return found


def leave_filter(session: Session, connection_id: int, sf_ids: Iterable[str]) -> Left:
    """The filter no longer keeps ``sf_ids``: remove them, or mark them when local work is about them."""
    ids = sorted({i for i in sf_ids if i})
    removed = kept = 0
    now = utcnow()
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        busy = _with_local_work(session, connection_id, chunk)
        free = [i for i in chunk if i not in busy]
        base = (_TABLE.c.connection_id == connection_id, ~_TABLE.c.is_deleted)
        if free:
            removed += int(session.exec(update(_TABLE).where(*base, _TABLE.c.sf_id.in_(free)).values(
                is_deleted=True, outside_filter=False, updated_at=now)).rowcount or 0)
        if busy:
            kept += int(session.exec(update(_TABLE).where(*base, _TABLE.c.sf_id.in_(sorted(busy))).values(
                outside_filter=True, updated_at=now)).rowcount or 0)
    return Left(removed, kept)


def back_in_filter(session: Session, connection_id: int, sf_ids: Iterable[str]) -> int:
    ids = sorted({i for i in sf_ids if i})
    changed = 0
    for start in range(0, len(ids), _CHUNK):
        changed += int(session.exec(update(_TABLE).where(
            _TABLE.c.connection_id == connection_id, _TABLE.c.outside_filter,
            _TABLE.c.sf_id.in_(ids[start : start + _CHUNK])).values(outside_filter=False)).rowcount or 0)
    return changed


def outside_filter_ids(session: Session, connection_id: int) -> set[str]:
    stmt = select(_TABLE.c.sf_id).where(_TABLE.c.connection_id == connection_id, _TABLE.c.outside_filter,
                                        ~_TABLE.c.is_deleted)
    return set(session.execute(stmt).scalars())
