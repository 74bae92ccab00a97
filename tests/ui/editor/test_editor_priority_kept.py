"""A re-send sends exactly what the advisor sees; fields they did not change keep Salesforce's value.

The reported defect: a task was sent with Priority Normal (the org's default, filled in by the push
because the workspace had no picklists yet), its subject was edited and it was sent again — the
reopened editor showed **High** (the first item of the picklist standing in for "no value") and the
re-send wrote High to Salesforce.  These tests walk that path through the real editor widgets against
the demo org over HTTP, with a real workspace file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QDate
from PySide6.QtTest import QTest
from sqlalchemy import select, update

from app.demo_org import DemoOrg
from app.store import Database
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.store import users as users_repo
from app.store.models import Event, Task
from app.store.tasks import TaskPicklists
from app.sync.push import actions as push_actions
from app.ui.editor.note_editor import NoteEditor
from app.ui.editor.task_editor import TaskEditor
from app.ui.editor.window import EditorLauncher, EditorWindow
from app.ui.widgets.stored_choice import AS_IN_SALESFORCE
from tests.integration.push.conftest import PushEnv, make_env
from tests.ui.editor.conftest import Workspace


@pytest.fixture
async def org_env(tmp_path: Path) -> AsyncIterator[PushEnv]:
    """A demo org and a workspace for it: its people and its users (so "Assigned to" lists several
    names, sorted — the advisor is not the first), and no cached picklists, as after a fresh sign-in."""
    with DemoOrg(contacts=12, seed=5) as org:
        db = await Database.open(tmp_path / "workspace.db")
        try:
            env = await make_env(org, db)
            rows = [{"sf_id": u["Id"], "name": u["Name"], "email": u.get("Email"), "is_active": True}
                    for u in org.records("User")]
            await db.run(lambda s: users_repo.upsert_many(s, env.connection_id, rows))
            async with env.client:
                yield env
        finally:
            await db.close()


def _remote(env: PushEnv, remote_id: str) -> dict[str, Any]:
    return next(r for r in env.live("Task") if r["Id"][:15] == remote_id[:15])


async def _send(env: PushEnv, window: EditorWindow) -> tasks_repo.TaskDraft:
    """Push from the editor (saves, queues), close it, and let the push engine send the outbox."""
    editor = window.editor
    assert isinstance(editor, TaskEditor)
    assert await editor.push() is True
    window.close()
    report = await env.push()
    assert report.pushed == 1, report
    task = await env.get_task(editor.task.id)
    assert task.state == "pushed" and task.remote_id
    return task


async def _reopen_and_edit_subject(env: PushEnv, task_id: int, extra: str) -> EditorWindow:
    launcher = EditorLauncher(env.db, env.connection_id)
    window = await launcher.open_task(task_id)
    editor = window.editor
    assert isinstance(editor, TaskEditor)
    editor.subject.setFocus()
    editor.subject.end(False)
    QTest.keyClicks(editor.subject, extra)
    await editor.autosave.flush()
    return window


def _shown(editor: TaskEditor) -> dict[str, Any]:
    return {"status": editor.status.currentText(), "priority": editor.priority.currentText(),
            "owner": editor.owner.currentData()}


async def test_priority_kept_when_only_the_subject_changes_on_resend(org_env: PushEnv) -> None:
    """The reported path: first task in a fresh workspace (no picklists cached yet)."""
    env = org_env
    launcher = EditorLauncher(env.db, env.connection_id)
    window = await launcher.open_task_editor(env.person().id)
    editor = window.editor
    assert isinstance(editor, TaskEditor)
    QTest.keyClicks(editor.subject, "Send IRA transfer form")
    task = await _send(env, window)
    first = _remote(env, task.remote_id or "")
    assert (first["Priority"], first["Status"], first["OwnerId"]) == ("Normal", "Not Started", env.org.user_id)
    # What Salesforce was given is what the workspace now holds.
    assert (task.priority, task.status, task.owner_id) == ("Normal", "Not Started", env.org.user_id)

    window = await _reopen_and_edit_subject(env, task.id, " today")
    editor = window.editor
    assert isinstance(editor, TaskEditor)
    assert _shown(editor) == {"status": "Not Started", "priority": "Normal", "owner": env.org.user_id}
    task = await _send(env, window)
    second = _remote(env, task.remote_id or "")
    assert second["Subject"] == "Send IRA transfer form today"
    assert (second["Priority"], second["Status"], second["OwnerId"]) == ("Normal", "Not Started", env.org.user_id)
    assert second["ActivityDate"] is None and second["Description"] is None
    assert second["WhoId"][:15] == (env.person().sf_id or "")[:15]

    window = await EditorLauncher(env.db, env.connection_id).open_task(task.id)
    assert isinstance(window.editor, TaskEditor)
    assert _shown(window.editor) == {"status": "Not Started", "priority": "Normal", "owner": env.org.user_id}
    window.close()


async def test_priority_kept_every_field_round_trips_through_two_sends(org_env: PushEnv) -> None:
    """Every field set in the editor, sent, then only the subject edited: the rest is unchanged."""
    env = org_env
    env.org.update_record("TaskPriority", _priority_row(env, "High")["Id"], {"IsDefault": True})
    env.org.update_record("TaskPriority", _priority_row(env, "Normal")["Id"], {"IsDefault": False})
    await _cache_picklists(env)
    launcher = EditorLauncher(env.db, env.connection_id)
    window = await launcher.open_task_editor(env.person().id)
    editor = window.editor
    assert isinstance(editor, TaskEditor)
    assert editor.priority.currentText() == "High"  # a new task starts from the org's default …
    editor.priority.setCurrentIndex(editor.priority.findData("Low"))  # … the advisor picks Low
    editor.status.setCurrentIndex(editor.status.findData("Waiting on someone else"))
    colleague = next(u["Id"] for u in env.org.records("User") if u["Name"] == "Rick Swanson")
    editor.owner.setCurrentIndex(editor.owner.findData(colleague))
    editor.has_due.setChecked(True)
    editor.due.setDate(QDate(2026, 12, 15))
    QTest.keyClicks(editor.subject, "Rebalance")
    editor.description.setPlainText("Before year end")
    task = await _send(env, window)
    want = {"Priority": "Low", "Status": "Waiting on someone else", "OwnerId": colleague,
            "ActivityDate": "2026-12-15", "Description": "Before year end"}
    assert {k: _remote(env, task.remote_id or "")[k] for k in want} == want

    window = await _reopen_and_edit_subject(env, task.id, " the IRA")
    editor = window.editor
    assert isinstance(editor, TaskEditor)
    assert _shown(editor) == {"status": "Waiting on someone else", "priority": "Low", "owner": colleague}
    assert editor.has_due.isChecked() and editor.due.date() == QDate(2026, 12, 15)
    task = await _send(env, window)
    remote = _remote(env, task.remote_id or "")
    assert remote["Subject"] == "Rebalance the IRA"
    assert {k: remote[k] for k in want} == want
    assert (task.priority, task.status, task.owner_id, task.due_date) == (
        "Low", "Waiting on someone else", colleague, date(2026, 12, 15))


async def test_priority_kept_normal_when_the_org_default_is_high(org_env: PushEnv) -> None:
    """Stored Normal, org default changed to High afterwards: the editor and the re-send say Normal."""
    env = org_env
    await _cache_picklists(env)  # default Normal
    launcher = EditorLauncher(env.db, env.connection_id)
    window = await launcher.open_task_editor(env.person().id)
    assert isinstance(window.editor, TaskEditor) and window.editor.priority.currentText() == "Normal"
    QTest.keyClicks(window.editor.subject, "Call about the rollover")
    task = await _send(env, window)

    env.org.update_record("TaskPriority", _priority_row(env, "High")["Id"], {"IsDefault": True})
    env.org.update_record("TaskPriority", _priority_row(env, "Normal")["Id"], {"IsDefault": False})
    lists = await _cache_picklists(env)
    assert lists.default_priority == "High"

    window = await _reopen_and_edit_subject(env, task.id, " back")
    assert isinstance(window.editor, TaskEditor)
    assert window.editor.priority.currentText() == "Normal"
    task = await _send(env, window)
    assert _remote(env, task.remote_id or "")["Priority"] == "Normal"
    assert task.priority == "Normal"


async def test_priority_kept_value_the_picklist_no_longer_lists(org_env: PushEnv) -> None:
    """Salesforce holds a value the cached picklist does not list (since deactivated, or not yet
    refreshed): the editor shows that value, not the first item, and the re-send keeps it."""
    env = org_env
    await _cache_picklists(env)
    launcher = EditorLauncher(env.db, env.connection_id)
    window = await launcher.open_task_editor(env.person().id)
    assert isinstance(window.editor, TaskEditor)
    QTest.keyClicks(window.editor.subject, "Review beneficiaries")
    task = await _send(env, window)
    env.org.update_record("Task", task.remote_id or "", {"Status": "Deferred"})  # a colleague, in Salesforce

    window = await _reopen_and_edit_subject(env, task.id, " now")
    assert isinstance(window.editor, TaskEditor)
    assert await window.editor.push() is True
    window.close()
    report = await env.push()
    assert report.conflicts == 1, report
    row = await env.db.run(lambda s: outbox_repo.active_for(s, "task", task.id))
    assert row is not None
    await push_actions.resolve_conflict(env.db, row.id, "take_theirs")
    lists = await env.db.run(lambda s: tasks_repo.picklists(s, env.connection_id))
    await env.db.run(lambda s: tasks_repo.save_picklists(s, env.connection_id, TaskPicklists(
        tuple(v for v in lists.statuses if v != "Deferred"), lists.priorities, lists.default_status,
        lists.default_priority, lists.closed_statuses)))

    window = await _reopen_and_edit_subject(env, task.id, " again")
    assert isinstance(window.editor, TaskEditor)
    assert _shown(window.editor) == {"status": "Deferred", "priority": "Normal", "owner": env.org.user_id}
    task = await _send(env, window)
    remote = _remote(env, task.remote_id or "")
    assert (remote["Subject"], remote["Status"], remote["Priority"]) == (
        "Review beneficiaries again", "Deferred", "Normal")


async def test_priority_kept_for_a_pushed_task_that_stored_no_value(org_env: PushEnv) -> None:
    """A task pushed before the workspace recorded the org's defaults (Status/Priority/assignee unset
    on disk), the org's default since changed to High: the editor says the value is Salesforce's, and
    the re-send leaves Salesforce's Normal, Not Started and assignee alone — then the draft holds them."""
    env = org_env
    task = await env.task(subject="Send IRA transfer form")  # no picklists cached: nothing stored
    assert (task.status, task.priority, task.owner_id) == (None, None, None)
    await env.queue("task", task.id)
    assert (await env.push()).pushed == 1
    task = await env.get_task(task.id)
    assert task.remote_id

    def as_stored_by_an_older_version(session: Any) -> None:
        session.execute(update(Task.__table__).where(Task.__table__.c.id == task.id).values(  # type: ignore[attr-defined]
            status=None, priority=None, owner_id=None))

    await env.db.run(as_stored_by_an_older_version)
    env.org.update_record("TaskPriority", _priority_row(env, "High")["Id"], {"IsDefault": True})
    env.org.update_record("TaskPriority", _priority_row(env, "Normal")["Id"], {"IsDefault": False})
    await _cache_picklists(env)

    window = await _reopen_and_edit_subject(env, task.id, " today")
    editor = window.editor
    assert isinstance(editor, TaskEditor)
    assert (editor.status.currentText(), editor.priority.currentText(), editor.owner.currentText()) == (
        AS_IN_SALESFORCE, AS_IN_SALESFORCE, AS_IN_SALESFORCE)
    assert (editor.status.currentData(), editor.priority.currentData(), editor.owner.currentData()) == (
        None, None, None)
    task = await _send(env, window)
    remote = _remote(env, task.remote_id or "")
    assert remote["Subject"] == "Send IRA transfer form today"
    assert (remote["Priority"], remote["Status"], remote["OwnerId"]) == ("Normal", "Not Started", env.org.user_id)
    assert (task.priority, task.status, task.owner_id) == ("Normal", "Not Started", env.org.user_id)

    window = await EditorLauncher(env.db, env.connection_id).open_task(task.id)
    assert isinstance(window.editor, TaskEditor)
    assert _shown(window.editor) == {"status": "Not Started", "priority": "Normal", "owner": env.org.user_id}
    window.close()


