"""The GUI coroutine: open the workspace, show the window, wait for the advisor to close it."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtWidgets import QApplication

from app.context import AppContext
from app.paths import AppPaths
from app.ui.crash_dialog import show_crash_dialog
from app.ui.main_window import MainWindow
from app.ui.single_instance import SingleInstance

log = logging.getLogger(__name__)


async def gui_main(
    app: QApplication, instance: SingleInstance, previous_crash: str | None, *, app_paths: AppPaths
) -> int:
    app.setQuitOnLastWindowClosed(False)  # we quit after clean-up, not when the window disappears
    context = await AppContext.open(app_paths)
    window = MainWindow()
    closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    window.close_requested.connect(lambda: closed.done() or closed.set_result(0))
    instance.raise_requested.connect(window.bring_to_front)
    window.connect_requested.connect(
        lambda: window.statusBar().showMessage("The setup wizard is not part of this build yet.", 5000)
    )
    window.show()
    if previous_crash:
        show_crash_dialog("Notebridge closed unexpectedly last time. Nothing you saved was lost.",
                          previous_crash, window)
    try:
        return await closed
    finally:
        window.hide()
        await context.aclose()
        log.info("closed cleanly")
