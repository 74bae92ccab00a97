"""The real GUI coroutine on the qasync loop: opens the workspace, shows the window, shuts down cleanly."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import paths
from app.ui import aio
from app.ui.gui import gui_main
from app.ui.main_window import MainWindow
from app.ui.single_instance import SingleInstance
from tests.support.qt_loop import new_qt_loop


def _main_window() -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible():
            return widget
    return None


def test_gui_opens_workspace_and_closes_cleanly(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    paths.set_data_dir(tmp_path / "home")
    app_paths = paths.paths().ensure()
    instance = SingleInstance(app_paths.data)
    assert instance.acquire()
    seen: dict[str, object] = {}
    background_cancelled = asyncio.Event()

    async def long_running() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            background_cancelled.set()
            raise

    def close_window() -> None:
        window = _main_window()
        if window is None:
            QTimer.singleShot(20, close_window)
            return
        seen["title"] = window.windowTitle()
        seen["badge"] = window.connection_badge.text()
        aio.start(long_running())
        window.close()

    loop = new_qt_loop()  # the suite's one qasync loop, freed safely on close
    try:
        QTimer.singleShot(50, close_window)
        result = loop.run_until_complete(gui_main(qapp, instance, None, app_paths=app_paths))
        loop.run_until_complete(aio.cancel_all())
    finally:
        loop.close()
        instance.release()
        paths.set_data_dir(None)
    assert result == 0
    assert seen == {"title": "Notebridge", "badge": "Not connected"}
    assert background_cancelled.is_set()
    assert app_paths.database.exists()
    assert oct(app_paths.database.stat().st_mode & 0o777) == "0o600"
    # The TRUNCATE checkpoint on close leaves no write-ahead log behind.
    wal = app_paths.database.with_name(app_paths.database.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
