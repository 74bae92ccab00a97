"""Every push setting takes effect in the engine, proven by pushing to the demo org: note type, title
templates, where activities appear, meeting summaries, kinds turned off (held, then released),
the API reserve, auto-push, new people before their notes — and the sync log the run leaves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.demo_org import DemoOrg
from app.store import Database, outbox_holds
from app.store import contacts as contacts_repo
from app.store import events as events_repo
from app.store import notes as notes_repo
from app.store import prospects as prospect_rows
from app.store import sync_log as log_rows
from app.store import tasks as tasks_repo
from app.store.prospects import NewPerson
from app.sync.push import prepare as prepare_push
from app.sync.push.engine import PushEngine, PushReport
from app.sync.push.loop import PushLoop
from app.sync.push.preferences import ProspectPreferences, PushPreferences, to_push_settings
from tests.integration.push.conftest import PushEnv, make_env


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[PushEnv]:
    with DemoOrg(contacts=12, seed=5) as org:
        db = await Database.open(tmp_path / "workspace.db")
        try:
            made = await make_env(org, db)
            async with made.client:
                yield made
        finally:
            await db.close()


async def push(env: PushEnv, prefs: PushPreferences | None = None,
               prospects: ProspectPreferences | None = None) -> PushReport:
    settings = to_push_settings(prefs or PushPreferences(), prospects=prospects)
    return await PushEngine(env.client, env.db, env.connection_id, settings).push()


def with_account(env: PushEnv) -> Any:
    return next(c for c in env.contacts if c.source_object == "Contact" and c.account_sf_id and not c.is_deleted)


async def test_note_type_and_title_templates_shape_what_is_sent(env: PushEnv) -> None:
    person = env.person()
    note = await env.note(person, title="Quarterly review")
    task = await env.task(person, subject="Send IRA form")
    await env.queue("note", note.id)
    await env.queue("task", task.id)
    prefs = PushPreferences(note_type="Note", note_title_template="{meeting_type}: {contact} — {title}",
                            task_title_template="{subject} ({contact})")
    report = await push(env, prefs)
    assert report.pushed == 2
    titles = [n["Title"] for n in env.live("Note")]
    assert f"Note: {person.name} — Quarterly review" in titles  # a classic Note, titled by the template
    assert not [n for n in env.live("ContentNote") if "Quarterly review" in n["Title"]]
    assert f"Send IRA form ({person.name})" in [t["Subject"] for t in env.live("Task")]
    stored = await env.get_note(note.id)
    assert stored.title == "Quarterly review" and stored.remote_type == "Note"  # the draft is unchanged

    # Edited and pushed again: an update of the same record, still titled by the template.
    await env.db.run(lambda s: notes_repo.save(s, note.id, title="Quarterly review (final)"))
    await env.queue("note", note.id)
    assert (await push(env, prefs)).pushed == 1
    assert [n["Title"] for n in env.live("Note") if n["Id"] == stored.remote_id] == [
        f"Note: {person.name} — Quarterly review (final)"]


async def test_activities_appear_on_the_contact_the_account_or_both(env: PushEnv) -> None:
    person = with_account(env)
    account = person.account_sf_id
    results: dict[str, tuple[str, str]] = {}
    for choice in ("contact", "account", "both"):
        note = await env.note(person, title=f"Note for {choice}")
        task = await env.task(person, subject=f"Task for {choice}")
        await env.queue("note", note.id)
        await env.queue("task", task.id)
        assert (await push(env, PushPreferences(attach_to=choice))).pushed == 2  # type: ignore[arg-type]
        stored_note, stored_task = await env.get_note(note.id), await env.get_task(task.id)
        results[choice] = (stored_note.remote_id or "", stored_task.remote_id or "")

    def links(doc: str) -> set[str]:
        return {str(link["LinkedEntityId"])[:15] for link in env.links_to(doc)}

    def task_record(task_id: str) -> dict[str, Any]:
        return next(t for t in env.live("Task") if t["Id"] == task_id)

    assert links(results["contact"][0]) == {person.sf_id[:15]}
    assert links(results["account"][0]) == {account[:15]}
    assert links(results["both"][0]) == {person.sf_id[:15], account[:15]}
    assert task_record(results["contact"][1]).get("WhatId") is None
    assert str(task_record(results["contact"][1])["WhoId"])[:15] == person.sf_id[:15]
    assert task_record(results["account"][1]).get("WhoId") is None
    assert str(task_record(results["account"][1])["WhatId"])[:15] == account[:15]
    both = task_record(results["both"][1])
    assert str(both["WhoId"])[:15] == person.sf_id[:15] and str(both["WhatId"])[:15] == account[:15]


async def test_meeting_summaries_off_sends_client_meeting_notes_as_ordinary_notes(env: PushEnv) -> None:
    person = env.person()
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    event_sf_id = env.org.create_record("Event", {
        "Subject": "Annual review", "StartDateTime": start.isoformat(), "DurationInMinutes": 60,
        "WhoId": person.sf_id, "Description": "Agenda: allocations."})

    def store_event(session: Session) -> int:
        events_repo.upsert_many(session, env.connection_id, [{
            "sf_id": event_sf_id, "subject": "Annual review", "start_at": start, "who_id": person.sf_id}])
        return next(e[0] for e in notes_repo.event_choices(session, env.connection_id, person.sf_id))

    event_id = await env.db.run(store_event)
    note = await env.note(person, title="Meeting notes", tags=["client"], event_id=event_id)
    await env.queue("note", note.id)
    prefs = PushPreferences(meeting_summaries=False, note_title_template="{meeting} — {title}")
    assert (await push(env, prefs)).pushed == 1
    event = next(e for e in env.live("Event") if e["Id"] == event_sf_id)
    assert event["Description"] == "Agenda: allocations."  # untouched
    assert "Annual review — Meeting notes" in [n["Title"] for n in env.live("ContentNote")]
    assert (await env.get_note(note.id)).remote_type == "ContentNote"

    other = await env.note(person, title="Second meeting note", tags=["client"], event_id=event_id)
    await env.queue("note", other.id)
    assert (await push(env, PushPreferences())).pushed == 1  # summaries on (the default)
    description = next(e for e in env.live("Event") if e["Id"] == event_sf_id)["Description"]
    assert f"[Notebridge note {other.uid}]" in description


async def test_kinds_turned_off_wait_in_the_outbox_and_go_when_turned_on(env: PushEnv) -> None:
    note = await env.note()
    task = await env.task()
    note_row, = await env.queue("note", note.id)
    task_row, = await env.queue("task", task.id)
    tasks_before = len(env.live("Task"))
    report = await push(env, PushPreferences(push_tasks=False))
    assert report.pushed == 1 and report.waiting == 1
    held = await env.outbox(task_row.id)
    assert held.state == "waiting" and held.last_error_code == prepare_push.HELD_CODE
    assert "turned off" in (held.last_error_message or "") and held.next_try_at is not None
    assert len(env.live("Task")) == tasks_before
    assert (await env.outbox(note_row.id)).state == "pushed"
    assert (await push(env, PushPreferences(push_tasks=False))).status == "nothing"  # not looked at again

    released = await env.db.run(lambda s: outbox_holds.release(s, env.connection_id, prepare_push.HELD_CODE))
    assert released == 1
    assert (await push(env, PushPreferences())).pushed == 1
    assert len(env.live("Task")) == tasks_before + 1


async def test_the_api_reserve_decides_when_the_push_pauses(env: PushEnv) -> None:
    env.org.set_api_usage(70_000)  # of 100,000
    await env.client.limits()      # the client now knows today's usage
    note = await env.note()
    row, = await env.queue("note", note.id)
    report = await push(env, PushPreferences(api_reserve_percent=40))
    assert report.status == "budget" and "40%" in report.reason and report.pushed == 0
    assert (await env.outbox(row.id)).state == "waiting"
    # Lowering the reserve in Settings releases what the reserve held back (the page does this).
    assert await env.db.run(lambda s: outbox_holds.release(s, env.connection_id, "API_BUDGET")) == 1
    report = await push(env, PushPreferences(api_reserve_percent=10))
    assert report.status == "done" and report.pushed == 1


async def test_auto_push_sends_idle_drafts_of_the_kinds_turned_on(env: PushEnv) -> None:
    note = await env.note()
    task = await env.task()
    prefs = PushPreferences(auto_push=True, auto_push_delay_minutes=1, push_tasks=False)
    reports: list[PushReport] = []

    async def client() -> Any:
        return env.client

    loop = PushLoop(env.db, env.connection_id, client, to_push_settings(prefs), auto_push_idle=0.05,
                    on_report=reports.append)
    loop.start()
    try:
        for _ in range(400):
            if (await env.get_note(note.id)).state == "pushed":
                break
            await asyncio.sleep(0.02)
    finally:
        await loop.aclose()
    assert (await env.get_note(note.id)).state == "pushed"
    assert (await env.get_task(task.id)).state == "draft"  # tasks are off: not queued by themselves
    assert prefs.auto_push_idle_seconds == 60.0


async def test_a_new_person_goes_first_and_their_note_follows_in_the_same_run(env: PushEnv) -> None:
    def add(session: Session) -> int:
        contact_id = prospect_rows.create(session, env.connection_id,
                                          NewPerson("Nia", "Okafor", "nia@example.com", "", "Okafor Family"), "Contact")
        prospect_rows.enqueue(session, contact_id)
        return contact_id

    contact_id = await env.db.run(add)
    note = await env.db.run(lambda s: notes_repo.create(s, env.connection_id, contact_id=contact_id,
                                                        title="First meeting", body_markdown="Met at the seminar."))
    task = await env.db.run(lambda s: tasks_repo.create(s, env.connection_id, contact_id=contact_id,
                                                        subject="Send welcome pack"))
    await env.queue("note", note.id)
    await env.queue("task", task.id)
    report = await push(env, prospects=ProspectPreferences("Lead", "Seminar"))
    assert report.pushed == 3 and report.waiting == 0
    lead = next(r for r in env.live("Lead") if r.get("Email") == "nia@example.com")
    assert lead["Company"] == "Okafor Family" and lead["LeadSource"] == "Seminar"
    stored = await env.get_note(note.id)
    assert stored.parent_sf_id == lead["Id"] and stored.state == "pushed"
    assert {str(x["LinkedEntityId"])[:15] for x in env.links_to(stored.remote_id or "")} == {lead["Id"][:15]}
    task_id = (await env.get_task(task.id)).remote_id
    pushed_task = next(t for t in env.live("Task") if t["Id"] == task_id)
    assert str(pushed_task["WhoId"])[:15] == lead["Id"][:15]
    person = await env.db.run(lambda s: contacts_repo.get(s, env.connection_id, contact_id))
    assert person is not None and person.sf_id == lead["Id"] and person.source_object == "Lead"


async def test_a_note_about_a_person_salesforce_refused_waits_for_them(env: PushEnv) -> None:
    env.org.enable_validation_rule("Contact", "LastName", "Ask the office before adding clients")

    def add(session: Session) -> int:
        contact_id = prospect_rows.create(session, env.connection_id,
                                          NewPerson("Raj", "Patel", "", "", "Patel Household"), "Contact")
        prospect_rows.enqueue(session, contact_id)
        return contact_id

    contact_id = await env.db.run(add)
    note = await env.db.run(lambda s: notes_repo.create(s, env.connection_id, contact_id=contact_id,
                                                        title="Intro", body_markdown="Hello"))
    row, = await env.queue("note", note.id)
    report = await push(env)
    assert report.needs_attention == 1 and report.waiting == 1 and report.pushed == 0
    waiting = await env.outbox(row.id)
    assert waiting.last_error_code == prepare_push.WAITING_FOR_PERSON and waiting.state == "waiting"

    env.org.clear_validation_rules()
    await env.db.run(lambda s: prospect_rows.enqueue(s, contact_id))
    report = await push(env)  # the person is created and the held note released and sent in one run
    assert report.pushed == 2
    assert (await env.get_note(note.id)).state == "pushed"


async def test_every_push_leaves_rows_in_the_sync_log(env: PushEnv) -> None:
    env.org.enable_validation_rule("Task", "Subject", "Subjects must start with a verb")
    note = await env.note(title="Logged note")
    task = await env.task(subject="Logged task")
    await env.queue("note", note.id)
    await env.queue("task", task.id)
    report = await push(env)
    rows = await env.db.run(lambda s: log_rows.entries(s, env.connection_id, direction="push"))
    by_item = {(r.item_kind, r.item_id): r for r in rows if r.item_kind}
    sent = by_item[("note", note.id)]
    assert sent.outcome == "pushed" and sent.object == "ContentNote"
    assert sent.record_id == (await env.get_note(note.id)).remote_id
    refused = by_item[("task", task.id)]
    assert refused.outcome == "needs_attention" and refused.error_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert "verb" in (refused.error_message or "")
    run = next(r for r in rows if r.item_kind is None)
    assert run.outcome == "done" and run.api_calls == report.api_calls > 0
    assert run.counts == {"pushed": 1, "needs_attention": 1}
    assert (await push(env)).status == "nothing"
    assert len(await env.db.run(lambda s: log_rows.entries(s, env.connection_id, direction="push"))) == len(rows)
