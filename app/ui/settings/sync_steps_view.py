"""Settings → Sync steps: what runs in which direction and when, each with its last run, counts and errors.

One row per step from the use case ``app.services.sync_steps`` (``SyncSteps.overview``), in plain
words; a step that never ran says "Not run yet".  The table follows the event bus: when a pull, the
meeting-prep history or a push ends, or the settings that decide when a step runs change, it reads
again — at once when on screen, else when it is next shown.  Each row's "Show in log" asks for the
Sync log on that step (``show_in_log``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import datetime

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.events import Events, HistoryFetched, PushFinished, PushSettingsChanged, SyncFinished
from app.services.sync_choices import SyncChoicesChanged
from app.services.sync_steps import StepRow, SyncStep, SyncSteps
from app.services.workspace import Database
from app.ui import aio
from app.ui.settings import log_export
from app.wording import counted

COLUMNS = ("Step", "Direction", "When it runs", "Last run", "What it did", "Errors", "")
NOT_RUN = "Not run yet"
WORDY_COLUMNS = (2, 4, 5)  # when it runs, what it did, errors: these wrap
# A run ending, or a setting that decides when a step runs: the table reads again.
REFRESH_ON: tuple[type, ...] = (SyncFinished, HistoryFetched, PushFinished, PushSettingsChanged, SyncChoicesChanged)


def last_run_words(row: StepRow) -> str:
    if not row.ran:
        return "Running now…" if row.running else NOT_RUN
    assert row.last_run_at is not None
    words = f"{_when(row.last_run_at)} · {log_export.outcome_words(row.last_outcome or '')}"
    return words + " (running again now)" if row.running else words


def error_words(row: StepRow) -> str:
    if row.last_error is None or row.last_error_at is None:
        return "None"
    if row.errors_24h:
        return f"{counted(row.errors_24h, 'error')} in the last 24 hours. Latest: {row.last_error}"
    return f"None in the last 24 hours. Before, on {_when(row.last_error_at)}: {row.last_error}"


def _when(moment: datetime) -> str:
    local = moment.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f"Today {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


class SyncStepsPanel(QWidget):
    """The steps table.  ``show_in_log(step)``: the advisor asked for that step's log entries."""

    show_in_log = Signal(object)  # SyncStep

    def __init__(self, db: Database, events: Events, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStepsPanel")
        self.steps = SyncSteps(db)
        self.connection_id: int | None = None
        self.rows: list[StepRow] = []
        self._reading = False
        self._again = False
        self._stale = True  # read when first shown (the page's start reads it too)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("What Notebridge copies from Salesforce and sends to it, when each step runs, and "
                       "how its last run went. Choose Show in log for a step's entries.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.empty = QLabel("Connect to Salesforce to see the sync steps.")
        self.empty.setObjectName("syncStepsEmpty")
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("syncStepsTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        # Short columns take their text's width; the three wordy ones share the rest and wrap, so the
        # whole table fits the page (with every column sized to its text, the errors and "Show in log"
        # sat off screen behind a horizontal scroll bar: seen walking it).
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            wordy = column in WORDY_COLUMNS
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if wordy
                                        else QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.sectionResized.connect(lambda *_: self.table.resizeRowsToContents())
        self.table.doubleClicked.connect(lambda index: self._open_log(index.row()))
        layout.addWidget(self.table, 1)

        page = weakref.ref(self)

        def heard(_event: object) -> None:
            target = page()
            if target is not None and shiboken6.isValid(target):
                target.changed_elsewhere()

        self._unsubscribe: list[Callable[[], None]] = [events.subscribe(kind, heard) for kind in REFRESH_ON]
        self._show()

    # -- data -------------------------------------------------------------------------------------------
    def set_connection(self, connection_id: int | None) -> None:
        self.connection_id = connection_id

    async def refresh(self) -> None:
        """Read every step again (a read already under way reads once more when it ends)."""
        if self._reading:
            self._again = True
            return
        self._reading = True
        self._stale = False
        try:
            while True:
                self._again = False
                cid = self.connection_id
                rows = await self.steps.overview(cid) if cid is not None else []
                if not shiboken6.isValid(self):
                    return
                self.rows = rows
                self._show()
                if not self._again:
                    return
        finally:
            self._reading = False

    def changed_elsewhere(self) -> None:
        """A run ended or a setting changed: read now if the table is on screen, else when it is shown
        (no reads for a tab nobody looks at, after every push)."""
        if self.isVisible():
            aio.start(self.refresh(), name="sync steps refresh")
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        """Shown (its tab chosen, or the Settings page opened on it): read what changed meanwhile."""
        super().showEvent(event)
        if self._stale and self.connection_id is not None:
            self._stale = False
            aio.start(self.refresh(), name="sync steps refresh")

    def close_bus(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    # -- view -------------------------------------------------------------------------------------------
    def row_of(self, step: SyncStep) -> int:
        return next(i for i, row in enumerate(self.rows) if row.step is step)

    def log_button(self, step: SyncStep) -> QPushButton:
        widget = self.table.cellWidget(self.row_of(step), len(COLUMNS) - 1)
        assert isinstance(widget, QPushButton)
        return widget

    def _show(self) -> None:
        self.empty.setVisible(not self.rows)
        self.table.setVisible(bool(self.rows))
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            cells = (row.name, row.direction, row.schedule, last_run_words(row),
                     row.counts if row.ran else "—", error_words(row))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 2 and not row.on:
                    item.setForeground(self.palette().placeholderText())
                self.table.setItem(r, c, item)
            button = QPushButton("Show in log")
            button.setObjectName(f"syncStepShowLog_{row.step.value}")
            button.setAccessibleName(f"Show {row.name} in the sync log")
            button.clicked.connect(lambda _checked=False, at=r: self._open_log(at))
            self.table.setCellWidget(r, len(COLUMNS) - 1, button)
        self.table.resizeRowsToContents()

    def _open_log(self, at: int) -> None:
        if 0 <= at < len(self.rows):
            self.show_in_log.emit(self.rows[at].step)


__all__ = ["NOT_RUN", "SyncStepsPanel", "error_words", "last_run_words"]
