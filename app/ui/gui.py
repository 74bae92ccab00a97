"""The GUI coroutine: open the workspace, compose the window, wait for the advisor to close it (or for
SIGTERM/SIGINT, which quit the same way)."""

from __future__ import annotations

import asyncio
import enum
import logging
import sys
from dataclasses import dataclass

from PySide6.QtWidgets import QApplication, QMessageBox

from app import runtime
from app.context import AppContext
from app.paths import AppPaths, demo_paths
from app.services.workspace import StoreError, WorkspaceOpenError
from app.sync.connection import ConnectionManager
from app.ui import aio
from app.ui.crash_dialog import show_crash_dialog
from app.ui.demo import EmbeddedDemo
from app.ui.demo_session import DemoSession
from app.ui.main_window import MainWindow
from app.ui.shell import Shell
from app.ui.single_instance import Launch, SingleInstance
from app.ui.termination import QuitOnSignals
from app.ui.window_layout import WindowLayout

log = logging.getLogger(__name__)


class Workspace(enum.Enum):
    """Which of the two workspaces a window shows: the advisor's own, or the demo's (kept apart)."""

    REAL = "real"
    DEMO = "demo"


@dataclass(frozen=True)
class Move:
    """The advisor moved to the other workspace; its lock is already held by ``instance``."""

    workspace: Workspace
    instance: SingleInstance
    open_wizard: bool = False


async def gui_main(
    app: QApplication, instance: SingleInstance, previous_crash: str | None, *, app_paths: AppPaths,
    demo: bool = False, embedded_demo: EmbeddedDemo | None = None,
) -> int:
    """``app_paths``: the real workspace's folders; with ``demo`` the demo's (``demo_paths``), whose
    lock ``instance`` holds, open first. ``embedded_demo``: the demo org to use (tests look into it)."""
    app.setQuitOnLastWindowClosed(False)  # we quit after clean-up, not when the window disappears
    closed: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    # SIGTERM/SIGINT quit like closing the window (editors saved, database closed), through all of
    # the clean-up below; a second signal meanwhile is ignored.
    def quit_on_signal(_name: str) -> None:
        if not closed.done():
            closed.set_result(0)

    embedded_demo = embedded_demo or EmbeddedDemo()
    first = Workspace.DEMO if demo else Workspace.REAL
    held = {first: instance}  # the workspace locks this process holds (the first one: the caller's)
    current = Move(first, instance)
    with QuitOnSignals(asyncio.get_running_loop(), quit_on_signal):
        try:
            while True:
                outcome = await _run(current, previous_crash, closed, app_paths=app_paths,
                                     embedded_demo=embedded_demo, held=held)
                previous_crash = None
                if not isinstance(outcome, Move):
                    return outcome
                if current.workspace is not first:  # the caller releases the first lock itself
                    held.pop(current.workspace).release()
                current = outcome
        finally:
            for workspace in [w for w in held if w is not first]:  # e.g. quit just as a move was taken
                held.pop(workspace).release()
            await embedded_demo.stop()


def _paths_of(workspace: Workspace, app_paths: AppPaths) -> AppPaths:
    return demo_paths(app_paths) if workspace is Workspace.DEMO else app_paths


def _take(workspace: Workspace, app_paths: AppPaths, held: dict[Workspace, SingleInstance],
          window: MainWindow) -> SingleInstance | None:
    """The other workspace's lock, or None (said in the status bar) when another Notebridge has it."""
    if workspace in held:
        return held[workspace]
    target = _paths_of(workspace, app_paths)
    try:
        target.ensure()
        claimed = SingleInstance(target.data, target.database)
        launch = claimed.claim()
    except (OSError, StoreError) as exc:
        log.error("the %s workspace cannot be opened: %s", workspace.value, exc)
        window.statusBar().showMessage(f"Notebridge cannot open that workspace: {exc}", 10000)
        return None
    if launch is Launch.FIRST:
        held[workspace] = claimed
        return claimed
    log.info("the %s workspace is open in another Notebridge (%s)", workspace.value, launch.value)
    which = "the demo" if workspace is Workspace.DEMO else "your Salesforce workspace"
    window.statusBar().showMessage(
        f"Notebridge is already open with {which} in another window" +
        ("; it has been brought to the front." if launch is Launch.RAISED else "."), 10000)
    return None


