"""The search field: type to filter, arrows to move through results, Enter to open, Esc to clear.

Focus stays in the field while the advisor moves through the results, so refining the query and
picking a result never needs the mouse.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

_MOVES = {
    Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10, Qt.Key.Key_PageUp: -10,
}


class SearchBox(QLineEdit):
    navigate = Signal(int)  # rows to move the current result by
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspaceSearch")
        self.setPlaceholderText("Search clients by name, e-mail, phone, household or city   (Ctrl+K or /)")
        self.setAccessibleName("Search clients")
        self.setClearButtonEnabled(True)
        self.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in _MOVES:
                self.navigate.emit(_MOVES[Qt.Key(key)])
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_requested.emit()
                return True
            if key == Qt.Key.Key_Escape and self.text():
                self.clear()
                return True
        return super().eventFilter(watched, event)
