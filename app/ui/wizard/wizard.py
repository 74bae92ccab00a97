"""``SetupWizard``: the seven pages, resume-where-you-left-off, and what happens when it closes.

Open it with ``open()`` (or ``await app.ui.aio.run_dialog(wizard)``), never ``exec()``. Restoring the
saved draft is asynchronous (SQLite and the keyring are off the UI thread), so ``open()`` restores
first and shows the wizard when that is done; call ``await wizard.restore()`` yourself to control
when. Resuming replays Next through the pages already completed, so Back works as if the advisor
had never left.

``connected(OrgConnection)`` is emitted once, when the wizard closes after a successful sign-in
(whether the advisor finished the first sync or closed early), so the main window switches to the
connection only after the wizard's own first sync stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import QWidget, QWizard

from app import APP_NAME
from app.ui import aio
from app.ui.wizard.base import PAGE_BY_KEY, PAGE_KEYS, PageId, WizardPageBase
from app.ui.wizard.controller import DemoValues, WizardController
from app.ui.wizard.page_create_app import CreateAppPage
from app.ui.wizard.page_credentials import CredentialsPage
from app.ui.wizard.page_first_sync import FirstSync, FirstSyncPage
from app.ui.wizard.page_org import OrgPage
from app.ui.wizard.page_preferences import PreferencesPage
from app.ui.wizard.page_signin import SignInPage
from app.ui.wizard.page_welcome import WelcomePage
from app.ui.wizard.steps_panel import StepsPanel

if TYPE_CHECKING:
    from app.services.events import Events
    from app.services.workspace import Database
    from app.sync.connection import ConnectionManager

log = logging.getLogger(__name__)

PREFERRED_SIZE = QSize(940, 680)
MINIMUM_SIZE = QSize(600, 420)

# Colours come from the palette, so both themes work; only layout and emphasis here.
STYLE = """
QLabel#wizardPageTitle { font-size: 15pt; font-weight: 600; }
QLabel[class="wizardSectionTitle"] { font-weight: 600; margin-top: 6px; }
QLabel#wizardStepTitle { font-weight: 600; }
QFrame[class="wizardStepCard"] { border: 1px solid palette(mid); border-radius: 8px;
                                 background: palette(alternate-base); }
QFrame[class="wizardStepCard"] QLabel { background: transparent; }
QWidget#wizardSteps { background: palette(base); border-right: 1px solid palette(mid); }
QWidget#wizardSteps QLabel { padding: 5px 8px; border-radius: 5px; }
QWidget#wizardSteps QLabel[step="current"] { background: palette(highlight); color: palette(highlighted-text);
                                             font-weight: 600; }
