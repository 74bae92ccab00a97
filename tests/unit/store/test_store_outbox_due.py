"""``outbox.due`` builds a big outbox's work items in a handful of queries (drafts and people 500 at
a time): each item still gets its own draft and person, and a row whose draft is gone is left out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from app.store import Database
from app.store import activities as activities_repo
from app.store import contacts as contacts_repo
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.store.kinds import ItemKind
from app.store.models import Contact, Note
from app.store.types import utcnow

PEOPLE = 30
EACH = 240  # over one 500-value chunk for the people, several for three kinds together


async def test_outbox_due_batched_loads_each_items_draft_and_person_in_few_queries(db: Database, cid: int) -> None:
    db.claim_writer()

    def fill(session: Session) -> None:
        contacts_repo.upsert_many(session, cid, [
            {"sf_id": f"003Due{n:012d}", "source_object": "Contact", "first_name": "Pat", "last_name": f"Due{n}",
             "name": f"Pat Due{n}"} for n in range(PEOPLE)])
        people = list(session.exec(select(Contact).where(Contact.connection_id == cid)).all())
        notes = [notes_repo.create(session, cid, contact_id=people[n % PEOPLE].id, title=f"Note {n}",
                                   body_markdown="Body").id for n in range(EACH)]
        tasks = [tasks_repo.create(session, cid, contact_id=people[n % PEOPLE].id, subject=f"Task {n}").id
                 for n in range(EACH)]
        calls = [activities_repo.create(session, cid, ItemKind.CALL, contact_id=people[n % PEOPLE].id,
                                        fields={"outcome": f"Call {n}"}).id for n in range(EACH)]
        outbox_repo.enqueue_many(session, ItemKind.NOTE, notes)
        outbox_repo.enqueue_many(session, ItemKind.TASK, tasks)
        outbox_repo.enqueue_many(session, ItemKind.CALL, calls)
        gone = notes_repo.create(session, cid, title="Gone").id
        outbox_repo.enqueue_many(session, ItemKind.NOTE, [gone])
        session.delete(session.get(Note, gone))  # queued, then its draft deleted

    await db.run(fill)

    def take(session: Session) -> tuple[list[outbox_repo.PushWork], int, dict[str, Any]]:
        statements = 0

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        bind = session.get_bind()
        event.listen(bind, "before_cursor_execute", count)
        try:
            work = outbox_repo.due(session, cid, utcnow())
        finally:
            event.remove(bind, "before_cursor_execute", count)
        expected = {w.outbox.id: outbox_repo.person_of(session, cid, getattr(w.item, "parent_sf_id", None)
                                                       or getattr(w.item, "who_id", None)) for w in work}
        return work, statements, expected

    work, statements, expected = await db.run(take)

    assert len(work) == 3 * EACH  # the note whose draft was deleted is left out
    assert [w.outbox.id for w in work] == sorted(w.outbox.id for w in work)
    assert [w.outbox.kind for w in work].count(ItemKind.CALL) == EACH
    assert all(w.item.id == w.outbox.item_id for w in work)
    assert all(w.person is not None and w.person == expected[w.outbox.id] for w in work)
    assert {w.person.sf_id for w in work if w.person} == {f"003Due{n:012d}" for n in range(PEOPLE)}
    assert statements <= 10, statements  # was two per item (1,440 here)
