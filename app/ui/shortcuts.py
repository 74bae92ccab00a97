"""The keyboard shortcuts, listed in one place: the Help menu's "Keyboard shortcuts" window (also
``?``) reads this table; a new shortcut gets a line here.

Keys are written in Qt's portable form ("Ctrl+Q"); on macOS Qt shows and matches Ctrl as ⌘ (Cmd),
so "Ctrl+Q" is Cmd+Q there.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

QUIT_KEYS = "Ctrl+Q"
NEW_TASK_KEYS = "Ctrl+T"
HELP_KEYS = "?"

SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+K", "Search your clients"),
    ("/", "Search (while the client list has focus)"),
    ("Ctrl+N", "New note for the client on screen"),
    (NEW_TASK_KEYS, "New task (for the client on screen, if there is one)"),
    ("Ctrl+L", "Log a call with the client on screen"),
    ("Ctrl+1", "Go to Workspace"),
    ("Ctrl+2", "Go to Outbox"),
    ("Ctrl+3", "Go to Settings"),
    ("Ctrl+Return", "Push the note or task you are editing"),
    ("Ctrl+W", "Close the editor window"),
    (QUIT_KEYS, "Quit Notebridge (your drafts are saved first)"),
    (HELP_KEYS, "Show this list"),
)


def shown_keys(keys: str) -> str:
    """How this computer writes ``keys`` (⌘Q on macOS, Ctrl+Q elsewhere)."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.setMinimumSize(440, 360)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(SHORTCUTS), 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Keys", "What it does"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, what) in enumerate(SHORTCUTS):
            self.table.setItem(row, 0, QTableWidgetItem(shown_keys(keys)))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setWindowModality(Qt.WindowModality.NonModal)
