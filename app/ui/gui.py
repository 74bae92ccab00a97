"""The GUI coroutine: open the workspace, compose the window, wait for the advisor to close it."""

from __future__ import annotations

import asyncio
import gc
import logging
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from app.context import AppContext
from app.paths import AppPaths
from app.store import StoreError, WorkspaceOpenError
from app.sync.connection import ConnectionManager
from app.ui import aio
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
    try:
        context = await AppContext.open(app_paths)
    except StoreError as exc:  # read-only folder, full disk, held by another program, damaged
        log.error("the workspace cannot be opened: %s", exc)
        await _say_workspace_cannot_open(exc)
        return 2
    embedded_demo = EmbeddedDemo()
    context.on_close("demo org", embedded_demo.stop)
    window = MainWindow()
    closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    window.close_requested.connect(lambda: closed.done() or closed.set_result(0))
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
        # Everything built so far lives for the whole session: keep the collector from re-scanning it,
        # which otherwise shows up as a ~45 ms stall of the UI loop on a full collection.
        gc.collect()
        gc.freeze()
        return await closed
    finally:
        window.hide()
        await context.aclose()
        log.info("closed cleanly")


async def _say_workspace_cannot_open(error: StoreError) -> None:
    """Tell the advisor what is wrong with the workspace and what to do, before quitting (there is
    no window yet, and a traceback on a terminal nobody sees is not an answer)."""
    what, fix = (error.what, error.fix) if isinstance(error, WorkspaceOpenError) else (str(error), "")
    print(f"Notebridge cannot open its workspace. {what} {fix}".strip(), file=sys.stderr)
    box = QMessageBox(QMessageBox.Icon.Critical, "Notebridge cannot open your workspace", what,
                      QMessageBox.StandardButton.Ok)
    box.setObjectName("workspaceOpenError")
    box.setInformativeText(fix)
    await aio.run_dialog(box)
