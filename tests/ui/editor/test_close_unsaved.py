"""A window never closes over text that could not be saved (the issue: on a full disk the second
close went through and the draft was gone).  The failures are real: SQLite's own "database or
disk is full" (``PRAGMA max_page_count`` caps the file at its current size — the same error SQLite
returns on ENOSPC), and a write lock held by another program.  Tests may run as root, where a
read-only chmod would not stop the writes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit
from sqlmodel import Session

from app import paths
from app.store import Database, pragmas
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store.models import Contact
from app.store.write_failure import WriteProblem
from app.ui.editor.window import EditorLauncher, EditorWindow
from app.ui.gui import gui_main
from app.ui.main_window import MainWindow
from app.ui.single_instance import SingleInstance
from tests.ui.editor.conftest import Workspace, seed_workspace, until

PASTED = "Portfolio review. " * 600  # ~11 KB: needs new database pages, which a full disk cannot give
TECHNICAL = ("sqlalche", "sqlite", "operationalerror", "http", "[sql", "errno", "background on this error")


def _set_max_pages(pages: int | None):  # type: ignore[no-untyped-def]
    def run(session: Session) -> None:
        raw = session.connection().connection.driver_connection
        count = raw.execute("PRAGMA page_count").fetchone()[0]
        raw.execute(f"PRAGMA max_page_count = {pages or count}")

    return run


async def _open_note(ws: Workspace) -> tuple[EditorLauncher, EditorWindow]:
    launcher = EditorLauncher(ws.db, ws.connection_id)
    window = await launcher.open_note_editor(ws.contact.id)  # type: ignore[arg-type]
    window.activateWindow()
    await until(window.isActiveWindow, "editor window active")
    return launcher, window


async def _stored_body(ws: Workspace, note_id: int) -> str:
    note = await ws.db.run(lambda s: notes_repo.get(s, note_id))
    assert note is not None
    return note.body_markdown


def _words(text: str) -> str:
    return " ".join(text.split())


def _shown_text(window: EditorWindow) -> str:
    return " ".join([window.unsaved.message.message, window.unsaved.message.fix,
                     window.editor.problems.message, window.editor.problems.fix])


async def _close_and_settle(window: EditorWindow) -> None:
    window.close()
    await asyncio.sleep(0)
    assert window._closing is not None
    await until(window._closing.done, "close attempt finished")


async def test_close_unsaved_on_a_full_disk_keeps_the_window_and_offers_copy_and_save_as(
        workspace: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    launcher, window = await _open_note(workspace)
    editor = window.editor
    note_id = editor.note.id
    await workspace.db.run(_set_max_pages(None))  # the disk is full from now on
    editor.body.setFocus()
    QTest.keyClicks(editor.body, "Maria: move 40% into bonds. ")
    editor.body.insertPlainText(PASTED)  # a paste
    caplog.set_level(logging.ERROR)

    await _close_and_settle(window)
    assert window.isVisible() and window in launcher.windows
    assert window.unsaved.isVisible()
    assert editor.autosave.last_failure is not None
    assert editor.autosave.last_failure.problem is WriteProblem.DISK_FULL
    shown = _shown_text(window)
    assert "The disk is full." in shown and "Free up some space" in shown
    assert not any(word in shown.lower() for word in TECHNICAL), shown
    assert "database or disk is full" in caplog.text  # the detail is in the log only
    assert await _stored_body(workspace, note_id) == ""

    # The second try used to close over the unsaved text.
    await _close_and_settle(window)
    assert window.isVisible() and window in launcher.windows

    # Copy text: everything typed is on the clipboard.
    QGuiApplication.clipboard().clear()
    window.unsaved.copy_button.click()
    copied = _words(QGuiApplication.clipboard().text())  # Qt's Markdown writer wraps at 80 columns
    assert "Maria: move 40% into bonds." in copied and copied.count("Portfolio review.") == 600

    # Save as file…: the real dialog, a real file.
    target = tmp_path / "kept" / "maria-note.md"
    target.parent.mkdir()
    window.unsaved.save_as_button.click()
    await until(lambda: window.unsaved.dialog is not None and window.unsaved.dialog.isVisible(), "file dialog")
    dialog = window.unsaved.dialog
    assert isinstance(dialog, QFileDialog) and dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    assert dialog.selectedFiles()[0].endswith("Note Maria Garcia.md")  # the window's title, as a file name
    name_field = dialog.findChild(QLineEdit, "fileNameEdit")  # typed by the advisor, as in the dialog
    assert name_field is not None
    name_field.clear()
    QTest.keyClicks(name_field, str(target))
    dialog.accept()
    await until(lambda: target.exists() and window.unsaved.message.kind == "ok", "file written")
    written = _words(target.read_text(encoding="utf-8"))
    assert "Maria: move 40% into bonds." in written and written.count("Portfolio review.") == 600
    assert window.isVisible()

    # The disk has room again: the autosave's own retry saves it, with nobody typing.
    await workspace.db.run(_set_max_pages(1_073_741_823))
    await until(lambda: not editor.autosave.dirty, "saved once the disk has room", timeout=30)
    body = _words(await _stored_body(workspace, note_id))
    assert body.startswith("Maria: move 40% into bonds.") and body.count("Portfolio review.") == 600
    assert not window.unsaved.isVisible() and editor.autosave.last_failure is None
    assert "saved" in editor.state_label.text()
    window.close()
    await until(lambda: window not in launcher.windows, "window closes once saved")
    assert not window.isVisible()


@pytest.fixture
async def quick_busy_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Workspace]:
    """A workspace whose connections give up waiting for a lock after 0.2 s instead of 5 s (the
    product's wait is unchanged; this only keeps the test short)."""
    monkeypatch.setattr(pragmas, "BUSY_TIMEOUT_MS", 200)
    db = await Database.open(tmp_path / "workspace.db")
    try:
        connection_id, contact_id, lead_id = await db.run(seed_workspace)
        contact, lead = await db.run(lambda s: (s.get(Contact, contact_id), s.get(Contact, lead_id)))
        yield Workspace(db, connection_id, contact, lead)
    finally:
        await db.close()


async def test_close_unsaved_while_another_program_locks_the_workspace(quick_busy_workspace: Workspace) -> None:
    ws = quick_busy_workspace
    launcher, window = await _open_note(ws)
    editor = window.editor
    # waits out a write the app is finishing, as a real program would
    other_program = sqlite3.connect(ws.db.path, isolation_level=None, timeout=10)
    other_program.execute("BEGIN EXCLUSIVE")
    try:
        editor.body.setFocus()
        QTest.keyClicks(editor.body, "Leo wants to refinance the practice")
        await _close_and_settle(window)
        assert window.isVisible() and window.unsaved.isVisible()
        assert editor.autosave.last_failure is not None
        assert editor.autosave.last_failure.problem is WriteProblem.LOCKED
        shown = _shown_text(window)
        assert "locked by another program" in shown
        assert not any(word in shown.lower() for word in TECHNICAL), shown
        # "Try again" while the lock is still held: still refused, still open.
        window.unsaved.retry_button.click()
        await asyncio.sleep(0.5)
        await until(lambda: not editor.autosave._running or editor.autosave._running.done(), "retry finished")
        await _close_and_settle(window)
        assert window.isVisible() and window in launcher.windows
    finally:
        other_program.execute("ROLLBACK")
        other_program.close()
    window.unsaved.retry_button.click()
    await until(lambda: not editor.autosave.dirty, "saved once the lock is gone")
    assert (await _stored_body(ws, editor.note.id)).strip() == "Leo wants to refinance the practice"
    window.close()
    await until(lambda: window not in launcher.windows, "window closes once saved")


async def test_close_unsaved_only_an_explicit_choice_closes_over_unsaved_text(workspace: Workspace) -> None:
    launcher, window = await _open_note(workspace)
    editor = window.editor
    await workspace.db.run(_set_max_pages(None))
    editor.body.insertPlainText(PASTED)
    await _close_and_settle(window)
    assert window.isVisible()
    assert window.unsaved.discard_button.text() == "Close without saving"
    window.unsaved.discard_button.click()
    await until(lambda: window not in launcher.windows, "closed by the advisor's choice")
    assert not window.isVisible() and not editor.autosave.dirty
    await workspace.db.run(_set_max_pages(1_073_741_823))
    await asyncio.sleep(1.5)  # past the first retry: abandoned means no more attempts
    assert await _stored_body(workspace, editor.note.id) == ""


async def test_close_unsaved_push_is_refused_while_the_text_is_not_on_disk(workspace: Workspace) -> None:
    _launcher, window = await _open_note(workspace)
    editor = window.editor
    editor.title.setText("Bond ladder")
    await editor.autosave.flush()
    await workspace.db.run(_set_max_pages(None))
    editor.body.insertPlainText(PASTED)
    assert await editor.push() is False  # it would have sent the older, empty body
    assert await workspace.db.run(lambda s: outbox_repo.active_for(s, "note", editor.note.id)) is None
    assert "The disk is full." in editor.problems.message
    await workspace.db.run(_set_max_pages(1_073_741_823))
    assert await editor.push() is True
    row = await workspace.db.run(lambda s: outbox_repo.active_for(s, "note", editor.note.id))
    assert row is not None and row.state == "queued"
    assert _words(await _stored_body(workspace, editor.note.id)).count("Portfolio review.") == 600
    window.close()


async def test_close_unsaved_quitting_the_app_keeps_the_editor_and_the_app_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real GUI coroutine with a saved connection: closing the main window while an editor's
    text cannot be saved (another program locks the workspace) does not quit."""
    monkeypatch.setattr(pragmas, "BUSY_TIMEOUT_MS", 200)
    paths.set_data_dir(tmp_path / "home")
    app_paths = paths.paths().ensure()
    seeded = await Database.open(app_paths.database)
    _connection_id, contact_id, _lead_id = await seeded.run(seed_workspace)
    await seeded.close()
    instance = SingleInstance(app_paths.data)
    assert instance.acquire()
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    running = asyncio.ensure_future(gui_main(qapp, instance, None, app_paths=app_paths))
    other_program: sqlite3.Connection | None = None
    try:
        await until(lambda: _visible(MainWindow) is not None or running.done(), "main window")
        main = _visible(MainWindow)
        assert isinstance(main, MainWindow)
        await until(lambda: hasattr(main.page("workspace"), "detail"), "workspace page for the connection")
        page = main.page("workspace")
        await page.detail.show_contact(contact_id)
        page.detail.note_button.click()
        await until(lambda: _visible(EditorWindow) is not None, "editor window")
        window = _visible(EditorWindow)
        assert isinstance(window, EditorWindow)
        # Like any program, the other one waits out a write the app is finishing at that moment (opening
        # the editor writes the new draft; the workspace may be caching the org's picklists) before it
        # takes its lock: with no wait at all its own BEGIN failed now and then instead of the app's save.
        other_program = sqlite3.connect(app_paths.database, isolation_level=None, timeout=10)
        other_program.execute("BEGIN EXCLUSIVE")
        QTest.keyClicks(window.editor.body, "Quarterly rebalance agreed")
        main.close()
        await until(window.unsaved.isVisible, "the editor says why it cannot save")
        assert "locked by another program" in window.unsaved.message.message
        await asyncio.sleep(0.3)
        assert not running.done() and main.isVisible() and window.isVisible()

        other_program.execute("ROLLBACK")
        window.unsaved.retry_button.click()
        await until(lambda: not window.editor.autosave.dirty, "saved once the lock is gone")
        main.close()
        assert await asyncio.wait_for(running, timeout=60) == 0
    finally:
        if other_program is not None:
            other_program.close()
        if not running.done():
            running.cancel()
            with contextlib.suppress(BaseException):
                await running
        instance.release()
        paths.set_data_dir(None)
    reopened = await Database.open(app_paths.database)
    try:
        notes = await reopened.run(lambda s: notes_repo.list_for(s, _connection_id))
    finally:
        await reopened.close()
    assert [n.body_markdown.strip() for n in notes] == ["Quarterly rebalance agreed"]


def _visible(kind: type) -> object | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test() -> object:
    """A refused close is the behaviour under test; once the test is over, its windows are discarded
    explicitly (as the advisor would), so none keeps trying to save into a closed workspace."""
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, EditorWindow) and widget.isVisible():
            widget._discard_and_close()
    QApplication.processEvents()
