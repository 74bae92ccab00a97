"""Both versions of a conflicting record side by side, and the three ways out."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

_FIELD_LABELS = {"Subject": "Subject", "ActivityDate": "Due", "Status": "Status", "Priority": "Priority",
                 "Description": "Description", "Title": "Title", "Body": "Text"}


def describe(values: dict[str, Any]) -> str:
    lines = []
    for key, label in _FIELD_LABELS.items():
        if key in values and values[key] not in (None, ""):
            lines.append(f"{label}: {values[key]}")
    return "\n".join(lines)


class ConflictView(QWidget):
    """``choice`` emits "keep_mine", "take_theirs" or "save_as_new"."""

    choice = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("This changed in Salesforce after your last push. Nothing was overwritten. Choose "
                       "which version to keep:")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Yours (in Notebridge)</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Salesforce's</b>"), 0, 1)
        self.mine = QPlainTextEdit()
        self.mine.setObjectName("conflictMine")
        self.theirs = QPlainTextEdit()
        self.theirs.setObjectName("conflictTheirs")
        for box in (self.mine, self.theirs):
            box.setReadOnly(True)
            box.setMaximumHeight(160)
        grid.addWidget(self.mine, 1, 0)
        grid.addWidget(self.theirs, 1, 1)
        layout.addLayout(grid)
        buttons = QHBoxLayout()
        self.keep_mine = QPushButton("Keep mine")
        self.keep_mine.setObjectName("conflictKeepMine")
        self.keep_mine.setToolTip("Send your version, replacing the one in Salesforce")
        self.take_theirs = QPushButton("Take Salesforce's")
        self.take_theirs.setObjectName("conflictTakeTheirs")
        self.take_theirs.setToolTip("Replace your draft with the version from Salesforce; nothing is sent")
        self.save_new = QPushButton("Save mine as new")
        self.save_new.setObjectName("conflictSaveNew")
        self.save_new.setToolTip("Leave Salesforce's record as it is and push yours as a new record")
        for button, name in ((self.keep_mine, "keep_mine"), (self.take_theirs, "take_theirs"),
                             (self.save_new, "save_as_new")):
            button.clicked.connect(lambda _=False, n=name: self.choice.emit(n))
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def show_conflict(self, mine: dict[str, Any], conflict: dict[str, Any]) -> None:
        deleted = bool(conflict.get("deleted"))
        self.mine.setPlainText(describe(mine))
        self.theirs.setPlainText("(deleted in Salesforce)" if deleted else describe(conflict.get("theirs") or {}))
        self.keep_mine.setEnabled(not deleted)
        self.take_theirs.setEnabled(not deleted)
