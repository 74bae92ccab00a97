"""Page 7 — First sync: bring the advisor's clients down, with counts, time left and API calls.

The sync engine is injected (``first_sync(on_progress, cancel_event)``) so the page runs whatever
pull the app wires, and tests can drive it. Cancel asks the engine to stop at its next page boundary
rather than killing it mid-write: what was fetched stays, and the next sync resumes from there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWizard

from app.salesforce.errors import RequestLimitExceeded, SalesforceError
from app.services.clients import ClientDirectory
from app.sync.progress import SyncProgress
from app.ui.widgets.inline_message import InlineMessage
from app.ui.wizard.base import PageId, WizardPageBase

if TYPE_CHECKING:
    from app.ui.wizard.controller import WizardController

log = logging.getLogger(__name__)

FirstSync = Callable[[Callable[[SyncProgress], None], asyncio.Event], Awaitable[object]]

_PLURALS = {"Contact": "contacts", "Account": "accounts", "Lead": "leads", "Event": "meetings",
            "User": "users"}
ETA_MIN_SECONDS = 2.0
# PullResult outcomes that mean "stopped because of a problem", with what the advisor can do.
PROBLEM_OUTCOMES = {
    "limit": "What was synced is kept; Notebridge continues by itself when API calls are available again.",
    "offline": "What was synced is kept. Check your internet connection, then continue.",
    "needs_attention": "What was synced is kept. Reconnect Salesforce, then continue.",
    "busy": "What was synced is kept. Salesforce is busy for a moment; continue in a minute.",
    "session_policy": "What was synced is kept. Your Salesforce admin must change the Notebridge app first.",
    "failed": "What was synced is kept. Continue now, or later from the workspace.",
}


_SINGULARS = {"Contact": "contact", "Account": "account", "Lead": "lead", "Event": "meeting", "User": "user"}
PEOPLE_OBJECTS = ("Contact", "Lead", "Account")  # what the workspace lists as clients


def plural(sobject: str) -> str:
    return _PLURALS.get(sobject, f"{sobject.lower()} records" if sobject else "records")


def how_many(count: int, sobject: str) -> str:
    """"1 contact", "1,100 contacts": the noun agrees with the number."""
    if count == 1:
        return f"1 {_SINGULARS.get(sobject, f'{sobject.lower()} record' if sobject else 'record')}"
    return f"{count:,} {plural(sobject)}"


def counts_text(progress: SyncProgress) -> str:
    if progress.message:
        return progress.message
    if progress.total is not None:
        return f"{progress.done:,} of {progress.total:,} {plural(progress.object)}"
    return f"{progress.done:,} {plural(progress.object)}"


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return "Less than a minute left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"About {minutes} minute{'s' if minutes != 1 else ''} left"
    hours, minutes = divmod(minutes, 60)
    rest = f" {minutes} min" if minutes else ""
    return f"About {hours} hour{'s' if hours != 1 else ''}{rest} left"


class EtaEstimator:
    """Time left for the current object, from the rate seen since it started (monotonic clock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._key: tuple[str, str] | None = None
        self._start: tuple[float, int] = (0.0, 0)

    def update(self, progress: SyncProgress) -> float | None:
        now = self._clock()
        key = (progress.stage, progress.object)
        if key != self._key or progress.done < self._start[1]:
            self._key, self._start = key, (now, progress.done)
            return None
        elapsed, gained = now - self._start[0], progress.done - self._start[1]
        if progress.total is None or elapsed < ETA_MIN_SECONDS or gained <= 0:
            return None
        return max(0.0, (progress.total - progress.done) / (gained / elapsed))


class FirstSyncPage(WizardPageBase):
    page_id = PageId.FIRST_SYNC

    def __init__(self, controller: WizardController, first_sync: FirstSync | None) -> None:
        super().__init__(
            controller,
            title="Bringing your clients to this computer",
            subtitle="This first sync can take a few minutes for a large book. You can stop it and carry "
                     "on later — Notebridge continues from where it stopped.",
            illustration="illustrations/wizard-sync.svg",
            illustration_text="Clients flowing from Salesforce into the local workspace",
        )
        self.first_sync = first_sync
        self.stage_label = QLabel("")
        self.stage_label.setObjectName("wizardSyncStage")
        self.stage_label.setWordWrap(True)
        self.body.addWidget(self.stage_label)
        self.bar = QProgressBar()
        self.bar.setObjectName("wizardSyncProgress")
        self.bar.setAccessibleName("First sync progress")
        self.bar.setTextVisible(False)
        self.body.addWidget(self.bar)
        self.counts = QLabel("")
        self.counts.setObjectName("wizardSyncCounts")
        self.counts.setWordWrap(True)
        self.body.addWidget(self.counts)
        details = QHBoxLayout()
        self.eta = QLabel("")
        self.eta.setObjectName("wizardSyncEta")
        details.addWidget(self.eta)
        details.addStretch(1)
        self.api_calls = QLabel("")
        self.api_calls.setObjectName("wizardSyncApiCalls")
        details.addWidget(self.api_calls)
        self.body.addLayout(details)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("Stop for now")
        self.cancel_button.setObjectName("wizardSyncCancel")
        self.cancel_button.setAccessibleName("Stop the first sync for now")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel_sync)
        buttons.addWidget(self.cancel_button)
        self.resume_button = QPushButton("Continue sync")
        self.resume_button.setObjectName("wizardSyncResume")
        self.resume_button.setAccessibleName("Continue the first sync")
        self.resume_button.setAutoDefault(False)
        self.resume_button.clicked.connect(self.start_sync)
        buttons.addWidget(self.resume_button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.message = InlineMessage(name="wizardSyncMessage")
        self.body.addWidget(self.message)

        self.state = "idle"
        self.last: SyncProgress | None = None
        self.per_object: dict[str, SyncProgress] = {}
        self.result_outcome: str | None = None
        self.reports = 0
        self._cancel = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._eta = EtaEstimator()
        self._set_state("idle")

    def _set_state(self, state: str) -> None:
        self.state = state
        wizard = self.wizard()
        if wizard is not None:  # finished: Open workspace is the way out; there is nothing to cancel
            wizard.setOption(QWizard.WizardOption.NoCancelButton, state == "done")
        self.cancel_button.setVisible(state in ("running", "cancelling"))
        self.cancel_button.setEnabled(state == "running")
        self.resume_button.setVisible(state in ("paused", "failed"))
        if state != "running":
            self.eta.clear()
        self.completeChanged.emit()

    def initializePage(self) -> None:
        if self.state in ("idle", "failed", "paused"):
            self.start_sync()

    def isComplete(self) -> bool:
        return self.state in ("done", "paused", "failed")

    # -- running ---------------------------------------------------------------------------------
    def start_sync(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._task = self.run(self._run(), "first-sync")

    def cancel_sync(self) -> None:
        if self.state == "running":
            self._cancel.set()
            self._set_state("cancelling")
            self.stage_label.setText("Stopping after the current batch…")

    async def _run(self) -> None:
        self._cancel = asyncio.Event()
        self._eta = EtaEstimator()
        self.message.clear()
        self.stage_label.setText("Saving your preferences…")
        self.bar.setRange(0, 0)
        self._set_state("running")
        try:
            await self.controller.apply_preferences()
            if not self.controller.draft.first_sync_started:
                self.controller.update(first_sync_started=True)
            if self.first_sync is None:
                self.bar.setRange(0, 1)
                self.bar.setValue(1)
                self.stage_label.setText("Your workspace is ready.")
                self.message.show_message("info", "Your clients will arrive with the next background sync.")
                self._set_state("done")
                return
            self.stage_label.setText("Starting…")
            result = await self.first_sync(self._progress, self._cancel)
        except asyncio.CancelledError:
            raise
        except RequestLimitExceeded as exc:
            self._failed("Your org has used all of today's Salesforce API calls.",
                         f"{exc.message} What was synced is kept; Notebridge continues when calls are available.")
            return
        except SalesforceError as exc:
            self._failed(exc.message, "What was synced is kept. Continue now, or later from the workspace.")
            return
        except Exception as exc:
            log.exception("first sync failed")
            self._failed("The first sync stopped because of a problem.", f"{exc}. What was synced is kept.")
            return
        outcome = getattr(result, "outcome", None)  # the pull engine's PullResult, when that ran
        self.result_outcome = outcome
        message = str(getattr(result, "message", "") or "")
        if outcome in PROBLEM_OUTCOMES:
            self._failed(message or "The first sync didn't finish.", PROBLEM_OUTCOMES[outcome])
            return
        if self._cancel.is_set() or outcome == "cancelled":
            self.stage_label.setText("Stopped.")
            self.message.show_message(
                "info", "The sync is paused. What was fetched is kept, and the next sync continues from "
                        "where it stopped.", fix="Continue now, or open the workspace and let it finish later.")
            self._set_state("paused")
            return
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.stage_label.setText("All done.")
        summary = await self._on_this_computer()
        detail = f" ({summary})" if summary else ""
        self.message.show_message("ok", f"Your clients are on this computer{detail}.",
                                  fix="Choose Open workspace to start.")
        self._set_state("done")

    async def _on_this_computer(self) -> str:
        """What the workspace now holds. A sync that fetched only changes reports "1"; the advisor's
        clients are what the workspace counts, so people are counted there (never fewer than fetched)."""
        counts = {p.object: p.done for p in self.per_object.values() if p.object}
        connection = self.controller.connection
        if connection is not None:
            directory = ClientDirectory(self.controller.db)
            for sobject in PEOPLE_OBJECTS:
                stored = await directory.count(connection.connection_id, [sobject])
                if stored or sobject in counts:
                    counts[sobject] = max(counts.get(sobject, 0), stored)
        ordered = [o for o in PEOPLE_OBJECTS if o in counts] + [o for o in counts if o not in PEOPLE_OBJECTS]
        return ", ".join(how_many(counts[o], o) for o in ordered)

    def _failed(self, message: str, fix: str) -> None:
        self.stage_label.setText("Stopped.")
        self.message.show_message("error", message, fix=fix)
        self._set_state("failed")

    def _progress(self, progress: SyncProgress) -> None:
        """Called by the engine on the event loop thread; only updates widgets."""
        self.reports += 1
        self.last = progress
        self.per_object[progress.object] = progress
        if self.state == "running":
            self.stage_label.setText(f"Bringing in your {plural(progress.object)}…")
        if progress.total:
            self.bar.setRange(0, max(1, progress.total))
            self.bar.setValue(min(progress.done, progress.total))
        else:
            self.bar.setRange(0, 0)
        self.counts.setText(counts_text(progress))
        self.bar.setAccessibleDescription(self.counts.text())
        self.api_calls.setText(f"API calls used: {progress.api_calls:,}")
        if self.state == "running":
            self.eta.setText(eta_text(self._eta.update(progress)))

    def cancel_work(self) -> None:
        """Closing the wizard mid-sync: ask the engine to stop cleanly instead of killing it."""
        self._cancel.set()

    async def wait_stopped(self) -> None:
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task])

    def focus_first(self) -> None:
        if self.cancel_button.isVisible():
            self.cancel_button.setFocus(Qt.FocusReason.TabFocusReason)

    def nextId(self) -> int:
        return -1
