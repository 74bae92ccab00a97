"""The demo workspace on top of the shell: it opens by itself, wears the banner, and resets.

``notebridge --demo`` and the wizard's "Try the demo org" both land here. Opening signs in to the
embedded demo org and runs the first sync through the same use cases a real org goes through
(``app.services.demo_workspace``); the demo org pre-authorizes its own app, so nobody is asked
anything. The demo has its own data folder and workspace lock (``app.paths.demo_paths``), so nothing
of it reaches the advisor's real workspace; "Connect your Salesforce…" leaves for that one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtWidgets import QMessageBox

from app import APP_NAME
from app.services.demo_workspace import (
    DemoOrgAddress,
    ForgetSummary,
    NeedsBrowser,
    open_demo,
    reset_demo,
    what_reset_deletes,
)
from app.ui import aio
from app.ui.demo import EmbeddedDemo
from app.ui.demo_banner import DemoBanner
from app.ui.shell import Shell
from app.ui.widgets.empty_state import EmptyState

log = logging.getLogger(__name__)

OPENING = "Opening the demo org and loading its made-up clients…"
RESET_TITLE = "Reset demo data?"
RESET_QUESTION = "Start the demo again with fresh made-up clients?"


def reset_consequences(summary: ForgetSummary | None) -> str:
    """What a reset deletes, in the advisor's words (it is all made up: nothing real is touched)."""
    made = []
    if summary is not None:
        for count, one, many in ((summary.notes, "note", "notes"), (summary.tasks, "task", "tasks"),
                                 (summary.new_people, "person you added", "people you added")):
            if count:
                made.append(f"{count:,} {one if count == 1 else many}")
    what = (f"This deletes what you made in the demo ({', '.join(made)}), including drafts."
            if made else "This deletes any drafts, notes and tasks you made in the demo.")
    return (f"{what} The made-up clients are loaded again as new. Your own Salesforce and your real "
            "Notebridge workspace are not touched.")


class DemoSession:
    def __init__(self, shell: Shell, demo: EmbeddedDemo, connect_real: Callable[[], None]) -> None:
        self.shell = shell
        self.demo = demo
        self.banner = DemoBanner()
        shell.window.set_banner(self.banner)
        shell.window.setWindowTitle(f"{APP_NAME} — demo org")
        self.banner.connect_requested.connect(connect_real)
        self.banner.reset_requested.connect(lambda: self._start(self.reset(), "reset the demo"))
        self.confirm: QMessageBox | None = None  # the reset question while it is open
        self._tasks: set[asyncio.Task[bool]] = set()

    def start(self) -> asyncio.Task[bool]:
        """Open the demo in the background (the window is up meanwhile, saying so on the banner)."""
        return self._start(self.open(), "open the demo")

    def _start(self, work: Coroutine[Any, Any, bool], name: str) -> asyncio.Task[bool]:
        task = aio.start(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def aclose(self) -> None:
        """Before the workspace closes: stop opening or resetting (nothing may outlive the database)."""
        if self.confirm is not None:
            self.confirm.reject()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def open(self) -> bool:
        """Sign in to the demo org and fill the workspace. False (said on the banner) if it failed."""
        self.banner.say(OPENING)
        self.banner.set_busy(True)
        self._show_workspace_state("demoOpening", "Opening the demo…",
                                   "Notebridge is loading made-up clients from the demo org on this computer. "
                                   "This takes a few seconds.")
        try:
            info = await self.demo.start()
            opened = await open_demo(self.shell.db, self.shell.connections, DemoOrgAddress.from_info(info),
                                     events=self.shell.events, on_progress=self.shell.show_sync_progress)
        except NeedsBrowser as exc:
            log.warning("the demo org asked for a sign-in page: %s", exc)
            self._failed("The demo org asked for a sign-in, which it should not. Quit and start the demo again.")
            return False
        except Exception:
            log.exception("the demo workspace could not open")
            self._failed("The demo org could not start. Quit Notebridge and start the demo again; "
                         "the log file has the details.")
            return False
        await self.shell.attach(opened.connection)
        self.banner.say("")
        self.banner.set_busy(False)
        return True

    def _failed(self, text: str) -> None:
        if aio.alive(self.banner):
            self.banner.say(text)
            self.banner.set_busy(False)
            self._show_workspace_state("demoFailed", "The demo could not open", text)
        self.shell.window.set_sync_progress("")

    def _show_workspace_state(self, name: str, title: str, text: str) -> None:
        """Instead of "Connect Salesforce…" (the real workspace's empty page) while the demo opens."""
        self.shell.window.set_page("workspace", EmptyState(name=name, illustration="illustrations/connect.svg",
                                                           title=title, text=text))

    async def reset(self) -> bool:
        """Ask (saying what is lost), then forget everything made in the demo and open it afresh."""
        summary = await what_reset_deletes(self.shell.db, self.shell.connections)
        box = QMessageBox(QMessageBox.Icon.Question, RESET_TITLE, RESET_QUESTION,
                          QMessageBox.StandardButton.Cancel, self.shell.window)
        box.setObjectName("demoResetConfirm")
        box.setInformativeText(reset_consequences(summary))
        reset_button = box.addButton(self.banner.reset_button.text(), QMessageBox.ButtonRole.DestructiveRole)
        reset_button.setObjectName("demoResetConfirmButton")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirm = box
        try:
            await aio.run_dialog(box)
        finally:
            self.confirm = None
        if box.clickedButton() is not reset_button:
            return False
        self.banner.set_busy(True)
        await self.shell.clear()  # editors saved and closed, engines stopped, empty pages
        await reset_demo(self.shell.db, self.shell.connections)
        await self.demo.stop()  # the org's own copy (what was pushed to it) starts afresh too
        return await self.open()
