"""Pick another client for an item whose client was deleted in Salesforce."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.clients import ClientDirectory
from app.services.workspace import Database
from app.ui import aio


class AttachDialog(QDialog):
    def __init__(self, db: Database, connection_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachDialog")
        self.setWindowTitle("Attach to another client")
        self.db = db
        self.connection_id = connection_id
        self.chosen: int | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The client was deleted in Salesforce. Who should this go to instead?"))
        self.search = QLineEdit()
        self.search.setObjectName("attachSearch")
        self.search.setPlaceholderText("Search clients by name, e-mail or phone")
        layout.addWidget(self.search)
        self.results = QListWidget()
        self.results.setObjectName("attachResults")
        layout.addWidget(self.results, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Attach")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.search.textChanged.connect(aio.slot(self._find))
        self.results.itemDoubleClicked.connect(lambda *_: self._accept())
        self.resize(420, 360)

    async def _find(self, text: str) -> None:
        if len(text.strip()) < 2:
            self.results.clear()
            return
        hits = await ClientDirectory(self.db).search(self.connection_id, text, 30)
        self.results.clear()
        for hit in hits:
            c = hit.contact
            label = c.name + (f" — {c.account_name}" if c.account_name else "") + (
                " (lead)" if c.source_object == "Lead" else "")
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _accept(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.chosen = int(item.data(Qt.ItemDataRole.UserRole))
        self.accept()
