"""Page 7 with an engine the test steers: progress, time left, stop and continue, problems.

The wizard takes ``first_sync(on_progress, cancel_event)``; here it is a coroutine that reports what
the test tells it to and honours the cancel event between "pages", like the pull engine does. The
sign-in before it is real (demo org, HTTP browser).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.demo_org import DemoOrg
from app.salesforce.errors import RequestLimitExceeded
from app.sync.progress import SyncProgress
from app.ui.wizard import PageId, SetupWizard
from app.ui.wizard.page_first_sync import EtaEstimator, FirstSyncPage, counts_text, eta_text
from tests.support.qt_loop import until
from tests.ui.wizard.helpers import Browser, WizardFactory, demo_values, sign_in, walk_demo_to_sign_in


class SteeredSync:
    """A first sync that moves only when the test says so."""

    def __init__(self) -> None:
        self.calls = 0
        self.step = asyncio.Queue[object]()
        self.on_progress: Any = None
        self.cancel: asyncio.Event | None = None

    async def __call__(self, on_progress: Any, cancel: asyncio.Event) -> object:
        self.calls += 1
        self.on_progress, self.cancel = on_progress, cancel
        while True:
            item = await self.step.get()
            if isinstance(item, SyncProgress):
                on_progress(item)
                if cancel.is_set():
                    return PullLike("cancelled", "Stopped.")
            elif isinstance(item, BaseException):
                raise item
            else:
                return item


@dataclass(frozen=True)
class PullLike:
    outcome: str
    message: str


async def to_first_sync(qtbot: QtBot, make_wizard: WizardFactory, org: DemoOrg, browser: Browser,
                        engine: SteeredSync) -> tuple[SetupWizard, FirstSyncPage]:
    browser.sign_in_as = (org.username, org.password)
    wizard = await make_wizard(demo=demo_values(org), first_sync=engine)
    page = await walk_demo_to_sign_in(qtbot, wizard)
    await sign_in(qtbot, page)
    assert page.state == "done", page.result.plain_text()
    wizard.next()
    await wizard.currentPage().wait_ready()  # type: ignore[attr-defined]
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    sync = wizard.currentPage()
    assert isinstance(sync, FirstSyncPage)
    await until(lambda: engine.calls == 1, "the first sync starts")
    return wizard, sync


async def test_progress_stop_and_continue(qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg,
                                          browser: Browser) -> None:
    engine = SteeredSync()
    wizard, sync = await to_first_sync(qtbot, make_wizard, demo_org, browser, engine)
    assert sync.state == "running"
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    assert not wizard.button(QWizard.WizardButton.BackButton).isVisible()  # no way back into a half sync

    await engine.step.put(SyncProgress("pull", "Contact", 12_400, 48_000, 7, ""))
    await until(lambda: sync.reports == 1)
    assert sync.counts.text() == "12,400 of 48,000 contacts"
    assert sync.api_calls.text() == "API calls used: 7"
    assert (sync.bar.value(), sync.bar.maximum()) == (12_400, 48_000)
    assert sync.stage_label.text() == "Bringing in your contacts…"

    qtbot.mouseClick(sync.cancel_button, Qt.MouseButton.LeftButton)
    assert engine.cancel is not None and engine.cancel.is_set()
    assert sync.state == "cancelling" and not sync.cancel_button.isEnabled()
    await engine.step.put(SyncProgress("pull", "Contact", 14_400, 48_000, 8, ""))  # the page in flight ends
    await until(lambda: sync.state == "paused", "the sync pauses")
    assert "continues from where it stopped" in sync.message.plain_text()
    assert finish.isEnabled() and finish.text() == "Open workspace"
    assert not sync.resume_button.isHidden()

    qtbot.mouseClick(sync.resume_button, Qt.MouseButton.LeftButton)
    await until(lambda: engine.calls == 2, "the sync continues")
    assert not engine.cancel.is_set()  # a fresh start, not the old cancel
    await engine.step.put(SyncProgress("pull", "Contact", 48_000, 48_000, 31, ""))
    await engine.step.put(SyncProgress("pull", "Event", 300, 300, 32, ""))
    await engine.step.put(PullLike("ok", "Up to date."))
    await until(lambda: sync.state == "done", "the sync finishes")
    assert "48,000 contacts" in sync.message.plain_text() and "300 meetings" in sync.message.plain_text()
    assert finish.isEnabled()


async def test_problems_are_explained_and_can_be_retried(qtbot: QtBot, make_wizard: WizardFactory,
                                                         demo_org: DemoOrg, browser: Browser) -> None:
    engine = SteeredSync()
    wizard, sync = await to_first_sync(qtbot, make_wizard, demo_org, browser, engine)
    await engine.step.put(RequestLimitExceeded("Daily API limit reached."))
    await until(lambda: sync.state == "failed")
    assert "used all of today's Salesforce API calls" in sync.message.plain_text()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()  # the workspace opens anyway

    qtbot.mouseClick(sync.resume_button, Qt.MouseButton.LeftButton)
    await until(lambda: engine.calls == 2)
    await engine.step.put(PullLike("offline", "Salesforce can't be reached right now."))
    await until(lambda: sync.state == "failed")
    assert "can't be reached" in sync.message.plain_text()
    assert "internet connection" in sync.message.fix

    qtbot.mouseClick(sync.resume_button, Qt.MouseButton.LeftButton)
    await until(lambda: engine.calls == 3)
    await engine.step.put(RuntimeError("disk full"))
    await until(lambda: sync.state == "failed")
    assert "What was synced is kept" in sync.message.fix


async def test_closing_the_wizard_mid_sync_stops_the_engine_cleanly(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser
) -> None:
    engine = SteeredSync()
    wizard, sync = await to_first_sync(qtbot, make_wizard, demo_org, browser, engine)
    connected: list[Any] = []
    wizard.connected.connect(connected.append)
    wizard.reject()  # Esc / Cancel while syncing
    assert engine.cancel is not None and engine.cancel.is_set()  # asked to stop, not killed
    await engine.step.put(SyncProgress("pull", "Contact", 2_000, 48_000, 2, ""))
    assert wizard.finished_work is not None
    await wizard.finished_work
    assert sync.state == "paused"
    assert len(connected) == 1  # the connection exists, so the main window takes it


def test_counts_and_time_left_in_words() -> None:
    assert counts_text(SyncProgress("pull", "Contact", 12_400, 48_000, 1, "")) == "12,400 of 48,000 contacts"
    assert counts_text(SyncProgress("pull", "Lead", 5, None, 1, "")) == "5 leads"
    assert counts_text(SyncProgress("pull", "Contact", 1, 2, 1, "Custom words")) == "Custom words"
    assert eta_text(None) == ""
    assert eta_text(20) == "Less than a minute left"
    assert eta_text(150) == "About 2 minutes left"
    assert eta_text(3600 + 600) == "About 1 hour 10 min left"


def test_time_left_comes_from_the_rate_so_far() -> None:
    now = [100.0]
    eta = EtaEstimator(clock=lambda: now[0])
    assert eta.update(SyncProgress("pull", "Contact", 0, 10_000, 1, "")) is None  # no rate yet
    now[0] = 101.0
    assert eta.update(SyncProgress("pull", "Contact", 2_000, 10_000, 2, "")) is None  # too early to tell
    now[0] = 104.0
    assert eta.update(SyncProgress("pull", "Contact", 4_000, 10_000, 3, "")) == 6.0  # 1,000/s, 6,000 left
    assert eta.update(SyncProgress("pull", "Event", 10, 100, 4, "")) is None  # a new object starts over
    assert PageId.FIRST_SYNC == 6
