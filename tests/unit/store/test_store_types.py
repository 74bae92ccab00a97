"""The typed helpers that replaced ``# type: ignore`` in the store behave exactly like what they replaced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlmodel import Session, SQLModel

from app.store import Database, models, outbox_views
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store.tables import table_of


def test_types_table_of_is_the_table_sqlmodel_made_for_every_model() -> None:
    table_models = [m for m in vars(models).values()
                    if isinstance(m, type) and issubclass(m, SQLModel) and hasattr(m, "__table__")]
    assert len(table_models) >= 10  # every table of the workspace, not an empty loop
    for model in table_models:
        assert table_of(model) is model.__table__, model.__name__


async def test_types_next_due_at_is_the_earliest_waiting_time_as_aware_utc(db: Database, cid: int) -> None:
    """The outbox's next wake-up reads MIN(next_try_at) and must hand back an aware UTC datetime."""
    paris = timezone(timedelta(hours=1))
    soon = datetime(2030, 5, 1, 10, 30, tzinfo=paris)  # 09:30 UTC
    later = soon + timedelta(hours=2)

    def wait_two(session: Session) -> None:
        for when in (later, soon):
            note = notes_repo.create(session, cid, title="Review", body_markdown="x")
            row = outbox_repo.enqueue(session, "note", note.id)
            outbox_repo.settle_waiting(session, [row.id], code="OFFLINE", reason="offline", next_try_at=when)

    assert await db.run(lambda s: outbox_views.next_due_at(s, cid)) is None  # nothing waiting yet
    await db.run(wait_two)
    due = await db.run(lambda s: outbox_views.next_due_at(s, cid))
    assert due == soon
    assert due is not None and due.tzinfo is not None and due.utcoffset() == timedelta(0)
    assert due == datetime(2030, 5, 1, 9, 30, tzinfo=UTC)
