"""Someone who never pauses: the autosave still reaches the disk (the issue: one key every 0.2 s for
12 s, then kill -9, lost all 60 characters — each key restarted the 600 ms debounce).  Also: losing
focus (any field, or the whole window) saves, closing while typing saves, and SIGTERM saves and
exits cleanly.  The database is read from the test, never the widget."""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QWidget

from app.store import Database
from app.store import notes as notes_repo
from app.ui.editor import autosave
from app.ui.editor.window import EditorLauncher
from tests.ui.editor.conftest import Workspace, until

SIGTERM_CHILD = Path(__file__).with_name("sigterm_child.py")
ROOT = Path(__file__).resolve().parents[3]
KEY_INTERVAL = 0.2
# How late a save may be beyond the maximum wait on a busy test machine (2 cores, other sessions):
# the save itself, and Qt timers firing late.  The bug is "never", so this stays well clear of it.
SLACK = 1.5
TEXT = "Maria wants the bond ladder reviewed and her IRA moved before the spring trip to Lisbon"


async def _new_note(ws: Workspace):  # type: ignore[no-untyped-def]
    launcher = EditorLauncher(ws.db, ws.connection_id)
    window = await launcher.open_note_editor(ws.contact.id)  # type: ignore[arg-type]
    window.activateWindow()
    await until(window.isActiveWindow, "editor window active")
    return launcher, window, window.editor


async def _stored(ws: Workspace, note_id: int) -> notes_repo.NoteDraft:
    note = await ws.db.run(lambda s: notes_repo.get(s, note_id))
    assert note is not None
    return note


async def test_continuous_typing_reaches_the_database_within_the_maximum_wait(workspace: Workspace) -> None:
    _launcher, window, editor = await _new_note(workspace)
    editor.body.setFocus()
    loop = asyncio.get_running_loop()
    keys = 30  # 6 s of typing: three times the maximum wait
    typed: list[tuple[float, str]] = []      # (when, text typed so far)
    on_disk: list[tuple[float, str]] = []    # (when, body in the database)
    for i in range(keys):
        QTest.keyClicks(editor.body, TEXT[i])
        typed.append((loop.time(), TEXT[: i + 1]))
        await asyncio.sleep(KEY_INTERVAL)
        on_disk.append((loop.time(), (await _stored(workspace, editor.note.id)).body_markdown.strip()))
    assert editor.body.toPlainText() == TEXT[:keys]

    max_wait = autosave.MAX_WAIT_MS / 1000
    checked = 0
    for when, stored in on_disk:
        assert TEXT.startswith(stored), stored
        due = [text for t, text in typed if t <= when - max_wait - SLACK]
        if due:  # everything typed more than the maximum wait ago is on disk, while typing goes on
            checked += 1
            assert len(stored) >= len(due[-1].rstrip()), (when - typed[0][0], stored, due[-1])
    assert checked >= 5
    # Still debounced: a handful of writes, not one per keystroke.
    assert 2 <= editor.autosave.saves <= keys // 3
    await editor.autosave.flush()
    assert (await _stored(workspace, editor.note.id)).body_markdown.strip() == TEXT[:keys]
    window.close()


async def test_continuous_typing_focus_loss_saves_any_field_and_the_window(workspace: Workspace) -> None:
    _launcher, window, editor = await _new_note(workspace)
    for timer in (editor.autosave._timer, editor.autosave._max_wait):
        timer.setInterval(60_000)  # only losing focus can save within this test
    # The tags field had no focus-out save of its own.
    editor.tags.setFocus()
    await until(editor.tags.hasFocus, "tags focused")
    QTest.keyClicks(editor.tags, "retirement")
    await asyncio.sleep(0.3)
    assert (await _stored(workspace, editor.note.id)).tags == ()
    editor.body.setFocus()
    await until(lambda: not editor.autosave.dirty, "save when the tags field loses focus")
    assert (await _stored(workspace, editor.note.id)).tags == ("retirement",)

    # The advisor switches to another window while the cursor stays in the body.
    QTest.keyClicks(editor.body, "Call back on Friday")
    assert editor.autosave.dirty
    other = QWidget()
    other.setWindowTitle("Another window")
    other.addLineEdit = QLineEdit(other)  # type: ignore[attr-defined]
    other.show()
    other.activateWindow()
    try:
        await until(lambda: not window.isActiveWindow(), "editor window deactivated")
        await until(lambda: not editor.autosave.dirty, "save when the window loses focus")
        assert (await _stored(workspace, editor.note.id)).body_markdown.strip() == "Call back on Friday"
    finally:
        other.close()
        other.deleteLater()
    window.close()


