"""The generic activity table on a real workspace file: drafts of several kinds side by side, checked
fields, the Drafts list, discard and undo, the outbox, and a pushed activity that is not edited here."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.store import Database, draft_list, outbox_views
from app.store import activities as activities_repo
from app.store import contacts as contacts_repo
from app.store import outbox as outbox_repo
from app.store.activities import PushedActivityError
from app.store.kinds import ItemKind
from app.store.models import Contact


async def _client(db: Database, cid: int, source: str = "Contact") -> int:
    def add(session: Session) -> int:
        sf_id = "00Q000000000009AAA" if source == "Lead" else "003000000000009AAA"
        contacts_repo.upsert_many(session, cid, [{"sf_id": sf_id, "source_object": source, "first_name": "Ana",
                                                  "last_name": "Reyes", "name": "Ana Reyes",
                                                  "account_sf_id": "001000000000009AAA"}])
        row = session.exec(Contact.__table__.select().where(Contact.sf_id == sf_id)).first()  # type: ignore[attr-defined]
        return int(row.id)

    return await db.run(add)


async def test_store_activities_hold_each_kind_with_its_own_checked_fields(db: Database, cid: int) -> None:
    contact = await _client(db, cid)
    call = await db.run(lambda s: activities_repo.create(s, cid, ItemKind.CALL, contact_id=contact))
    meeting = await db.run(lambda s: activities_repo.create(s, cid, ItemKind.MEETING, contact_id=contact))
    assert (call.who_id, call.what_id) == ("003000000000009AAA", "001000000000009AAA")
    assert set(call.fields) == {"when", "duration_minutes", "direction", "outcome", "note"}
    assert set(meeting.fields) == {"subject", "start", "end", "location", "attendees", "note"}
    assert meeting.fields["attendees"] == []  # the client alone, until others are added

    saved = await db.run(lambda s: activities_repo.save(s, call.id, fields={"outcome": "Reached"}))
    assert saved.fields["outcome"] == "Reached" and saved.fields["direction"] == "Outbound"
    assert saved.updated_at > call.updated_at
    with pytest.raises(ValueError, match="no field subject"):
        await db.run(lambda s: activities_repo.save(s, call.id, fields={"subject": "x"}))
    with pytest.raises(ValueError, match="not an activity kind"):
        await db.run(lambda s: activities_repo.create(s, cid, ItemKind.TASK))


async def test_store_activities_lead_takes_no_account(db: Database, cid: int) -> None:
    lead = await _client(db, cid, "Lead")
    call = await db.run(lambda s: activities_repo.create(s, cid, ItemKind.CALL, contact_id=lead))
    assert (call.who_id, call.what_id) == ("00Q000000000009AAA", None)


async def test_store_activities_in_the_drafts_list_discard_and_undo(db: Database, cid: int) -> None:
    contact = await _client(db, cid)
    call = await db.run(lambda s: activities_repo.create(s, cid, ItemKind.CALL, contact_id=contact))
    assert await db.run(lambda s: draft_list.is_empty(s, ItemKind.CALL, call.id))  # untouched: not kept
    await db.run(lambda s: activities_repo.save(s, call.id, fields={"outcome": "Voicemail"}))
    assert not await db.run(lambda s: draft_list.is_empty(s, ItemKind.CALL, call.id))
    # The number is the call's: asked as a meeting, there is no such draft.
    assert await db.run(lambda s: draft_list.discard(s, ItemKind.MEETING, call.id)) is None

    [entry] = await db.run(lambda s: draft_list.unsent(s, cid))
    assert (entry.kind, entry.id, entry.title, entry.client_name) == (ItemKind.CALL, call.id,
                                                                      "Outbound call — Voicemail", "Ana Reyes")
    gone = await db.run(lambda s: draft_list.discard(s, ItemKind.CALL, call.id))
    assert gone is not None and await db.run(lambda s: draft_list.unsent(s, cid)) == []
    back = await db.run(lambda s: draft_list.restore(s, gone))
    restored = await db.run(lambda s: activities_repo.get(s, back))
    assert restored is not None and restored.uid == call.uid and restored.fields["outcome"] == "Voicemail"


async def test_store_activities_ride_the_outbox_and_are_not_edited_once_pushed(db: Database, cid: int) -> None:
    contact = await _client(db, cid)
    meeting = await db.run(lambda s: activities_repo.create(s, cid, ItemKind.MEETING, contact_id=contact))
    row = await db.run(lambda s: outbox_repo.enqueue(s, ItemKind.MEETING, meeting.id))
    assert (row.kind, row.operation) == (ItemKind.MEETING, "create")
    queued = await db.run(lambda s: activities_repo.get(s, meeting.id))
    assert queued is not None and queued.state == "queued"
    [entry] = await db.run(lambda s: outbox_views.entries(s, cid))
    assert (entry.title, entry.client_name) == ("Meeting", "Ana Reyes")

    await db.run(lambda s: outbox_repo.settle_pushed(s, row.id, remote_id="00U000000000001AAA",
                                                     remote_type="Event", pushed_hash="h", built_from=None))
    pushed = await db.run(lambda s: activities_repo.get(s, meeting.id))
    assert pushed is not None and (pushed.state, pushed.remote_id) == ("pushed", "00U000000000001AAA")
    assert await db.run(lambda s: outbox_repo.claimed_remote_ids(s, cid, ["00U000000000001AAA"])) == \
        {"00U000000000001AAA"}
    with pytest.raises(PushedActivityError):
        await db.run(lambda s: activities_repo.save(s, meeting.id, fields={"location": "Café"}))
    unchanged = await db.run(lambda s: activities_repo.save(s, meeting.id, fields={}))
    assert unchanged.fields == pushed.fields
