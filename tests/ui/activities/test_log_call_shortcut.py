"""Ctrl+L in the composed window: a call with the client on screen, or a plain word when there is none;
and the client view's "New meeting" hook opens the meeting editor."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.paths import AppPaths
from app.store import Database
from app.store import contacts as contact_rows
from app.sync.connection import ConnectionManager
from app.ui.demo import EmbeddedDemo
from app.ui.editor.activity_editor import ActivityEditor
from app.ui.main_window import MainWindow
from app.ui.shell import Shell
from tests.integration.salesforce.sf_org import make_org, signed_in
from tests.support.qt_loop import until


async def test_log_call_ctrl_l_and_log_meeting_hook_open_editors_for_the_client_on_screen(
        qtbot: QtBot, tmp_path: Path) -> None:
    with make_org(contacts=10, seed=5) as org:
        db = await Database.open(tmp_path / "workspace.db")
        connections = ConnectionManager(db)
        result = await signed_in(org)
        await connections.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                                       consumer_secret=None)
        window = MainWindow()
        qtbot.addWidget(window)
        home = tmp_path / "home"
        paths = AppPaths(data=home / "data", config=home / "config", logs=home / "logs", cache=home / "cache",
                         runtime=home / "run").ensure()
        shell = Shell(window, AppContext(paths=paths, db=db), connections, EmbeddedDemo())
        try:
            active = await connections.load_active()
            assert active is not None
            await shell.attach(active)
            window.show()
            window.activateWindow()
            await until(window.isActiveWindow, "the window is active")
            qtbot.keyClick(window.sidebar, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
            assert "press Ctrl+L" in window.statusBar().currentMessage()  # no client on screen yet
            assert shell.editors is not None and not shell.editors.windows

            workspace = shell.workspace
            assert workspace is not None
            await until(lambda: workspace.model.total > 0, "the first sync shown")
            cid = active.connection_id
            person = next(p for p in await db.run(lambda s: contact_rows.page(s, cid, 0, 10))
                          if p.source_object == "Contact")
            assert await workspace.detail.show_contact(person.id) is not None
            qtbot.keyClick(window.sidebar, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

            editors = shell.editors
            await until(lambda: len(editors.windows) == 1, "the call editor opened")
            editor = editors.windows[0].editor
            assert isinstance(editor, ActivityEditor) and editor.KIND == "call"
            assert editors.windows[0].windowTitle() == f"Call — {person.name}"
            # The client view's "New meeting" hook (left for whoever builds meetings) opens the meeting editor.
            assert workspace.detail.new_meeting()
            await until(lambda: len(editors.windows) == 2, "the meeting editor opened")
            meeting = editors.windows[1].editor
            assert isinstance(meeting, ActivityEditor) and meeting.KIND == "meeting"
        finally:
            await shell.detach()
            await connections.aclose()
            await db.close()
