"""Pick mode: search Salesforce and add chosen people to the workspace (only they are then synced)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.salesforce.errors import SalesforceError
from app.services.client_sync import PullResult, RemoteMatch
from app.ui import aio
from app.ui.widgets.inline_message import InlineMessage

Search = Callable[[str], Awaitable[list[RemoteMatch]]]
Import = Callable[[list[str]], Awaitable[PullResult]]


class PickDialog(QDialog):
    def __init__(self, search: Search, import_ids: Import, parent: QWidget | None = None,
                 initial_text: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("pickDialog")
        self.setWindowTitle("Add clients from Salesforce")
        self.resize(560, 520)
        self._search = search
        self._import = import_ids
        self.result_of_import: PullResult | None = None

        intro = QLabel("Search your Salesforce org by name or e-mail, tick the people to add, then choose "
                       "Add. Only the people you add are kept up to date.")
        intro.setWordWrap(True)
        self.query = QLineEdit(initial_text)
        self.query.setObjectName("pickQuery")
        self.query.setPlaceholderText("At least two letters, e.g. O'Brien")
        self.query.returnPressed.connect(self.start_search)
        self.search_button = QPushButton("Search Salesforce")
        self.search_button.setObjectName("pickSearch")
        self.search_button.clicked.connect(self.start_search)
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.search_button)
        self.results = QListWidget()
        self.results.setObjectName("pickResults")
        self.results.setAccessibleName("Salesforce search results")
        self.message = InlineMessage(name="pickMessage")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton("Add to workspace", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setObjectName("pickAdd")
        self.add_button.setEnabled(False)
        self.add_button.clicked.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)
        self.results.itemChanged.connect(lambda _item: self._update_add())

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def checked_ids(self) -> list[str]:
        ids = []
        for i in range(self.results.count()):
            item = self.results.item(i)
            if item.checkState() == Qt.CheckState.Checked and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                ids.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def _update_add(self) -> None:
        count = len(self.checked_ids())
        self.add_button.setEnabled(count > 0)
        self.add_button.setText(f"Add {count} to workspace" if count else "Add to workspace")

    def start_search(self) -> None:
        aio.start(self.run_search(), name="pick-search")

    def start_import(self) -> None:
        aio.start(self.run_import(), name="pick-import")

    async def run_search(self) -> list[RemoteMatch]:
        text = self.query.text().strip()
        if len(text) < 2:
            self.message.show_message("info", "Type at least two letters to search Salesforce.")
            return []
        self.search_button.setEnabled(False)
        self.message.show_message("info", "Searching Salesforce…")
        try:
            matches = await self._search(text)
        except SalesforceError as exc:
            self.message.show_message("error", "Salesforce could not be searched.", fix=str(exc))
            return []
        finally:
            self.search_button.setEnabled(True)
        self.results.clear()
        for match in matches:
            line = " · ".join(p for p in (match.object if match.object != "Contact" else None, match.detail,
                                          match.email, match.phone) if p)
            item = QListWidgetItem(f"{match.name}\n{line}" if line else match.name)
            item.setData(Qt.ItemDataRole.UserRole, match.sf_id)
            if match.in_workspace:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
                item.setText(item.text() + "   (already in your workspace)")
                item.setCheckState(Qt.CheckState.Checked)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            self.results.addItem(item)
        if matches:
            self.message.show_message("info", f"{len(matches)} found. Tick the people to add.")
        else:
            self.message.show_message("info", f"Nobody in Salesforce matches “{text}”.")
        self._update_add()
        return matches

    async def run_import(self) -> PullResult | None:
        ids = self.checked_ids()
        if not ids:
            return None
        self.add_button.setEnabled(False)
        self.message.show_message("info", f"Adding {len(ids)} from Salesforce…")
        result = await self._import(ids)
        self.result_of_import = result
        if result.ok:
            self.message.show_message("ok", result.message)
            self.accept()
        else:
            self.message.show_message("error", "The people could not be added.", fix=result.message)
            self._update_add()
        return result
