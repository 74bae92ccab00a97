"""Contact-table queries the pull needs beyond the repository in ``contacts``.

``contacts`` owns writes and search; these are the sync's bookkeeping questions: which of these
Ids do we already have (new people need their meetings fetched), and which rows did a complete
full pull not deliver (deleted or no longer shared while we were not looking).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session

from app.store.models import Contact
from app.store.tables import table_of
from app.store.types import utcnow

_TABLE = table_of(Contact)
_MAX_IN_LIST = 500


def existing_sf_ids(session: Session, connection_id: int, sf_ids: Iterable[str]) -> set[str]:
    """Which of ``sf_ids`` are already in the workspace (deleted ones included)."""
    ids = sorted({i for i in sf_ids if i})
    found: set[str] = set()
    for start in range(0, len(ids), _MAX_IN_LIST):
        stmt = select(_TABLE.c.sf_id).where(
            _TABLE.c.connection_id == connection_id, _TABLE.c.sf_id.in_(ids[start : start + _MAX_IN_LIST])
        )
        found.update(session.execute(stmt).scalars())
    return found


def sweep_not_refreshed(session: Session, connection_id: int, source_object: str, since: datetime) -> int:
    """Soft-delete live rows of ``source_object`` that were not written since ``since``.

    Called only after a *complete* full pull of that object: every record Salesforce still has was
    upserted (which stamps ``updated_at``) after ``since``, so anything older is gone from the org
    (deleted and purged from the recycle bin, merged away, or no longer visible to the user).
    """
    result = session.exec(
        update(_TABLE)
        .where(
            _TABLE.c.connection_id == connection_id,
            _TABLE.c.source_object == source_object,
            ~_TABLE.c.is_deleted,
            _TABLE.c.updated_at < since,
            # People added in Notebridge and not yet in Salesforce (app.store.prospects) are not gone.
            ~_TABLE.c.sf_id.startswith("new-"),
        )
        .values(is_deleted=True, updated_at=utcnow())
    )
    return int(result.rowcount or 0)


def live_count(session: Session, connection_id: int, source_object: str) -> int:
    stmt = select(func.count()).select_from(_TABLE).where(
        _TABLE.c.connection_id == connection_id, _TABLE.c.source_object == source_object, ~_TABLE.c.is_deleted
    )
    return int(session.execute(stmt).scalar_one())