async def _run(
    current: Move, previous_crash: str | None, closed: asyncio.Future[int], *, app_paths: AppPaths,
    embedded_demo: EmbeddedDemo, held: dict[Workspace, SingleInstance],
) -> int | Move:
    """One workspace in one window, until the advisor quits (an exit code) or moves to the other one."""
    paths = _paths_of(current.workspace, app_paths)
    try:
        context = await AppContext.open(paths)
    except StoreError as exc:  # read-only folder, full disk, held by another program, damaged
        log.error("the workspace cannot be opened: %s", exc)
        await _say_workspace_cannot_open(exc)
        return 2
    except Exception as exc:  # anything else at open: still said in a window, never only a traceback
        log.exception("the workspace cannot be opened")
        await _say_workspace_cannot_open(exc)
        return 2
    window = MainWindow(WindowLayout.at(paths))
    shell: Shell | None = None
    demo_session: DemoSession | None = None
    moved: asyncio.Future[Move] = asyncio.get_running_loop().create_future()

    async def move(workspace: Workspace, open_wizard: bool) -> None:
        editors = shell.editors if shell is not None else None
        if editors is not None and not await editors.save_all():
            return  # that editor stays open saying why, and so does this workspace
        instance = None if moved.done() else _take(workspace, app_paths, held, window)
        if instance is not None:
            moved.set_result(Move(workspace, instance, open_wizard))

    def move_to(workspace: Workspace, *, open_wizard: bool = False) -> None:
        aio.start(move(workspace, open_wizard), name="move workspace")

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
    current.instance.raise_requested.connect(window.bring_to_front)
    window.show()
    if context.salvaged is not None:
        _say_workspace_was_salvaged(context, window)  # not awaited: the sync starts meanwhile
    if previous_crash:
        show_crash_dialog("Notebridge closed unexpectedly last time. Nothing you saved was lost.",
                          previous_crash, window)
    try:
        connections = ConnectionManager(context.db, ca_file=None)
        context.on_close("connection", connections.aclose)
        if current.workspace is Workspace.DEMO:
            shell = Shell(window, context, connections, embedded_demo,
                          connect_real=lambda: move_to(Workspace.REAL, open_wizard=True))
            demo_session = DemoSession(shell, embedded_demo, shell.open_wizard)
            await shell.start(attach_saved=False)
            demo_session.start()
        else:
            shell = Shell(window, context, connections, embedded_demo,
                          open_demo_workspace=lambda: move_to(Workspace.DEMO))
            await shell.start(open_wizard=current.open_wizard)
        runtime.tune_for_responsiveness()
        done, _pending = await asyncio.wait((closed, moved), return_when=asyncio.FIRST_COMPLETED)
        if moved in done and not closed.done():
            log.info("moving to the %s workspace", moved.result().workspace.value)
            return moved.result()
        return closed.result()
    finally:
        if demo_session is not None:
            await demo_session.aclose()
        if shell is not None:
            await shell.close_dialogs()
        window.save_layout()  # also when a signal, not the close button, ended the run
        window.hide()
        current.instance.raise_requested.disconnect(window.bring_to_front)
        await context.aclose()
        log.info("closed cleanly")
        if moved.done():
            window.deleteLater()


async def _say_workspace_cannot_open(error: Exception) -> None:
    """Tell the advisor what is wrong with the workspace and what to do, before quitting (there is
    no window yet, and a traceback on a terminal nobody sees is not an answer)."""
    what, fix = (error.what, error.fix) if isinstance(error, WorkspaceOpenError) else (str(error), "")
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