async def test_continuous_typing_close_while_typing_saves_everything(workspace: Workspace) -> None:
    launcher, window, editor = await _new_note(workspace)
    editor.body.setFocus()
    for ch in TEXT[:12]:
        QTest.keyClicks(editor.body, ch)
        await asyncio.sleep(KEY_INTERVAL / 4)
    assert editor.autosave.dirty
    window.close()  # mid-typing, with a save possibly running
    await until(lambda: not launcher.windows, "window closed after saving")
    assert (await _stored(workspace, editor.note.id)).body_markdown.strip() == TEXT[:12].strip()


def _drain(lines: queue.Queue[str], seen: list[str]) -> bool:
    while not lines.empty():
        seen.append(lines.get_nowait())
    return False


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
async def test_continuous_typing_sigterm_saves_the_open_editor_and_exits_cleanly(tmp_path: Path, signame: str) -> None:
    """The real app (``app.main.main`` with ``--data-dir``, offscreen) in its own process: an editor
    holds text the debounce has not saved yet when SIGTERM (or Ctrl+C's SIGINT) arrives."""
    data_dir = tmp_path / "home"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(SIGTERM_CHILD), str(data_dir), TEXT, signame], cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.strip()) for line in proc.stdout], daemon=True).start()
    seen: list[str] = []
    try:
        with contextlib.suppress(AssertionError):  # reported below, with the child's output
            await until(lambda: _drain(lines, seen) or proc.poll() is not None, "child exits", timeout=90)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        await asyncio.sleep(0.1)
        _drain(lines, seen)
    stderr = proc.stderr.read() if proc.stderr else ""
    assert f"{signame} SENT unsaved=True" in seen, f"child: {seen} {stderr[-3000:]}"
    assert proc.returncode == 0, f"exit {proc.returncode}: {seen} {stderr[-3000:]}"

    db = await Database.open(data_dir / "data" / "workspace.sqlite3")
    try:
        notes = await db.run(lambda s: notes_repo.list_for(s, 1))
    finally:
        await db.close()
    assert [n.body_markdown.split() for n in notes] == [TEXT.split()]
    log_text = (data_dir / "logs" / "notebridge.log").read_text(encoding="utf-8")
    assert f"{signame} received: saving open editors and quitting" in log_text
    assert "closed cleanly" in log_text


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGTERM")
async def test_continuous_typing_sigterm_from_another_process_saves_the_draft_and_logs_clean_shutdown(
        tmp_path: Path) -> None:
    """What a desktop logout or ``kill <pid>`` does: the signal comes from outside, while the app sits
    in Qt's event loop with an editor's text typed a moment ago."""
    data_dir = tmp_path / "home"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(SIGTERM_CHILD), str(data_dir), TEXT, "outside"], cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.strip()) for line in proc.stdout], daemon=True).start()
    seen: list[str] = []
    try:
        with contextlib.suppress(AssertionError):  # reported below, with the child's output
            await until(lambda: _drain(lines, seen) or any(x.startswith("TYPED") for x in seen)
                        or proc.poll() is not None, "text typed", timeout=90)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(AssertionError):
                await until(lambda: proc.poll() is not None, "child exits", timeout=60)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        await asyncio.sleep(0.1)
        _drain(lines, seen)
    stderr = proc.stderr.read() if proc.stderr else ""
    assert any(x.startswith("TYPED") for x in seen), f"child: {seen} {stderr[-3000:]}"
    assert proc.returncode == 0, f"exit {proc.returncode}: {seen} {stderr[-3000:]}"

    db = await Database.open(data_dir / "data" / "workspace.sqlite3")
    try:
        notes = await db.run(lambda s: notes_repo.list_for(s, 1))
    finally:
        await db.close()
    assert [n.body_markdown.split() for n in notes] == [TEXT.split()]
    log_text = (data_dir / "logs" / "notebridge.log").read_text(encoding="utf-8")
    assert "SIGTERM received: saving open editors and quitting" in log_text
    assert "closed cleanly" in log_text, log_text[-2000:]
    assert not [line for line in log_text.splitlines() if " ERROR " in line or " CRITICAL " in line]
