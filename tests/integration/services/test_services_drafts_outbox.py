"""'Save draft', 'queue for push' and the outbox's decisions, on a real workspace pulled from the demo org."""

from __future__ import annotations

import pytest

from app.services.drafts import NOTE_TITLE_MAX, Drafts, NoteDraft, TaskDraft, explain_write_failure
from app.services.events import Events, ItemStateChanged
from app.services.outbox import Outbox
from app.store import DatabaseClosedError
from tests.integration.services.conftest import Env
from tests.integration.settings.settings_env import first_contacts


async def test_services_save_draft_then_queue_for_push(env: Env) -> None:
    events = Events()
    seen: list[ItemStateChanged] = []
    events.subscribe(ItemStateChanged, seen.append)
    drafts = Drafts(env.db, events)
    person = (await first_contacts(env.db, env.cid, 1))[0]
    assert person.id is not None

    note = await drafts.new_note(env.cid, person.id)
    assert isinstance(note, NoteDraft) and note.state == "draft"
    saved = await drafts.save("note", note.id, {"title": "Annual review", "body_markdown": "Went **well**."})
    assert saved.title == "Annual review" and (await drafts.get("note", note.id)) == saved

    result = await drafts.queue_for_push("note", [note.id])
    assert [row.item_id for row in result.queued] == [note.id] and result.refused == {}
    assert (await drafts.get("note", note.id)).state == "queued"  # type: ignore[union-attr]
    assert seen == [ItemStateChanged(env.cid, "note", note.id, "draft"),
                    ItemStateChanged(env.cid, "note", note.id, "queued")]


async def test_services_queue_for_push_refuses_a_draft_over_the_limit_and_keeps_it_whole(env: Env) -> None:
    events = Events()
    seen: list[ItemStateChanged] = []
    drafts = Drafts(env.db, events)
    person = (await first_contacts(env.db, env.cid, 1))[0]
    assert person.id is not None
    note = await drafts.new_note(env.cid, person.id)
    events.subscribe(ItemStateChanged, seen.append)
    long_title = "x" * (NOTE_TITLE_MAX + 1)
    await drafts.save("note", note.id, {"title": long_title, "body_markdown": "body"})

    result = await drafts.queue_for_push("note", [note.id])
    assert result.queued == [] and [p.field for p in result.refused[note.id]] == ["title"]
    kept = await drafts.get("note", note.id)
    assert kept is not None and kept.state == "draft" and kept.title == long_title  # nothing cut off
    assert seen == []


async def test_services_new_task_and_task_from_an_action_item(env: Env) -> None:
    drafts = Drafts(env.db)
    person = (await first_contacts(env.db, env.cid, 1))[0]
    assert person.id is not None
    task = await drafts.new_task(env.cid, person.id)
    assert isinstance(task, TaskDraft) and task.who_id == person.sf_id
    context = await drafts.task_context(task.id)
    assert context.task == task

    note = await drafts.new_note(env.cid, person.id)
    follow_up = await drafts.task_from_action_item(env.cid, note.id, "Send the IRA form")
    assert follow_up.subject == "Send the IRA form" and follow_up.note_id == note.id
    with pytest.raises(LookupError):
        await drafts.note_context(10_000_000)
    with pytest.raises(ValueError, match="kind"):
        await drafts.get("person", note.id)  # not a kind with drafts


async def test_services_outbox_push_all_queues_ready_drafts_and_lists_them(env: Env) -> None:
    events = Events()
    seen: list[ItemStateChanged] = []
    events.subscribe(ItemStateChanged, seen.append)
    drafts, outbox = Drafts(env.db), Outbox(env.db, events)
    person = (await first_contacts(env.db, env.cid, 1))[0]
    assert person.id is not None
    ready = await drafts.new_note(env.cid, person.id)
    await drafts.save("note", ready.id, {"title": "Ready", "body_markdown": "to go"})
    untitled = await drafts.new_note(env.cid, person.id)  # no title: not ready, stays a draft

    result = await outbox.push_all(env.cid)
    assert ready.id in [row.item_id for row in result.queued] and untitled.id in result.refused
    view = await outbox.view(env.cid)
    assert [e.outbox.item_id for e in view.entries if e.outbox.kind == "note"] == [ready.id]
    assert view.counts.queued >= 1
    assert {e.kind for e in seen} == {"note", "task", "call", "meeting", "email", "opportunity"}  # every draft kind
    assert await outbox.my_version("note", ready.id) == {"Title": "Ready", "Body": "to go"}
    with pytest.raises(ValueError, match="no conflict"):
        await outbox.resolve_conflict(env.cid, view.entries[0].outbox.id, "keep_mine")


async def test_services_a_failed_save_is_explained_in_plain_words(env: Env) -> None:
    drafts = Drafts(env.db)
    person = (await first_contacts(env.db, env.cid, 1))[0]
    assert person.id is not None
    note = await drafts.new_note(env.cid, person.id)
    await env.manager.aclose()
    await env.db.close()
    with pytest.raises(DatabaseClosedError) as caught:
        await drafts.save("note", note.id, {"title": "Too late"})
    failure = explain_write_failure(caught.value)
    assert failure.cause and failure.fix and "DatabaseClosedError" not in failure.cause
