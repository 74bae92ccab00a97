"""The sync log's table model and its filter, for :mod:`app.ui.settings.sync_log_view`.

``SyncLogModel`` holds the rows of the chosen period; ``SyncLogFilter`` filters them by outcome, object,
direction and sync step as the menus change, without another query, and sorts by each column's key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from app.services.sync_log import KEEP_DAYS, LogRow
from app.services.sync_steps import SyncStep
from app.ui.settings import log_export
from app.ui.theme import status_colors
from app.wording import counted

COLUMNS = ("When", "Direction", "Record type", "Record", "Outcome", "Details", "API calls")
PERIODS: tuple[tuple[str, timedelta], ...] = (
    ("Last 24 hours", timedelta(hours=24)), ("Last 7 days", timedelta(days=7)),
    ("Last 30 days", timedelta(days=30)), ("Last 90 days", timedelta(days=KEEP_DAYS)),
)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
Index = QModelIndex | QPersistentModelIndex


class SyncLogModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[LogRow] = []

    def set_rows(self, rows: list[LogRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return self._sort_key(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 5:
                return log_export.error_words(row) or None
            if column == 3:
                return log_export.id_words(row) or None
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole) and column == 4:
            parent = self.parent()
            palette = parent.palette() if isinstance(parent, QWidget) else None
            if palette is None:
                return None
            background, foreground = status_colors(palette, log_export.OUTCOME_KIND.get(row.outcome, "idle"))
            return QColor(background if role == Qt.ItemDataRole.BackgroundRole else foreground)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 6:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _display(row: LogRow, column: int) -> str:
        if column == 0:
            return row.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        if column == 1:
            return log_export.direction_words(row.direction)
        if column == 2:
            return log_export.object_words(row)
        if column == 3:
            return log_export.record_words(row)
        if column == 4:
            return log_export.outcome_words(row.outcome)
        if column == 5:
            if row.step is SyncStep.PULL_HISTORY and not row.error_message:
                records = row.counts.get("written", 0) + row.counts.get("deleted", 0)
                return f"{counted(row.counts.get('clients', 0), 'client')}, {counted(records, 'record')}"
            if row.direction == "pull" and not row.error_message:
                done = sum(v for k, v in row.counts.items() if not k.startswith("skipped"))
                return counted(done, "record") if row.counts else ""
            if row.direction == "push" and row.item_kind is None and not row.error_message:
                parts = [f"{n:,} {log_export.outcome_words(k).lower()}" for k, n in row.counts.items() if n]
                return ", ".join(parts)
            return log_export.error_words(row)
        if row.item_kind is not None and not row.api_calls:
            # One call sends up to 200 items: the calls are on the push run's own row, not "0" here.
            return "—"
        return f"{row.api_calls:,}"

    @staticmethod
    def _sort_key(row: LogRow, column: int) -> Any:
        if column == 0:
            return row.started_at.timestamp()
        if column == 6:
            return row.api_calls
        return SyncLogModel._display(row, column).casefold()


class SyncLogFilter(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.outcome: str | None = None
        self.object: str | None = None
        self.direction: str | None = None
        self.step: SyncStep | None = None
        self.setSortRole(SORT_ROLE)

    def set_filters(self, *, outcome: str | None, object_: str | None, direction: str | None,
                    step: SyncStep | None = None) -> None:
        self.beginFilterChange()  # Qt ≥ 6.9: announce, change, then re-filter (invalidateFilter is deprecated)
        self.outcome, self.object, self.direction, self.step = outcome, object_, direction, step
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        row: LogRow = model.data(model.index(source_row, 0, source_parent), ROW_ROLE)
        if self.outcome and row.outcome != self.outcome:
            return False
        if self.direction and row.direction != self.direction:
            return False
        if self.step is not None and row.step != self.step:
            return False
        return not (self.object and self.object not in (row.object or "").split(","))

    def visible_rows(self) -> list[LogRow]:
        return [self.data(self.index(r, 0), ROW_ROLE) for r in range(self.rowCount())]
