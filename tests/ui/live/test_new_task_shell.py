"""The composed app (``Shell``) against the demo org: Ctrl+T opens a task for the client on screen, or
a task on its own when there is none; the Outbox's "New task" opens one; "Write the meeting note" in
the client view opens a note tied to that meeting.  Nothing is sent here (see test_new_task.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.paths import AppPaths
from app.store import Database, contacts
from app.sync.connection import ConnectionManager
from app.sync.pull.scheduler import PullScheduler
from app.ui import aio
from app.ui.demo import EmbeddedDemo
from app.ui.editor.note_editor import NoteEditor
from app.ui.editor.task_editor import TaskEditor
from app.ui.editor.window import EditorWindow
from app.ui.main_window import MainWindow
from app.ui.outbox import OutboxPage
from app.ui.shell import Shell
from app.ui.workspace import WorkspacePage
from tests.integration.salesforce.sf_org import make_org, signed_in
from tests.support.qt_loop import until
from tests.ui.live.test_meeting_note import _a_client_with_a_meeting


async def _next_window(shell: Shell, before: int) -> EditorWindow:
    assert shell.editors is not None
    editors = shell.editors
    await until(lambda: len(editors.windows) > before, "an editor window opens")
    return editors.windows[-1]


async def _back_to(window: MainWindow) -> None:
    """The advisor goes back to the main window (its shortcuts work while it is the active one)."""
    window.activateWindow()
    await until(window.isActiveWindow, "the main window is active")


async def test_new_task_ctrl_t_outbox_and_meeting_note_through_the_shell(qtbot: QtBot, tmp_path: Path) -> None:
    with make_org(contacts=15, seed=5) as org:
        db = await Database.open(tmp_path / "workspace.db")
        connections = ConnectionManager(db)
        shell: Shell | None = None
        try:
            result = await signed_in(org)
            saved = await connections.save_sign_in(result, login_url=result.login_url,
                                                   consumer_key=org.consumer_key, consumer_secret=None)
            cid = saved.connection_id
            assert (await PullScheduler(db, connections).sync_now()).outcome == "ok"
            window = MainWindow()
            qtbot.addWidget(window)
            home = tmp_path / "home"
            app_paths = AppPaths(data=home / "data", config=home / "config", logs=home / "logs",
                                 cache=home / "cache", runtime=home / "run").ensure()
            shell = Shell(window, AppContext(paths=app_paths, db=db), connections, EmbeddedDemo())
            await shell.start()
            window.show()
            await _back_to(window)
            workspace, outbox = window.page("workspace"), window.page("outbox")
            assert isinstance(workspace, WorkspacePage) and isinstance(outbox, OutboxPage)
            editors = shell.editors
            assert editors is not None

            # Ctrl+T with no client on screen: a task on its own, which says it can be given a client.
            qtbot.keyClick(window.sidebar, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
            alone = await _next_window(shell, 0)
            assert isinstance(alone.editor, TaskEditor)
            assert alone.editor.person.text() == "—" and alone.editor.choose_client.isVisible()
            alone.close()
            await until(lambda: alone not in editors.windows, "the empty task window closes")

            # Ctrl+T with a client on screen: a task about them.
            contact = (await db.run(lambda s: contacts.page(s, cid, 0, 1)))[0]
            window.show_section("workspace")
            assert await workspace.detail.show_contact(contact.id) is not None
            assert workspace.detail.task_button.isVisible()
            await _back_to(window)
            qtbot.keyClick(window.sidebar, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
            about = await _next_window(shell, len(editors.windows))
            assert isinstance(about.editor, TaskEditor)
            assert about.editor.person.text() == contact.name and about.windowTitle() == f"Task — {contact.name}"
            task_status = about.editor.status.currentText()
            assert task_status and not task_status.startswith("Org default")  # the org's own default
            about.close()

            # The client view's button does the same.
            count = len(editors.windows)
            qtbot.mouseClick(workspace.detail.task_button, Qt.MouseButton.LeftButton)
            clicked = await _next_window(shell, count)
            assert isinstance(clicked.editor, TaskEditor) and clicked.editor.person.text() == contact.name
            clicked.close()

            # The Outbox's "New task".
            window.show_section("outbox")
            count = len(editors.windows)
            qtbot.mouseClick(outbox.new_task_button, Qt.MouseButton.LeftButton)
            from_outbox = await _next_window(shell, count)
            assert isinstance(from_outbox.editor, TaskEditor) and from_outbox.editor.person.text() == "—"
            from_outbox.close()

            # "Write the meeting note" on a meeting of a client.
            client_id, event_id, _sf_id, subject = await db.run(lambda s: _a_client_with_a_meeting(s, cid))
            window.show_section("workspace")
            assert await workspace.detail.show_contact(client_id) is not None
            count = len(editors.windows)
            workspace.detail.meetings_view.linkActivated.emit(f"meeting:{event_id}")
            meeting_note = await _next_window(shell, count)
            assert isinstance(meeting_note.editor, NoteEditor)
            assert meeting_note.editor.meeting.currentData() == event_id
            assert subject in meeting_note.editor.meeting.currentText()
            meeting_note.close()
        finally:
            if shell is not None:
                await shell.detach()
                await shell.settings.aclose()
            await aio.cancel_all()
            await connections.aclose()
            await db.close()
