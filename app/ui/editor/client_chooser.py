""""Choose a client…" for a task started on its own (Ctrl+T with no client on screen, the Outbox's
"New task"): search the workspace's people and households, pick one.

The search is the workspace's own (``ClientDirectory.search``, as the client list uses), so a person
is found here exactly as in the list.  Converted leads are not offered: Salesforce takes no new tasks
for them.
"""

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

from app.services.clients import ClientDirectory, ContactSummary
from app.services.workspace import Database
from app.ui import aio

RESULTS = 30
_KIND_WORDS = {"Lead": "lead", "Account": "household / account"}


def describe(person: ContactSummary) -> str:
    """"Maria Garcia · Garcia Household" — enough to tell two people of one name apart."""
    parts = [person.name or "(no name)", _KIND_WORDS.get(person.source_object, ""),
             person.account_name or "", person.city or ""]
    return " · ".join(p for p in parts if p)


class ClientChooser(QDialog):
    """``await chooser.pick()``: the person picked (None: cancelled); the dialog is gone after."""

    def __init__(self, db: Database, connection_id: int, parent: QWidget | None = None, *,
                 intro: str = "Who is this task about? Type part of a name, e-mail or phone number.",
                 title: str = "Choose a client") -> None:
        super().__init__(parent)
        self.setObjectName("clientChooser")
        self.setWindowTitle(title)
        self.resize(480, 420)
        self.directory = ClientDirectory(db)
        self.connection_id = connection_id
        self.chosen: ContactSummary | None = None
        self._request = 0
        words = QLabel(intro)
        words.setWordWrap(True)
        self.query = QLineEdit()
        self.query.setObjectName("clientChooserQuery")
        self.query.setPlaceholderText("e.g. Garcia")
        self.query.setAccessibleName("Search clients")
        self.results = QListWidget()
        self.results.setObjectName("clientChooserResults")
        self.results.setAccessibleName("Clients found")
        self.empty = QLabel("")
        self.empty.setObjectName("clientChooserEmpty")
        self.empty.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.choose_button = self.buttons.addButton("Choose", QDialogButtonBox.ButtonRole.AcceptRole)
        self.choose_button.setObjectName("clientChooserChoose")
        self.choose_button.setEnabled(False)
        layout = QVBoxLayout(self)
        for widget in (words, self.query, self.results, self.empty, self.buttons):
            layout.addWidget(widget)
        self.query.textChanged.connect(lambda text: aio.start(self.search(text), name="choose-client"))
        self.query.returnPressed.connect(self._accept_current)
        self.results.currentItemChanged.connect(
            lambda current, _previous: self.choose_button.setEnabled(current is not None))
        self.results.itemActivated.connect(lambda _item: self._accept_current())
        self.buttons.accepted.connect(self._accept_current)
        self.buttons.rejected.connect(self.reject)


    async def pick(self) -> ContactSummary | None:
        """Show the chooser window-modally (no nested event loop) and give the person picked."""
        try:
            await aio.run_dialog(self)
            return self.chosen
        finally:
            self.deleteLater()
    async def search(self, text: str) -> None:
        """Show what ``text`` finds (the newest search wins when the advisor types on)."""
        self._request += 1
        request = self._request
        hits = await self.directory.search(self.connection_id, text, RESULTS) if text.strip() else []
        if request != self._request or not aio.alive(self.results):
            return
        self.results.clear()
        for hit in hits:
            person = hit.contact
            if person.read_only:
                continue
            item = QListWidgetItem(describe(person))
            item.setData(Qt.ItemDataRole.UserRole, person)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
            self.empty.setText("")
        else:
            self.empty.setText("No client in your workspace matches that." if text.strip() else "")

    def _accept_current(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()
