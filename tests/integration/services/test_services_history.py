"""'Show the client's timeline' and 'bring it up to date' against the demo org (real HTTP, real
workspace): a pushed note appears once, the timeline is there offline with its "as of", and the
whole note is plain text."""

from __future__ import annotations

import asyncio

from app.services.drafts import Drafts
from app.services.events import Events, PushFinished
from app.services.history import ClientHistory, EntryKind, RefreshOutcome
from app.services.outbox_sync import OutboxSync
from tests.integration.services.conftest import Env
from tests.integration.settings.settings_env import first_contacts


async def _push_note(env: Env, contact_id: int, title: str) -> str:
    events = Events()
    reports: list[PushFinished] = []
    events.subscribe(PushFinished, reports.append)
    drafts = Drafts(env.db, events)
    note = await drafts.new_note(env.cid, contact_id)
    await drafts.save("note", note.id, {"title": title, "body_markdown": "Discussed the **RMD** schedule."})
    push = await OutboxSync.for_connection(env.db, env.cid, env.manager.client, events)
    try:
        push.start()
        assert (await drafts.queue_for_push("note", [note.id])).queued
        async with asyncio.timeout(60):  # does not hang; no speed is asserted
            while not any(r.report.pushed for r in reports):
                await asyncio.sleep(0.05)
    finally:
        await push.aclose()
    sent = await drafts.get("note", note.id)
    assert sent is not None and sent.remote_id
    return sent.remote_id


async def test_services_history_pushed_note_appears_once(env: Env) -> None:
    person = (await first_contacts(env.db, env.cid, 1))[0]
    assert person.id is not None
    history = ClientHistory(env.db, env.manager.client)
    remote_id = await _push_note(env, person.id, "Annual review with history")
    before = await history.timeline(env.cid, person.id)
    assert before is not None
    local = [e for e in before.past if e.title == "Annual review with history"]
    assert [e.kind for e in local] == [EntryKind.LOCAL_NOTE]  # not pulled yet: the local item, "Pushed"
    assert local[0].status == "Pushed"

    assert await history.refresh(env.cid, person.id) is RefreshOutcome.REFRESHED
    after = await history.timeline(env.cid, person.id)
    assert after is not None and after.as_of is not None
    same = [e for e in after.past if e.title == "Annual review with history"]
    assert len(same) == 1, same  # once: the Salesforce record, linked to the local note
    assert same[0].kind is EntryKind.NOTE and same[0].sf_id == remote_id
    assert same[0].from_notebridge and same[0].local_id == local[0].local_id
    assert same[0].history_id is not None
    text = await history.note_text(env.cid, same[0].history_id)
    assert text is not None and text.text and "RMD" in text.text and "<" not in text.text


async def test_services_history_timeline_offline_after_a_refresh(env: Env) -> None:
    people = await first_contacts(env.db, env.cid, 15)
    online = ClientHistory(env.db, env.manager.client)
    for person in people:
        assert person.id is not None
        assert await online.refresh(env.cid, person.id) is RefreshOutcome.REFRESHED
    assert await online.clients_with_history(env.cid) == len(people)
    await env.manager.disconnect()  # the plane: no Salesforce at all
    offline = ClientHistory(env.db, env.manager.client)
    shown = 0
    for person in people:
        assert person.id is not None
        assert await offline.refresh(env.cid, person.id) is RefreshOutcome.OFFLINE
        timeline = await offline.timeline(env.cid, person.id)
        assert timeline is not None and timeline.as_of is not None
        shown += len(timeline.past) + len(timeline.upcoming) + len(timeline.open_tasks)
        for task in timeline.open_tasks:
            assert task.is_open and task.kind is EntryKind.TASK
    assert shown > 0  # the seeded org gives these clients tasks, meetings and notes


async def test_services_history_search_finds_note_words_and_task_subjects(env: Env) -> None:
    people = await first_contacts(env.db, env.cid, 15)
    history = ClientHistory(env.db, env.manager.client)
    for person in people:
        assert person.id is not None
        await history.refresh(env.cid, person.id)
    timeline = None
    for person in people:
        assert person.id is not None
        timeline = await history.timeline(env.cid, person.id)
        assert timeline is not None
        notes = [e for e in timeline.past if e.kind is EntryKind.NOTE and e.preview]
        if notes:
            break
    assert timeline is not None and notes, "the seeded org gives one of these clients a note"
    word = max(notes[0].preview.split(), key=len).strip(".,;:")
    hits = await history.search(env.cid, word.upper())  # case does not matter
    assert any(h.history_id == notes[0].history_id and h.contact_id == person.id for h in hits)
    assert await history.search(env.cid, "zzqx-no-such-words") == []
    assert await history.search(env.cid, "%_%") == []  # wildcards are characters, not "everything"