def _priority_row(env: PushEnv, value: str) -> dict[str, Any]:
    return next(r for r in env.org.records("TaskPriority") if r["ApiName"] == value)


async def _cache_picklists(env: PushEnv) -> TaskPicklists:
    from app.sync import picklists

    return await picklists.refresh(env.client, env.db, env.connection_id)


async def test_priority_kept_note_meeting_link_survives_an_unrelated_edit(workspace: Workspace) -> None:
    """The same class of defect in the note editor: a note linked to a meeting the editor's list does
    not offer (older than the 30 newest, or on the client's account) showed "No meeting" — and the
    next autosave unlinked it, so its Client-tagged text would no longer go to that meeting."""
    start = datetime(2024, 1, 1, 15, tzinfo=UTC)

    def seed(session: Any) -> int:
        contact = workspace.contact
        for n in range(31):  # the oldest is the note's meeting, beyond the list's 30 newest
            session.add(Event(connection_id=workspace.connection_id, sf_id=f"00U00000000{n:04d}AAA",
                              subject=f"Review {n}", start_at=start + timedelta(days=n), who_id=contact.sf_id))
        session.flush()
        return session.execute(select(Event.id).where(Event.subject == "Review 0")).scalar_one()

    event_id = await workspace.db.run(seed)
    note = await workspace.db.run(lambda s: notes_repo.create(
        s, workspace.connection_id, contact_id=workspace.contact.id, event_id=event_id, title="Annual review",
        tags=("Client",)))
    window = await EditorLauncher(workspace.db, workspace.connection_id).open_note(note.id)
    editor = window.editor
    assert isinstance(editor, NoteEditor)
    assert editor.meeting.currentData() == event_id and editor.meeting.currentText().startswith("Review 0")
    editor.title.setFocus()
    editor.title.end(False)
    QTest.keyClicks(editor.title, " 2024")
    await editor.autosave.flush()
    stored = await workspace.db.run(lambda s: notes_repo.get(s, note.id))
    assert stored is not None and stored.title == "Annual review 2024"
    assert stored.event_id == event_id and stored.event_sf_id == "00U000000000000AAA"
    window.close()

    def delete_meeting(session: Any) -> None:  # deleted in Salesforce, as a pull records it
        session.execute(update(Event.__table__).where(Event.__table__.c.id == event_id)  # type: ignore[attr-defined]
                        .values(is_deleted=True))

    await workspace.db.run(delete_meeting)
    window = await EditorLauncher(workspace.db, workspace.connection_id).open_note(note.id)
    editor = window.editor
    assert isinstance(editor, NoteEditor)
    assert editor.meeting.currentData() == event_id
    assert editor.meeting.currentText().startswith("Review 0 (deleted in Salesforce)")
    window.close()