QWidget#wizardSteps QLabel[step="skipped"] { color: palette(placeholder-text); text-decoration: line-through; }
QPushButton[class="primary"] { font-weight: 600; padding: 5px 14px; }
"""

BUTTON_NAMES = {
    QWizard.WizardButton.BackButton: ("wizardBack", "Back"),
    QWizard.WizardButton.NextButton: ("wizardNext", "Next"),
    QWizard.WizardButton.CommitButton: ("wizardStartSync", "Start first sync"),
    QWizard.WizardButton.FinishButton: ("wizardFinish", "Open workspace"),
    QWizard.WizardButton.CancelButton: ("wizardCancel", "Cancel"),
}


class SetupWizard(QWizard):
    """The setup wizard. ``demo`` (the embedded demo org's values) enables "Try the demo org"."""

    connected = Signal(object)  # OrgConnection

    def __init__(
        self,
        db: Database,
        connections: ConnectionManager,
        *,
        demo: Mapping[str, Any] | None = None,
        start_demo: Callable[[], Awaitable[Mapping[str, Any]]] | None = None,
        first_sync: FirstSync | None = None,
        open_url: Callable[[str], object] | None = None,
        prefer_demo: bool = False,
        open_demo_workspace: Callable[[], None] | None = None,
        events: Events | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``open_demo_workspace``: "Try the demo org" closes the wizard and opens the demo workspace
        (the app's way); without it the demo org (``demo``/``start_demo``) is walked through the pages.
        ``events``: the app's bus, so the choices saved here reach Settings and wake the pull at once."""
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setWindowTitle(f"Connect {APP_NAME} to Salesforce")
        self.setAccessibleName("Setup wizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setStyleSheet(STYLE)
        self.controller = WizardController(
            db, connections, demo=DemoValues.from_mapping(demo) if demo else None, start_demo=start_demo,
            prefer_demo=prefer_demo, open_demo_workspace=open_demo_workspace, events=events, parent=self,
        )
        if open_url is not None:
            self.controller.open_url = open_url
        if first_sync is None:
            first_sync = default_first_sync(db, connections)

        self.pages: dict[PageId, WizardPageBase] = {
            PageId.WELCOME: WelcomePage(self.controller),
            PageId.ORG: OrgPage(self.controller),
            PageId.CREATE_APP: CreateAppPage(self.controller),
            PageId.CREDENTIALS: CredentialsPage(self.controller),
            PageId.SIGN_IN: SignInPage(self.controller),
            PageId.PREFERENCES: PreferencesPage(self.controller),
            PageId.FIRST_SYNC: FirstSyncPage(self.controller, first_sync),
        }
        self.pages[PageId.PREFERENCES].setCommitPage(True)  # no way back into a half-made sync
        for page_id, page in self.pages.items():
            self.setPage(int(page_id), page)
            page.navigate_requested.connect(self.go_to)
        self.setStartId(int(PageId.WELCOME))
        for which, (name, text) in BUTTON_NAMES.items():
            self.setButtonText(which, text)
            button = self.button(which)
            button.setObjectName(name)
            button.setAccessibleName(text)
        self.button(QWizard.WizardButton.CancelButton).setToolTip(
            "Close the wizard. Everything you entered is kept for next time.")
        self.steps = StepsPanel()
        self.setSideWidget(self.steps)
        self.setMinimumSize(MINIMUM_SIZE)
        self.currentIdChanged.connect(self._page_changed)
        self._restore_task: asyncio.Task[None] | None = None
        self._closing = False
        self._emitted = False
        self._done_called = False
        self.finished_work: asyncio.Task[None] | None = None

    # -- opening and resuming --------------------------------------------------------------------
    async def restore(self) -> None:
        """Load the saved draft and walk forward to the page the advisor was on."""
        if self.controller.restored:
            return
        await self.controller.restore()
        target = PAGE_BY_KEY.get(self.controller.draft.page, PageId.WELCOME)
        self.restart()
        await self._advance_to(target)

    async def _advance_to(self, target: PageId) -> None:
        while self.currentId() != -1 and self.currentId() < int(target):
            page = self.currentPage()
            if isinstance(page, WizardPageBase):
                await page.wait_ready()
            if not page.isComplete():
                break
            before = self.currentId()
            self.next()
            if self.currentId() == before:  # the page refused (validatePage) or there is no next page
                break

    def open(self) -> None:
        self._done_called = False
        if self.controller.restored:
            self._fit_to_screen()
            super().open()
            return
        if self._restore_task is None:
            self._restore_task = aio.start(self._restore_then_open(), name="wizard-restore")

    async def _restore_then_open(self) -> None:
        await self.restore()
        self._fit_to_screen()
        super().open()

    def _fit_to_screen(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            self.resize(PREFERRED_SIZE)
            return
        available = screen.availableGeometry()
        self.resize(min(PREFERRED_SIZE.width(), available.width() - 24),
                    min(PREFERRED_SIZE.height(), available.height() - 48))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        page = self.currentPage()
        if isinstance(page, WizardPageBase):
            page.focus_first()

    # -- navigation ------------------------------------------------------------------------------
    def _page_changed(self, page_id: int) -> None:
        if page_id < 0:
            return
        page = PageId(page_id)
        if not self._closing:
            self.controller.update(page=PAGE_KEYS[page])
        skipped = {PageId.CREATE_APP} if self.controller.draft.path == "key" else set()
        self.steps.show_position(page_id, list(self.visitedIds()), skipped)
        current = self.pages[page]
        current.focus_first()

    def go_to(self, target: int) -> None:
        """Move to ``target`` (a PageId), going back through the pages visited on the way here."""
        target_id = PageId(target)
        if target_id in (PageId.PREFERENCES, PageId.FIRST_SYNC):
            return
        if int(target_id) not in self.visitedIds() and target_id == PageId.CREATE_APP:
            # Reached without the admin steps ("my admin gave me a key"): show them, the fix is there.
            self._back_to(PageId.ORG)
            self.controller.update(path="admin")
            self.next()
            return
        self._back_to(target_id)

    def _back_to(self, target: PageId) -> None:
        while self.currentId() > int(target) and int(target) in self.visitedIds():
            before = self.currentId()
            self.back()
            if self.currentId() == before:
                break

    # -- closing ---------------------------------------------------------------------------------
    def done(self, result: int) -> None:
        if self._done_called:  # already closed (Qt may close a dialog a second time on teardown)
            super().done(result)
            return
        self._done_called = True
        self._closing = True
        self.controller.stop_autosave()
        for page in self.pages.values():
            page.cancel_work()
        accepted = result == int(QWizard.DialogCode.Accepted)
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # closed after the loop stopped: what was typed was already autosaved
            self.finished_work = None
        else:
            self.finished_work = aio.start(self._finish(accepted), name="wizard-finish")
        connection = self.controller.connection
        if connection is not None and not self._emitted:
            self._emitted = True
            self.connected.emit(connection)
        super().done(result)

    async def _finish(self, accepted: bool) -> None:
        """Keep the draft when the advisor leaves early; forget it once the wizard is complete."""
        first_sync = self.pages[PageId.FIRST_SYNC]
        if isinstance(first_sync, FirstSyncPage):
            await first_sync.wait_stopped()
        if accepted:
            await self.controller.discard()
        else:
            await self.controller.flush()
        self._closing = False


def default_first_sync(db: Database, connections: ConnectionManager) -> FirstSync:
    """The real pull engine (imported here so the wizard's modules load without the sync stack)."""
    from app.ui.wizard.first_sync import pull_first_sync

    return pull_first_sync(db, connections)
