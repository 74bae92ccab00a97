"""The GUI coroutine: open the workspace, compose the window, wait for the advisor to close it (or for
SIGTERM/SIGINT, which quit the same way)."""

from __future__ import annotations

import asyncio
import logging
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from app import runtime
from app.context import AppContext
from app.paths import AppPaths
from app.services.workspace import SchemaTooNewError, StoreError, WorkspaceOpenError
from app.sync.connection import ConnectionManager
from app.ui import aio
from app.ui.crash_dialog import show_crash_dialog
from app.ui.demo import EmbeddedDemo
from app.ui.main_window import MainWindow
from app.ui.shell import Shell
from app.ui.single_instance import SingleInstance
from app.ui.termination import QuitOnSignals
from app.ui.window_layout import WindowLayout

log = logging.getLogger(__name__)


async def gui_main(
    app: QApplication, instance: SingleInstance, previous_crash: str | None, *, app_paths: AppPaths,
    demo: bool = False,
) -> int:
    app.setQuitOnLastWindowClosed(False)  # we quit after clean-up, not when the window disappears
    closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    # SIGTERM/SIGINT quit like closing the window (editors saved, database closed), through all of
    # the clean-up below; a second signal meanwhile is ignored.
    def quit_on_signal(_name: str) -> None:
        if not closed.done():
            closed.set_result(0)

    with QuitOnSignals(asyncio.get_running_loop(), quit_on_signal):
        return await _run(instance, previous_crash, closed, app_paths=app_paths, demo=demo)


async def _run(
    instance: SingleInstance, previous_crash: str | None, closed: asyncio.Future[int], *,
    app_paths: AppPaths, demo: bool,
) -> int:
    try:
        context = await AppContext.open(app_paths)
    except StoreError as exc:  # read-only folder, full disk, held by another program, damaged
        log.error("the workspace cannot be opened: %s", exc)
        await _say_workspace_cannot_open(exc)
        return 2
    except Exception as exc:  # anything else at open: still said in a window, never only a traceback
        log.exception("the workspace cannot be opened")
        await _say_workspace_cannot_open(exc)
        return 2
    embedded_demo = EmbeddedDemo()
    context.on_close("demo org", embedded_demo.stop)
    window = MainWindow(WindowLayout.at(app_paths))
    shell: Shell | None = None

    async def quit_when_saved() -> None:
        """Closing the window quits — unless an editor's text cannot be saved: then that editor
        stays open saying why (with Copy text / Save as file…) and so does the app."""
        editors = shell.editors if shell is not None else None
        if editors is not None and not await editors.save_all():
            window.show()
            return
        if not closed.done():
            closed.set_result(0)

    window.close_requested.connect(aio.slot(quit_when_saved))
    instance.raise_requested.connect(window.bring_to_front)
    window.show()
    if context.salvaged is not None:
        _say_workspace_was_salvaged(context, window)  # not awaited: the sync starts meanwhile
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
        window.save_layout()  # also when a signal, not the close button, ended the run
        window.hide()
        await context.aclose()
        log.info("closed cleanly")


async def _say_workspace_cannot_open(error: Exception) -> None:
    """Tell the advisor what is wrong with the workspace and what to do, before quitting (there is
    no window yet, and a traceback on a terminal nobody sees is not an answer)."""
    # WorkspaceOpenError and SchemaTooNewError (a workspace from a newer Notebridge) both come in two halves.
    what, fix = (error.what, error.fix) if isinstance(error, (WorkspaceOpenError, SchemaTooNewError)) \
        else (str(error), "")
    print(f"Notebridge cannot open its workspace. {what} {fix}".strip(), file=sys.stderr)
    box = QMessageBox(QMessageBox.Icon.Critical, "Notebridge cannot open your workspace", what,
                      QMessageBox.StandardButton.Ok)
    box.setObjectName("workspaceOpenError")
    box.setInformativeText(fix)
    await aio.run_dialog(box)


def _say_workspace_was_salvaged(context: AppContext, window: MainWindow) -> QMessageBox:
    """The workspace file was damaged: say so, where the damaged copy is kept and how many drafts
    came across into the fresh workspace — never a silent fresh start."""
    report = context.salvaged
    assert report is not None
    what = "Your workspace file was damaged, so Notebridge started a fresh one."
    if report.unreadable_tables and report.rows == 0:
        saved = ("Nothing could be read from the damaged file. Notebridge will sync your clients again; "
                 "notes or tasks that had not reached Salesforce may be lost.")
    else:
        saved = report.sentence()
    fix = f"{saved}\n\nThe damaged file is kept (not deleted) at {report.kept_at}; support can look at it."
    print(f"Notebridge: {what} {fix}", file=sys.stderr)
    box = QMessageBox(QMessageBox.Icon.Warning, "Notebridge repaired your workspace", what,
                      QMessageBox.StandardButton.Ok, window)
    box.setObjectName("workspaceSalvaged")
    box.setInformativeText(fix)
    box.open()  # window-modal on the main window; the window owns it
    return box
