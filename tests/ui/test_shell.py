"""The main window shell, the crash dialog and the single-instance lock, under pytest-qt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.ui.crash_dialog import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.single_instance import SingleInstance
from app.ui.widgets.empty_state import EmptyState


def test_sidebar_switches_sections_and_shortcuts_work(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert [window.sidebar.item(i).text() for i in range(window.sidebar.count())] == [
        "Workspace", "Outbox", "Settings"]
    assert window.current_section() == "workspace"
    window.sidebar.setCurrentRow(2)
    assert window.pages.currentWidget().objectName() == "settingsEmpty"
    qtbot.keyClick(window.sidebar, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == "outbox"
    assert window.pages.currentWidget().objectName() == "outboxEmpty"


def test_empty_workspace_tells_what_to_do_and_button_asks_for_the_wizard(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    page = window.page("workspace")
    assert isinstance(page, EmptyState)
    assert page.title_label.text() == "Connect Salesforce to see your clients"
    button = page.findChild(QPushButton, "workspaceEmptyAction")
    assert button is not None and button.isEnabled()
    with qtbot.waitSignal(window.connect_requested, timeout=1000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_status_bar_reports_connection_sync_and_usage(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.connection_badge.text() == "Not connected"
    assert window.api_usage_label.text() == "API use: —"
    window.set_connection_status("Connected", "ok", "acme.my.salesforce.com")
    assert window.connection_badge.text() == "Connected"
    window.set_sync_progress("Syncing contacts: 2,000 of 8,000", 2000, 8000)
    assert not window.sync_progress.isHidden()
    assert window.sync_progress.value() == 2000 and window.sync_progress.maximum() == 8000
    window.set_sync_progress("Up to date")
    assert window.sync_progress.isHidden()
    window.set_api_usage(1234, 15000)
    assert window.api_usage_label.text() == "API use: 8% of 15,000 today"


def test_set_page_replaces_a_section(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    replacement = QLabel("contacts here")
    window.set_page("workspace", replacement)
    assert window.page("workspace") is replacement
    assert window.pages.currentWidget() is replacement


def test_crash_dialog_copies_details(qtbot: QtBot) -> None:
    dialog = CrashDialog("Something went wrong inside Notebridge.", "Traceback: boom")
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.details_view.isHidden()
    qtbot.mouseClick(dialog.toggle_button, Qt.MouseButton.LeftButton)
    assert not dialog.details_view.isHidden()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert "Traceback: boom" in QGuiApplication.clipboard().text()
    assert dialog.copy_button.text() == "Copied"


def test_second_instance_raises_the_first(qtbot: QtBot, tmp_path: Path) -> None:
    first = SingleInstance(tmp_path / "data")
    assert first.acquire()
    second = SingleInstance(tmp_path / "data")
    with qtbot.waitSignal(first.raise_requested, timeout=3000):
        assert not second.acquire()
    other_workspace = SingleInstance(tmp_path / "elsewhere")
    assert other_workspace.acquire()
    other_workspace.release()
    first.release()
    again = SingleInstance(tmp_path / "data")
    assert again.acquire()  # released lock is reusable
    again.release()


async def test_push_status_reaches_the_status_bar(qtbot: QtBot, tmp_path: Path) -> None:
    """The push loop's status (a property, not a method) is what the status bar shows while no sync runs."""
    from app.context import AppContext
    from app.paths import AppPaths
    from app.store import Database
    from app.store.outbox_views import OutboxCounts
    from app.sync.connection import ConnectionManager
    from app.sync.push.loop import LoopStatus
    from app.ui.demo import EmbeddedDemo
    from app.ui.shell import Shell

    db = await Database.open(tmp_path / "workspace.db")
    connections = ConnectionManager(db)
    try:
        window = MainWindow()
        qtbot.addWidget(window)
        home = tmp_path / "home"
        app_paths = AppPaths(data=home / "data", config=home / "config", logs=home / "logs", cache=home / "cache",
                             runtime=home / "run").ensure()
        context = AppContext(paths=app_paths, db=db)
        shell = Shell(window, context, connections, EmbeddedDemo())
        shell._on_push_status(LoopStatus(counts=OutboxCounts(waiting=2, needs_attention=1), state="offline"))
        assert window.sync_label.text() == "2 waiting (offline) · 1 needs attention"
        shell._on_push_status(LoopStatus(counts=OutboxCounts(queued=3), sending=3, state="sending"))
        assert window.sync_label.text() == "sending 3…"
    finally:
        await connections.aclose()
        await db.close()
