"""The note editor: autosave (also through kill -9), formatting kept as Markdown, limits that block
Push without truncating, Ctrl+Enter to push, and one-click tasks from action items."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.store import Database
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.ui.editor.note_editor import template_markdown
from app.ui.editor.window import EditorLauncher
from tests.ui.editor.conftest import Workspace, until

CHILD = Path(__file__).with_name("editor_child.py")
ROOT = Path(__file__).resolve().parents[3]


def _drain(lines: queue.Queue[str], seen: list[str]) -> bool:
    while not lines.empty():
        seen.append(lines.get_nowait())
    return False


async def _new_note(ws: Workspace, queued: list[int] | None = None):  # type: ignore[no-untyped-def]
    launcher = ws.launcher(on_queued=(lambda: queued.append(1)) if queued is not None else None)
    window = await launcher.open_note_editor(ws.contact.id)  # type: ignore[arg-type]
    return launcher, window, window.editor


async def _stored(ws: Workspace, note_id: int) -> notes_repo.NoteDraft:
    note = await ws.db.run(lambda s: notes_repo.get(s, note_id))
    assert note is not None
    return note


async def test_text_typed_then_sigkill_is_all_there_after_restart(workspace: Workspace) -> None:
    note = await workspace.db.run(lambda s: notes_repo.create(s, workspace.connection_id,
                                                              contact_id=workspace.contact.id))
    db_path = workspace.db.path
    text = "Maria wants to move 40% into bonds before retiring; review the Roth ladder next quarter."
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(CHILD), str(db_path), str(note.id), text], cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line.strip()) for line in proc.stdout], daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        with contextlib.suppress(AssertionError):  # reported below, with the child's output
            await until(lambda: _drain(lines, seen) or "SAVED" in seen or proc.poll() is not None, "SAVED")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert "SAVED" in seen, f"editor process: {seen} {proc.stderr.read() if proc.stderr else ''}"
    assert proc.returncode == -signal.SIGKILL

    await workspace.db.close()  # "restart": open the same file fresh
    reopened = await Database.open(db_path)
    try:
        stored = await reopened.run(lambda s: notes_repo.get(s, note.id))
        assert stored is not None
        assert stored.body_markdown.split() == text.split()  # Qt's Markdown writer wraps at 80 columns
        assert stored.title == "Kitchen table: " + text[:20]
    finally:
        await reopened.close()
        workspace.db = await Database.open(db_path)


async def test_typing_is_saved_debounced_not_per_keystroke(workspace: Workspace) -> None:
    _launcher, window, editor = await _new_note(workspace)
    QTest.keyClicks(editor.body, "Discussed the estate plan and the trust")
    assert editor.autosave.saves == 0 and editor.autosave.dirty
    await until(lambda: not editor.autosave.dirty, "autosave")
    assert editor.autosave.saves == 1
    stored = await _stored(workspace, editor.note.id)
    assert stored.body_markdown.strip() == "Discussed the estate plan and the trust"
    window.close()


async def test_leaving_the_field_saves_at_once(workspace: Workspace) -> None:
    _launcher, window, editor = await _new_note(workspace)
    editor.autosave._timer.setInterval(60_000)  # only blur can save within this test
    QTest.keyClicks(editor.title, "Annual review")
    editor.title.editingFinished.emit()
    await until(lambda: not editor.autosave.dirty, "save on blur")
    assert (await _stored(workspace, editor.note.id)).title == "Annual review"
    window.close()


async def test_closing_the_window_saves_first(workspace: Workspace) -> None:
    launcher, window, editor = await _new_note(workspace)
    editor.autosave._timer.setInterval(60_000)
    QTest.keyClicks(editor.body, "Last words before closing")
    window.close()
    await until(lambda: not launcher.windows, "window closed after saving")
    assert (await _stored(workspace, editor.note.id)).body_markdown.strip() == "Last words before closing"


async def test_toolbar_formatting_is_stored_as_markdown(workspace: Workspace) -> None:
    _launcher, window, editor = await _new_note(workspace)
    editor.body.setFocus()
    editor.body.toggle_bold()
    QTest.keyClicks(editor.body, "Important")
    editor.body.toggle_bold()
    QTest.keyClick(editor.body, Qt.Key.Key_Return)
    editor.body.toggle_list(__import__("PySide6.QtGui", fromlist=["x"]).QTextListFormat.Style.ListDisc)
    QTest.keyClicks(editor.body, "Send IRA form")
    await editor.autosave.flush()
    stored = await _stored(workspace, editor.note.id)
    assert "**Important**" in stored.body_markdown
    assert "- Send IRA form" in stored.body_markdown
    window.close()


async def test_limits_are_shown_and_block_push_without_truncating(workspace: Workspace) -> None:
    _launcher, window, editor = await _new_note(workspace)
    long_title = "T" * 81
    editor.title.setText(long_title)
    assert not editor.push_button.isEnabled()
    assert editor.title_count.text() == "81/80"
    assert "81 characters" in editor.problems.plain_text()
    assert await editor.push() is False
    stored = await _stored(workspace, editor.note.id)
    assert stored.title == long_title and stored.state == "draft"
    editor.title.setText("Fine title")
    editor.body.set_markdown("x" * 32_001)
    editor._changed()
    assert not editor.push_button.isEnabled() and "32 KB" in editor.problems.plain_text()
    editor.body.set_markdown("short")
    editor._changed()
    assert editor.push_button.isEnabled()
    window.close()


async def test_ctrl_enter_pushes_the_note(workspace: Workspace) -> None:
    queued: list[int] = []
    _launcher, window, editor = await _new_note(workspace, queued)
    window.activateWindow()
    await until(window.isActiveWindow, "window active")
    editor.title.setText("Quick call")
    editor.body.setFocus()
    QTest.keyClicks(editor.body, "Talked about the 529 plan")
    QTest.keyClick(editor.body, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: queued, "queued")
    row = await workspace.db.run(lambda s: outbox_repo.active_for(s, "note", editor.note.id))
    assert row is not None and row.state == "queued" and row.operation == "create"
    stored = await _stored(workspace, editor.note.id)
    assert stored.state == "queued" and "529 plan" in stored.body_markdown
    window.close()


async def test_meeting_template_and_client_tag(workspace: Workspace) -> None:
    _launcher, window, editor = await _new_note(workspace)
    editor.template.setCurrentIndex(1)
    editor.template.activated.emit(1)
    editor.client_tag.setChecked(True)
    editor.tags.setText("retirement, estate")
    await editor.autosave.flush()
    stored = await _stored(workspace, editor.note.id)
    for section in ("## Summary", "## Discussion", "## Action items", "## Next steps"):
        assert section in stored.body_markdown
    assert stored.tags == ("Client", "retirement", "estate") and stored.template == "Meeting"
    assert template_markdown("Meeting", "## Summary\n\nok").count("Summary") == 1
    window.close()


async def test_action_item_becomes_a_task_in_one_click(org_workspace: Workspace) -> None:
    """On a new connection: the task gets the org's default status, asked of the org (not seeded)."""
    workspace = org_workspace
    launcher, _window, editor = await _new_note(workspace)
    editor.title.setText("Review")
    editor.body.set_markdown("## Action items\n\n- Send the beneficiary form\n- Book follow-up\n")
    cursor = editor.body.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
    editor.body.setTextCursor(cursor)
    editor.make_task.click()
    await until(lambda: len(launcher.windows) == 2, "task window")
    tasks = await workspace.db.run(lambda s: tasks_repo.list_for(s, workspace.connection_id))
    assert [t.subject for t in tasks] == ["Send the beneficiary form"]
    task = tasks[0]
    assert task.note_id == editor.note.id and task.who_id == workspace.contact.sf_id
    assert task.what_id == workspace.contact.account_sf_id and task.status == "Not Started"
    for w in list(launcher.windows):
        w.close()
    await launcher.settled()  # the closed windows' clean-up ends before the workspace does


async def test_a_new_note_window_starts_in_the_title(workspace: Workspace) -> None:
    """Typing straight after Ctrl+N lands in the title, not in the meeting menu."""
    launcher = EditorLauncher(workspace.db, workspace.connection_id)
    window = await launcher.open_note_editor(workspace.contact.id)  # type: ignore[arg-type]
    window.activateWindow()
    await until(window.isActiveWindow, "editor window active")
    assert QApplication.focusWidget() is window.editor.title
    await launcher.close_all()
