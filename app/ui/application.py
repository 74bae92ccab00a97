"""Create the QApplication and run the GUI on the qasync loop (asyncio inside Qt, one thread).

Start-up order matters: the single-instance check (the workspace lock) comes before anything touches
the workspace, crash hooks before the first window, and the loop's exception handler before the first
task. Shutdown is the reverse: cancel tasks, close HTTP clients and the database, then let Qt go.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable

import qasync
from PySide6.QtCore import QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_ID, APP_NAME, ORG_NAME, __version__, crash
from app.paths import AppPaths
from app.services.workspace import StoreError, busy_message
from app.ui import aio
from app.ui.crash_dialog import show_crash_dialog
from app.ui.resources import app_icon, stylesheet
from app.ui.single_instance import Launch, SingleInstance
from app.ui.theme import Theme, apply_theme
from app.ui.widgets.wheel_guard import install_wheel_guard

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


# Qt's notes about the session that are not problems: XDG_RUNTIME_DIR unset (ssh, containers, sudo) makes
# Qt use a private /tmp/runtime-<user> it creates with mode 0700 — fine, and nothing an advisor can act on.
# (A runtime directory with the wrong owner or mode is still a warning.)
_QT_NOT_PROBLEMS = ("QStandardPaths: XDG_RUNTIME_DIR not set",)


def _qt_message(mode: QtMsgType, _context: object, message: str) -> None:
    level = _QT_LEVELS.get(mode, logging.WARNING)
    if message.startswith(_QT_NOT_PROBLEMS):
        level = logging.DEBUG
    qt_log.log(level, "%s", message)


def create_qapplication(theme: Theme = "system", argv: list[str] | None = None) -> QApplication:
    """The one QApplication, configured with our names, icon, theme and stylesheet."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qInstallMessageHandler(_qt_message)  # Qt's warnings go to our (redacted) log, not a console
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)
    app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setWindowIcon(app_icon())
    apply_theme(app, theme)
    app.setStyleSheet(stylesheet())
    app.setQuitOnLastWindowClosed(False)  # the GUI coroutine decides when to quit, after clean-up
    install_wheel_guard(app)  # scrolling a page never changes a choice under the pointer
    return app


def tell_user(message: str) -> None:
    """Say why Notebridge is not opening: on stderr, and in a dialog when there is a screen to show it."""
    print(message, file=sys.stderr, flush=True)
    if QApplication.platformName() not in ("offscreen", "minimal"):
        QMessageBox.information(None, APP_NAME, message)


GuiMain = Callable[[QApplication, SingleInstance, str | None], Awaitable[int]]


def run_gui(app_paths: AppPaths, theme: Theme, gui_main: GuiMain) -> int:
    """Take the workspace (or raise the Notebridge that has it), install crash hooks, run `gui_main`.

    Exit codes of a launch that does not open: 0 when the first window was raised, 1 when another
    Notebridge has this workspace but could not be reached (said on stderr and, with a screen, in a
    dialog), 2 when the workspace cannot be locked at all.
    """
    app = create_qapplication(theme)
    instance = SingleInstance(app_paths.data, app_paths.database)
    try:
        launch = instance.claim()
    except StoreError as exc:  # the workspace cannot be locked at all: refuse rather than risk two senders
        tell_user(str(exc))
        return 2
    if launch is Launch.RAISED:
        print(f"{APP_NAME} is already running; its window has been brought to the front.")
        return 0
    if launch is Launch.UNREACHABLE:
        tell_user(busy_message(app_paths.database))
        return 1
    previous_crash = crash.install(app_paths.crash_file)
    crash.set_reporter(lambda headline, details: show_crash_dialog(headline, details, app.activeWindow()))

    async def guarded() -> int:
        asyncio.get_running_loop().set_exception_handler(crash.loop_exception_handler)
        try:
            return await gui_main(app, instance, previous_crash)
        finally:
            await aio.cancel_all()

    try:
        return qasync.run(guarded())
    finally:
        instance.release()
        crash.uninstall()
