"""The task editor: the org's picklists, the assignee, the Lead rule, limits, Ctrl+Enter."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from sqlmodel import Session

from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.store.models import Task
from app.ui.editor.window import EditorLauncher
from tests.ui.editor.conftest import Workspace, until


async def test_new_task_offers_org_values_and_saves_every_field(org_workspace: Workspace) -> None:
    """A first task on a new connection: the org's values, asked of the org (nothing seeded)."""
    workspace = org_workspace
    launcher = workspace.launcher()
    window = await launcher.open_task_editor(workspace.contact.id)
    editor = window.editor
    assert [editor.status.itemText(i) for i in range(editor.status.count())] == workspace.org_values("TaskStatus")
    assert [editor.priority.itemText(i) for i in range(editor.priority.count())] == \
        workspace.org_values("TaskPriority")
    assert not editor.choices_notice.isVisibleTo(editor)
    assert editor.status.currentText() == "Not Started" and editor.priority.currentText() == "Normal"
    assert editor.person.text() == "Maria Garcia" and editor.account.text() == "Garcia Household"
    QTest.keyClicks(editor.subject, "Send RMD reminder")
    editor.has_due.setChecked(True)
    editor.due.setDate(QDate(2026, 12, 15))
    editor.priority.setCurrentIndex(editor.priority.findData("High"))
    editor.description.setPlainText("Before year end")
    await editor.autosave.flush()
    task = await workspace.db.run(lambda s: tasks_repo.get(s, editor.task.id))
    assert task is not None
    assert (task.subject, task.due_date, task.priority, task.status, task.owner_id) == (
        "Send RMD reminder", date(2026, 12, 15), "High", "Not Started", workspace.user_id)
    assert task.who_id == workspace.contact.sf_id and task.what_id == workspace.contact.account_sf_id
    window.close()


async def test_lead_task_has_no_account_and_subject_limit_blocks_push(workspace: Workspace) -> None:
    launcher = EditorLauncher(workspace.db, workspace.connection_id)
    window = await launcher.open_task_editor(workspace.lead.id)
    editor = window.editor
    assert not editor.account.isEnabled() and "lead" in editor.account.text()
    editor.subject.setText("s" * 256)
    assert not editor.push_button.isEnabled() and "256 characters" in editor.problems.plain_text()
    assert await editor.push() is False
    editor.subject.setText("Call Leo")
    assert editor.push_button.isEnabled()
    window.close()


async def test_ctrl_enter_queues_the_task(workspace: Workspace) -> None:
    queued: list[int] = []
    launcher = EditorLauncher(workspace.db, workspace.connection_id, on_queued=lambda: queued.append(1))
    window = await launcher.open_task_editor(workspace.contact.id)
    window.activateWindow()
    await until(window.isActiveWindow, "window active")
    editor = window.editor
    editor.subject.setFocus()
    QTest.keyClicks(editor.subject, "Rebalance")
    QTest.keyClick(editor.subject, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: queued, "queued")
    row = await workspace.db.run(lambda s: outbox_repo.active_for(s, "task", editor.task.id))
    assert row is not None and row.state == "queued"
    window.close()


async def test_a_failed_save_is_said_and_the_typed_text_stays(workspace: Workspace) -> None:
    """The task was removed underneath the editor (e.g. the workspace was reset elsewhere)."""
    launcher = EditorLauncher(workspace.db, workspace.connection_id)
    window = await launcher.open_task_editor(workspace.contact.id)
    editor = window.editor
    task_id = editor.task.id

    def remove(session: Session) -> None:
        session.delete(session.get(Task, task_id))

    await workspace.db.run(remove)
    QTest.keyClicks(editor.subject, "Call about the rollover")
    await editor.autosave.flush()
    assert "Could not save your changes" in editor.problems.plain_text()
    assert "What you typed is still here" in editor.problems.plain_text()
    assert editor.subject.text() == "Call about the rollover" and editor.autosave.dirty
    window.close()
