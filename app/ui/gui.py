"""The GUI coroutine: open the workspace, compose the window, wait for the advisor to close it."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtWidgets import QApplication

from app import runtime
from app.context import AppContext
from app.paths import AppPaths
from app.sync.connection import ConnectionManager
from app.ui.crash_dialog import show_crash_dialog
from app.ui.demo import EmbeddedDemo
from app.ui.main_window import MainWindow
from app.ui.shell import Shell
from app.ui.single_instance import SingleInstance

log = logging.getLogger(__name__)


async def gui_main(
    app: QApplication, instance: SingleInstance, previous_crash: str | None, *, app_paths: AppPaths,
    demo: bool = False,
) -> int:
    app.setQuitOnLastWindowClosed(False)  # we quit after clean-up, not when the window disappears
    context = await AppContext.open(app_paths)
    embedded_demo = EmbeddedDemo()
    context.on_close("demo org", embedded_demo.stop)
    window = MainWindow()
    closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    def request_close() -> None:
        if not closed.done():
            closed.set_result(0)

    window.close_requested.connect(request_close)
    instance.raise_requested.connect(window.bring_to_front)
    window.show()
    if previous_crash:
        show_crash_dialog("Notebridge closed unexpectedly last time. Nothing you saved was lost.",
                          previous_crash, window)
    try:
        if demo:
            window.set_sync_progress("Starting the demo org…", 0, 0)
            await embedded_demo.start()
            window.set_sync_progress("")
        connections = ConnectionManager(context.db, ca_file=None)
        context.on_close("connection", connections.aclose)
        shell = Shell(window, context, connections, embedded_demo)
        await shell.start(open_wizard=demo)
        runtime.tune_for_responsiveness()
        return await closed
    finally:
        window.hide()
        await context.aclose()
        log.info("closed cleanly")