async def test_priority_kept_note_template_not_offered_is_shown_not_replaced() -> None:
    """A stored value the box does not list is added as an item, not replaced by the first item."""
    from PySide6.QtWidgets import QComboBox

    from app.ui.widgets.stored_choice import select_stored

    box = QComboBox()
    box.addItem("No template", None)
    box.addItem("Meeting", "Meeting")
    select_stored(box, "Prospect call", "No template")
    assert (box.currentText(), box.currentData()) == ("Prospect call", "Prospect call")
    empty = QComboBox()
    for value in ("High", "Normal", "Low"):
        empty.addItem(value, value)
    select_stored(empty, None, "As in Salesforce")
    assert (empty.currentIndex(), empty.currentText(), empty.currentData()) == (0, "As in Salesforce", None)
    assert [empty.itemData(i) for i in range(empty.count())] == [None, "High", "Normal", "Low"]


_VALUES = st.sampled_from(["High", "Normal", "Low", "Not Started", "Deferred", "005A", "005B"])


@settings(max_examples=200, deadline=None)
@given(items=st.lists(_VALUES, unique=True, max_size=6), has_none_item=st.booleans(),
       stored=st.one_of(st.none(), _VALUES))
def test_priority_kept_select_stored_always_selects_the_stored_value(
    qapp: Any, items: list[str], has_none_item: bool, stored: str | None,
) -> None:
    """Whatever the list holds, the box then holds the stored value (what ``values()`` saves back),
    and the items that were there are all still there, in order."""
    from PySide6.QtWidgets import QComboBox

    from app.ui.widgets.stored_choice import select_stored

    box = QComboBox()
    if has_none_item:
        box.addItem("No value", None)
    for value in items:
        box.addItem(value, value)
    before = [box.itemData(i) for i in range(box.count())]
    select_stored(box, stored, "Unset")
    assert box.currentData() == stored
    after = [box.itemData(i) for i in range(box.count())]
    if stored is None and not has_none_item:
        assert after == [None, *before]  # "unset" is an item of its own, never the first value
    elif stored is not None and stored not in before:
        assert after == [*before, stored]  # a value the list lacks is added, not replaced
    else:
        assert after == before
