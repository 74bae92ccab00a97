"""Pushing notes and tasks: the records Salesforce ends up with, and how many API calls it took."""

from __future__ import annotations

import base64
from datetime import date

from app.store import outbox_views
from app.sync.push.markdown_html import markdown_to_html
from tests.integration.push.conftest import PushEnv


async def test_200_tasks_take_one_api_call_and_land_once_each(env: PushEnv) -> None:
    people = [c for c in env.contacts if c.source_object == "Contact"]
    ids = []
    for n in range(200):
        task = await env.task(people[n % len(people)], subject=f"Follow up #{n}", due_date=date(2026, 12, 1),
                              status="Not Started", priority="Normal")
        ids.append(task.id)
    await env.queue("task", *ids)
    before = env.org.stats()["api_calls"]

    report = await env.push()

    assert report.status == "done" and report.pushed == 200
    assert env.org.stats()["api_calls"] - before == 1
    subjects = sorted(t["Subject"] for t in env.live("Task") if t["Subject"].startswith("Follow up #"))
    assert subjects == sorted(f"Follow up #{n}" for n in range(200))
    first = await env.get_task(ids[0])
    assert first.state == "pushed" and first.remote_id
    remote = next(t for t in env.live("Task") if t["Id"] == first.remote_id)
    assert remote["WhoId"] == people[0].sf_id and remote["WhatId"] == people[0].account_sf_id
    assert remote["ActivityDate"] == "2026-12-01" and remote["OwnerId"] == env.org.user_id


async def test_200_content_notes_take_two_calls_with_links_to_each_client(env: PushEnv) -> None:
    people = [c for c in env.contacts if c.source_object == "Contact"]
    ids = [(await env.note(people[n % len(people)], title=f"Review {n}")).id for n in range(200)]
    await env.queue("note", *ids)
    before = env.org.stats()["api_calls"]

    report = await env.push()

    assert report.pushed == 200
    assert env.org.stats()["api_calls"] - before == 2  # ≤ 4 required: one for notes, one for links
    notes = {n["Title"]: n for n in env.live("ContentNote") if n["Title"].startswith("Review ")}
    assert len(notes) == 200
    for n in (0, 57, 199):
        note = await env.get_note(ids[n])
        assert note.state == "pushed" and note.remote_type == "ContentNote"
        assert [link["LinkedEntityId"] for link in env.links_to(note.remote_id or "")] == [
            people[n % len(people)].sf_id]


async def test_a_few_notes_go_in_one_composite_call_and_user_text_is_escaped(env: PushEnv) -> None:
    body = "Client said <script>alert(1)</script> & asked about **Roth** conversion"
    note = await env.note(title="Kitchen-table meeting", body_markdown=body)
    other = await env.note(env.person(n=1), title="Second")
    await env.queue("note", note.id, other.id)
    before = env.org.stats()["api_calls"]

    report = await env.push()

    assert report.pushed == 2 and env.org.stats()["api_calls"] - before == 1
    pushed = await env.get_note(note.id)
    record = next(n for n in env.live("ContentNote") if n["Id"] == pushed.remote_id)
    html = base64.b64decode(record["Content"]).decode()
    assert html == markdown_to_html(body)
    assert "&lt;script&gt;" in html and "<script>" not in html and "<b>Roth</b>" in html
    assert len(env.links_to(record["Id"])) == 1


async def test_classic_note_when_the_connection_prefers_it(env: PushEnv) -> None:
    note = await env.note(title="Plain note", body_markdown="# Summary\n\n- one\n- two")
    await env.queue("note", note.id)

    report = await env.push(note_type="Note")

    assert report.pushed == 1
    pushed = await env.get_note(note.id)
    assert pushed.remote_type == "Note"
    record = next(n for n in env.live("Note") if n["Id"] == pushed.remote_id)
    assert record["ParentId"] == env.person().sf_id and record["Title"] == "Plain note"
    assert record["Body"] == "Summary\n\n• one\n• two"


async def test_an_edit_after_push_updates_the_same_record(env: PushEnv) -> None:
    note = await env.note()
    task = await env.task(status="Not Started", priority="High")
    await env.queue("note", note.id)
    await env.queue("task", task.id)
    await env.push()
    first_note, first_task = await env.get_note(note.id), await env.get_task(task.id)

    from app.store import notes as notes_repo
    from app.store import tasks as tasks_repo

    edited = await env.db.run(lambda s: notes_repo.save(s, note.id, body_markdown="Changed *after* the push"))
    assert edited.state == "draft" and edited.remote_id == first_note.remote_id
    await env.db.run(lambda s: tasks_repo.save(s, task.id, subject="Send the form today"))
    await env.queue("note", note.id)
    await env.queue("task", task.id)
    report = await env.push()

    assert report.pushed == 2 and report.conflicts == 0
    notes = [n for n in env.live("ContentNote") if n["Title"] == "Quarterly review"]
    assert [n["Id"] for n in notes] == [first_note.remote_id]
    assert "after" in base64.b64decode(notes[0]["Content"]).decode()
    tasks = [t for t in env.live("Task") if t["Id"] == first_task.remote_id]
    assert tasks[0]["Subject"] == "Send the form today"
    # The edit updated that record: no second one under the old subject or the new (the demo org seeds
    # tasks of its own whose subjects also start with "Send").
    ours = ("Send IRA transfer form", "Send the form today")
    assert len([t for t in env.live("Task") if t["Subject"] in ours]) == 1
    assert (await env.get_note(note.id)).state == "pushed"


async def test_one_bad_record_does_not_block_the_others(env: PushEnv) -> None:
    good = [await env.task(subject=f"Good {n}", status="Not Started", priority="Normal") for n in range(3)]
    bad = await env.task(subject="Bad picklist", status="Not a real status", priority="Normal")
    await env.queue("task", *(t.id for t in good), bad.id)

    report = await env.push()

    assert report.pushed == 3 and report.needs_attention == 1
    rows = await env.db.run(lambda s: outbox_views.entries(s, env.connection_id))
    failed = [e for e in rows if e.outbox.state == "failed"]
    assert len(failed) == 1 and failed[0].outbox.last_error_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert "Not a real status" in (failed[0].outbox.last_error_message or "")
    assert (await env.get_task(bad.id)).state == "needs_attention"


async def test_task_for_a_lead_never_carries_a_what_id(env: PushEnv) -> None:
    lead = env.person("Lead")
    task = await env.task(lead, subject="Call the lead", status="Not Started", priority="Normal")
    assert task.who_id == lead.sf_id and task.what_id is None
    from app.store import tasks as tasks_repo

    saved = await env.db.run(lambda s: tasks_repo.save(s, task.id, what_id=env.person().account_sf_id))
    assert saved.what_id is None
    await env.queue("task", task.id)

    report = await env.push()

    assert report.pushed == 1
    remote = next(t for t in env.live("Task") if t["Subject"] == "Call the lead")
    assert remote["WhoId"] == lead.sf_id and remote["WhatId"] is None
