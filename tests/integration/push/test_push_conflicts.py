"""Records changed in Salesforce since our push are never overwritten silently; meeting notes tagged
Client live in their Event's Description without disturbing the rest of it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.store import events as events_repo
from app.store import notes as notes_repo
from app.store import outbox_views
from app.store import tasks as tasks_repo
from app.sync.push import actions as push_actions
from tests.integration.push.conftest import PushEnv


async def _pushed_task(env: PushEnv) -> tuple[int, str]:
    task = await env.task(subject="Review beneficiaries", status="Not Started", priority="Normal")
    await env.queue("task", task.id)
    await env.push()
    stored = await env.get_task(task.id)
    assert stored.remote_id
    return task.id, stored.remote_id


async def _edit_both_sides(env: PushEnv) -> tuple[int, int, str]:
    task_id, remote_id = await _pushed_task(env)
    env.org.update_record("Task", remote_id, {"Subject": "Review beneficiaries (assistant's wording)"})
    await env.db.run(lambda s: tasks_repo.save(s, task_id, subject="Review beneficiaries and TOD forms"))
    [row] = await env.queue("task", task_id)
    report = await env.push()
    assert report.conflicts == 1 and report.pushed == 0
    return task_id, row.id, remote_id


async def test_conflict_shows_both_versions_and_keep_mine_overwrites(env: PushEnv) -> None:
    task_id, outbox_id, remote_id = await _edit_both_sides(env)
    row = await env.outbox(outbox_id)
    assert row.state == "failed" and row.last_error_code == "CONFLICT"
    assert row.conflict["theirs"]["Subject"] == "Review beneficiaries (assistant's wording)"
    assert (await env.get_task(task_id)).state == "needs_attention"
    remote = next(t for t in env.live("Task") if t["Id"] == remote_id)
    assert remote["Subject"].endswith("(assistant's wording)")  # untouched until the advisor decides

    await push_actions.resolve_conflict(env.db, outbox_id, "keep_mine")
    report = await env.push()

    assert report.pushed == 1
    remote = next(t for t in env.live("Task") if t["Id"] == remote_id)
    assert remote["Subject"] == "Review beneficiaries and TOD forms"


async def test_take_theirs_copies_salesforce_into_the_draft_without_sending(env: PushEnv) -> None:
    task_id, outbox_id, remote_id = await _edit_both_sides(env)
    before = env.org.stats()["api_calls"]

    await push_actions.resolve_conflict(env.db, outbox_id, "take_theirs")

    stored = await env.get_task(task_id)
    assert stored.subject == "Review beneficiaries (assistant's wording)" and stored.state == "pushed"
    assert env.org.stats()["api_calls"] == before
    # A later edit is compared with their version, so it goes through without a new conflict.
    await env.db.run(lambda s: tasks_repo.save(s, task_id, priority="High"))
    await env.queue("task", task_id)
    assert (await env.push()).pushed == 1
    assert next(t for t in env.live("Task") if t["Id"] == remote_id)["Priority"] == "High"


async def test_save_mine_as_new_leaves_theirs_alone(env: PushEnv) -> None:
    _task_id, outbox_id, remote_id = await _edit_both_sides(env)

    await push_actions.resolve_conflict(env.db, outbox_id, "save_as_new")
    report = await env.push()

    assert report.pushed == 1
    subjects = sorted(t["Subject"] for t in env.live("Task") if t["Subject"].startswith("Review beneficiaries"))
    assert subjects == ["Review beneficiaries (assistant's wording)", "Review beneficiaries and TOD forms"]
    assert next(t for t in env.live("Task") if t["Id"] == remote_id)["Subject"].endswith("wording)")


async def test_content_note_edited_in_salesforce_is_a_conflict(env: PushEnv) -> None:
    note = await env.note(title="Estate plan", body_markdown="Trust review")
    await env.queue("note", note.id)
    await env.push()
    remote_id = (await env.get_note(note.id)).remote_id or ""
    theirs = base64.b64encode(b"<p>Trust review \xe2\x80\x94 assistant added notes</p>").decode()
    env.org.update_record("ContentNote", remote_id, {"Content": theirs})
    await env.db.run(lambda s: notes_repo.save(s, note.id, body_markdown="Trust review, **updated**"))
    [row] = await env.queue("note", note.id)

    report = await env.push()

    assert report.conflicts == 1
    conflict = (await env.outbox(row.id)).conflict
    assert "assistant added notes" in conflict["theirs"]["Body"]
    await push_actions.resolve_conflict(env.db, row.id, "take_theirs")
    stored = await env.get_note(note.id)
    assert "assistant added notes" in stored.body_markdown and stored.state == "pushed"


async def test_unchanged_remote_and_already_applied_updates_are_not_conflicts(env: PushEnv) -> None:
    task_id, remote_id = await _pushed_task(env)
    await env.db.run(lambda s: tasks_repo.save(s, task_id, subject="Review beneficiaries today"))
    [row] = await env.queue("task", task_id)
    env.org.update_record("Task", remote_id, {"Subject": "Review beneficiaries today"})  # same as ours

    report = await env.push()

    assert report.pushed == 1 and report.conflicts == 0
    assert (await env.outbox(row.id)).state == "pushed"


async def test_record_deleted_in_salesforce_offers_save_as_new(env: PushEnv) -> None:
    task_id, remote_id = await _pushed_task(env)
    env.org.delete_record(remote_id)
    await env.db.run(lambda s: tasks_repo.save(s, task_id, subject="Review beneficiaries again"))
    [row] = await env.queue("task", task_id)

    await env.push()

    failed = await env.outbox(row.id)
    assert failed.last_error_code == "ENTITY_IS_DELETED" and failed.conflict == {"deleted": True}
    with pytest.raises(ValueError, match="Save as new"):
        await push_actions.resolve_conflict(env.db, row.id, "keep_mine")
    await push_actions.resolve_conflict(env.db, row.id, "save_as_new")
    assert (await env.push()).pushed == 1
    assert [t["Subject"] for t in env.live("Task") if t["Subject"].startswith("Review beneficiaries")] == [
        "Review beneficiaries again"]


async def test_client_tagged_meeting_note_fills_our_section_of_the_event(env: PushEnv) -> None:
    person = env.person()
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    event_sf_id = env.org.create_record("Event", {
        "Subject": "Annual review", "StartDateTime": start.isoformat(), "DurationInMinutes": 60,
        "WhoId": person.sf_id, "Description": "Agenda: allocations, RMDs."})

    def store_event(session: Session) -> int:
        events_repo.upsert_many(session, env.connection_id, [{
            "sf_id": event_sf_id, "subject": "Annual review", "start_at": start, "who_id": person.sf_id}])
        return next(e[0] for e in notes_repo.event_choices(session, env.connection_id, person.sf_id))

    event_id = await env.db.run(store_event)
    note = await env.note(person, title="Annual review notes", body_markdown="- Raise bonds to 40%",
                          tags=["client"], event_id=event_id)
    assert note.tags == ("Client",) and note.is_client_meeting_note
    await env.queue("note", note.id)

    report = await env.push()

    assert report.pushed == 1
    description = next(e for e in env.live("Event") if e["Id"] == event_sf_id)["Description"]
    assert description.startswith("Agenda: allocations, RMDs.")
    assert "• Raise bonds to 40%" in description and f"[Notebridge note {note.uid}]" in description
    assert not [n for n in env.live("ContentNote") if n["Title"] == "Annual review notes"]

    env.org.update_record("Event", event_sf_id, {"Description": description + "\n\nFollow-up call booked."})
    await env.db.run(lambda s: notes_repo.save(s, note.id, body_markdown="- Raise bonds to 45%"))
    await env.queue("note", note.id)
    await env.push()

    description = next(e for e in env.live("Event") if e["Id"] == event_sf_id)["Description"]
    assert description.count("[Notebridge note") == 1 and "45%" in description and "40%" not in description
    assert description.startswith("Agenda: allocations, RMDs.") and "Follow-up call booked." in description
    stored = await env.get_note(note.id)
    assert stored.remote_type == "Event" and stored.remote_id == event_sf_id and stored.state == "pushed"
    rows = await env.db.run(lambda s: outbox_views.entries(s, env.connection_id))
    assert all(r.outbox.state == "pushed" for r in rows)
