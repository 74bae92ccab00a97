"""The sync log: a filterable, sortable table of every pull and push, each row linking to its item.

``SyncLogModel`` holds the rows of the chosen period (read through ``app.services.sync_log``); the proxy
(``sync_log_model``) filters by outcome, object, direction and sync step as the menus change, without
another query; headers sort.  Settings → Sync steps' "Show in log" opens it on one step (``show_step``).
A row opens the local note/task (through the page's ``open_item`` callback) or the record in
Salesforce (``<instance>/<Id>``).  "Export CSV…" writes exactly the rows shown, in the order shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.sync_log import LogRow, SyncLog
from app.services.sync_steps import STEP_NAMES, SyncStep
from app.services.workspace import Database
from app.ui import aio
from app.ui.settings import log_export
from app.ui.settings.sync_log_model import COLUMNS, PERIODS, ROW_ROLE, SORT_ROLE, SyncLogFilter, SyncLogModel
from app.wording import counted

__all__ = ["COLUMNS", "PERIODS", "ROW_ROLE", "SORT_ROLE", "SyncLogFilter", "SyncLogModel", "SyncLogPanel"]


class SyncLogPanel(QWidget):
    """Filters, the table, and the row actions."""

    open_item_requested = Signal(str, int)
    open_url_requested = Signal(str)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncLogPanel")
        self.db = db
        self.log = SyncLog(db)
        self.connection_id: int | None = None
        self.instance_url = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("Every sync from Salesforce and every note or task sent to it. Entries are kept "
                       "for 90 days. Double-click a row to open the item.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        filters = QHBoxLayout()
        self.period = QComboBox()
        self.period.setObjectName("syncLogPeriod")
        self.period.setAccessibleName("Period")
        for label, span in PERIODS:
            self.period.addItem(label, span)
        self.period.setCurrentIndex(1)
        self.direction = QComboBox()
        self.direction.setObjectName("syncLogDirection")
        self.direction.setAccessibleName("Direction")
        self.direction.addItem("Both directions", None)
        self.direction.addItem("From Salesforce", "pull")
        self.direction.addItem("To Salesforce", "push")
        self.outcome = QComboBox()
        self.outcome.setObjectName("syncLogOutcome")
        self.outcome.setAccessibleName("Outcome")
        self.object = QComboBox()
        self.object.setObjectName("syncLogObject")
        self.object.setAccessibleName("Record type")
        self._fill_choices([], [])
        self.step = QComboBox()
        self.step.setObjectName("syncLogStep")
        self.step.setAccessibleName("Sync step")
        self.step.addItem("All steps", None)
        for step in SyncStep:
            self.step.addItem(STEP_NAMES[step], step)
        # Two short rows rather than one long one: at the window's smallest size every menu stays readable.
        second = QHBoxLayout()
        for row, caption, combo in ((filters, "Show", self.period), (filters, None, self.direction),
                                    (filters, "Step", self.step),
                                    (second, "Outcome", self.outcome), (second, "Type", self.object)):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            if caption:
                row.addWidget(QLabel(caption))
            row.addWidget(combo)
        filters.addStretch(1)
        second.addStretch(1)
        self.count = QLabel()
        self.count.setObjectName("syncLogCount")
        filters.addWidget(self.count)
        layout.addLayout(filters)
        layout.addLayout(second)

        self.model = SyncLogModel(self)
        self.proxy = SyncLogFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("syncLogTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in (0, 1, 2, 4, 6):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, 230)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)

        actions = QHBoxLayout()
        self.open_local = QPushButton("Open item")
        self.open_local.setObjectName("syncLogOpenItem")
        self.open_remote = QPushButton("Open in Salesforce")
        self.open_remote.setObjectName("syncLogOpenInSalesforce")
        self.copy_id = QPushButton("Copy Id")
        self.copy_id.setObjectName("syncLogCopyId")
        self.copy_id.setToolTip("Copy the record's Salesforce Id (for support)")
        self.export = QPushButton("Export CSV…")
        self.export.setObjectName("syncLogExport")
        self.export.setToolTip("Save the rows shown as a CSV file for support")
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("syncLogRefresh")
        actions.addWidget(self.open_local)
        actions.addWidget(self.open_remote)
        actions.addWidget(self.copy_id)
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)
        actions.addWidget(self.export)
        layout.addLayout(actions)
        self.status = QLabel()
        self.status.setObjectName("syncLogStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.period.currentIndexChanged.connect(lambda _i: aio.start(self.refresh()))
        self.refresh_button.clicked.connect(lambda: aio.start(self.refresh()))
        for combo in (self.direction, self.step, self.outcome, self.object):
            combo.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.open_local.clicked.connect(self.open_current_item)
        self.open_remote.clicked.connect(self.open_current_record)
        self.copy_id.clicked.connect(self.copy_current_id)
        self.export.clicked.connect(aio.slot(self.choose_export_file))
        self._update_actions()

    # -- data -------------------------------------------------------------------------------------------
    def set_connection(self, connection_id: int | None, instance_url: str) -> None:
        self.connection_id, self.instance_url = connection_id, instance_url

    async def refresh(self) -> None:
        cid = self.connection_id
        if cid is None:
            self.model.set_rows([])
            self._fill_choices([], [])
            self._apply_filters()
            return
        page = await self.log.recent(cid, self.period.currentData())
        self.model.set_rows(page.rows)
        self._fill_choices(page.outcomes, page.objects)
        self._apply_filters()

    def _fill_choices(self, outcomes: list[str], objects: list[str]) -> None:
        for combo, first, values, words in (
            (self.outcome, "All outcomes", outcomes, log_export.outcome_words),
            (self.object, "All types", sorted({p for o in objects for p in o.split(",") if p}),
             log_export.sobject_words),
        ):
            keep = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for value in values:
                combo.addItem(words(value), value)
            found = combo.findData(keep)
            combo.setCurrentIndex(max(0, found))
            combo.blockSignals(False)

    def current_step(self) -> SyncStep | None:
        value = self.step.currentData()
        return SyncStep(value) if value else None

    def show_step(self, step: SyncStep | None) -> None:
        """Only ``step``'s entries (None: every step), in either direction, whatever their outcome or type."""
        for combo in (self.direction, self.outcome, self.object):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.step.setCurrentIndex(max(0, self.step.findData(step)))
        self._apply_filters()

    def _apply_filters(self) -> None:
        self.proxy.set_filters(outcome=self.outcome.currentData(), object_=self.object.currentData(),
                               direction=self.direction.currentData(), step=self.current_step())
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(f"{shown:,} of {counted(total, 'entry', 'entries')}" if shown != total
                           else counted(total, "entry", "entries"))
        self.export.setEnabled(shown > 0)
        self._update_actions()

    # -- actions ----------------------------------------------------------------------------------------
    def current_row(self) -> LogRow | None:
        index = self.table.currentIndex()
        return self.proxy.data(index.siblingAtColumn(0), ROW_ROLE) if index.isValid() else None

    def _update_actions(self) -> None:
        row = self.current_row()
        self.open_local.setEnabled(bool(row and row.item_kind and row.item_id is not None))
        self.open_remote.setEnabled(bool(row and row.record_id and self.instance_url))
        self.copy_id.setEnabled(bool(row and row.record_id))

    def open_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if row.item_kind and row.item_id is not None:
            self.open_current_item()
        else:
            self.open_current_record()

    def copy_current_id(self) -> None:
        row = self.current_row()
        if row is not None and row.record_id:
            QGuiApplication.clipboard().setText(row.record_id)
            self.status.setText(f"Copied {row.record_id}.")

    def open_current_item(self) -> None:
        row = self.current_row()
        if row is not None and row.item_kind and row.item_id is not None:
            self.open_item_requested.emit(row.item_kind, row.item_id)

    def open_current_record(self) -> None:
        row = self.current_row()
        url = log_export.record_url(self.instance_url, row.record_id if row else None)
        if url:
            self.open_url_requested.emit(url)

    def export_csv(self, path: Path) -> int:
        """Write the rows shown (filtered, in the shown order); returns how many."""
        rows = self.proxy.visible_rows()
        path.write_text(log_export.csv_text(rows, self.instance_url), encoding="utf-8", newline="")
        self.status.setText(f"Saved {counted(len(rows), 'entry', 'entries')} to {path}.")
        return len(rows)

    async def choose_export_file(self) -> None:
        dialog = QFileDialog(self, "Export the sync log", str(Path.home() / "notebridge-sync-log.csv"),
                             "CSV files (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("csv")
        if await aio.run_dialog(dialog) and dialog.selectedFiles():
            try:
                self.export_csv(Path(dialog.selectedFiles()[0]))
            except OSError as exc:
                self.status.setText(f"Could not save the file: {exc.strerror or exc}.")
