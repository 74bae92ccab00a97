"""The Drafts list on the Outbox page: notes and tasks not sent yet, to open again or discard.

An advisor looks for unsent work where sent work is tracked, so it sits at the top of the Outbox
(sidebar "Outbox", the main window's own section) and hides itself when there are no drafts.
Discarding asks first ("Discard this draft?") and can be undone from the bar that follows; the list
follows the event bus, so a draft created, queued or discarded elsewhere shows at once.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.drafts import DiscardedDraft, DraftEntry, Drafts, ItemKind
from app.services.events import ItemStateChanged
from app.ui import aio

_UNTITLED = {ItemKind.NOTE: "Untitled note", ItemKind.TASK: "Untitled task"}


def _untitled(kind: ItemKind) -> str:
    return _UNTITLED.get(kind, f"Untitled {kind.value}")


def entry_text(entry: DraftEntry) -> str:
    what = {ItemKind.NOTE: "Note", ItemKind.TASK: "Task"}.get(entry.kind, entry.kind.value.capitalize())
    client = f" · {entry.client_name}" if entry.client_name else ""
    edited = entry.updated_at.astimezone().strftime("%d %b %H:%M")
    return f"{entry.title.strip() or _untitled(entry.kind)} — {what}{client} · edited {edited}"


class DraftsSection(QWidget):
    def __init__(self, drafts: Drafts, connection_id: int, *,
                 open_item: Callable[[ItemKind, int], object] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftsSection")
        self.drafts = drafts
        self.connection_id = connection_id
        self.open_item = open_item
        self.entries: list[DraftEntry] = []
        self.last_discarded: DiscardedDraft | None = None
        self.confirm: QMessageBox | None = None  # the open "Discard this draft?" question, if any

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        top = QHBoxLayout()
        self.heading = QLabel()
        self.heading.setObjectName("draftsHeading")
        top.addWidget(self.heading, 1)
        self.open_button = QPushButton("Open")
        self.open_button.setObjectName("draftsOpen")
        self.discard_button = QPushButton("Discard…")
        self.discard_button.setObjectName("draftsDiscard")
        self.discard_button.setToolTip("Delete this draft from Notebridge (you can undo it right after)")
        top.addWidget(self.open_button)
        top.addWidget(self.discard_button)
        layout.addLayout(top)
        self.list = QListWidget()
        self.list.setObjectName("draftsList")
        self.list.setAccessibleName("Drafts")
        self.list.setMaximumHeight(140)
        layout.addWidget(self.list)
        undo_row = QHBoxLayout()
        self.undo_label = QLabel()
        self.undo_label.setObjectName("draftsUndoText")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("draftsUndo")
        undo_row.addWidget(self.undo_label, 1)
        undo_row.addWidget(self.undo_button)
        self.undo_bar = QWidget()
        self.undo_bar.setObjectName("draftsUndoBar")
        self.undo_bar.setLayout(undo_row)
        self.undo_bar.hide()
        layout.addWidget(self.undo_bar)

        self.open_button.clicked.connect(self._open_current)
        self.list.itemDoubleClicked.connect(lambda *_: self._open_current())
        self.list.currentRowChanged.connect(lambda *_: self._update_buttons())
        self.discard_button.clicked.connect(aio.slot(self.discard_current))
        self.undo_button.clicked.connect(aio.slot(self.undo))
        unsubscribe = drafts.events.subscribe(ItemStateChanged, self._item_changed)
        self.destroyed.connect(lambda *_: unsubscribe())
        self._show_entries()

    # -- reading ----------------------------------------------------------------------------------------
    async def refresh(self) -> None:
        entries = await self.drafts.list_drafts(self.connection_id)
        if aio.alive(self):
            self.entries = entries
            self._show_entries()

    def _item_changed(self, event: ItemStateChanged) -> None:
        if event.connection_id == self.connection_id and event.kind != ItemKind.PERSON:  # any kind of draft
            aio.start(self.refresh(), name="drafts-refresh")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        aio.start(self.refresh(), name="drafts-refresh")  # titles typed since are shown

    def _show_entries(self) -> None:
        current = self.current()
        self.list.clear()
        for entry in self.entries:
            item = QListWidgetItem(entry_text(entry))
            item.setData(Qt.ItemDataRole.UserRole, (entry.kind, entry.id))
            self.list.addItem(item)
            if current is not None and (entry.kind, entry.id) == (current.kind, current.id):
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.entries:
            self.list.setCurrentRow(0)
        count = len(self.entries)
        self.heading.setText(f"<b>Drafts</b> ({count}) — not sent yet" if count
                             else "<b>Drafts</b> — none: everything you wrote is below or in Salesforce")
        self.list.setVisible(bool(count))
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.current() is not None
        self.open_button.setEnabled(has and self.open_item is not None)
        self.discard_button.setEnabled(has)

    def current(self) -> DraftEntry | None:
        row = self.list.currentRow()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    # -- actions ----------------------------------------------------------------------------------------
    def _open_current(self) -> None:
        entry = self.current()
        if entry is not None and self.open_item is not None:
            self.open_item(entry.kind, entry.id)

    async def discard_current(self) -> None:
        entry = self.current()
        if entry is None:
            return
        name = entry.title.strip() or _untitled(entry.kind).lower()
        box = QMessageBox(QMessageBox.Icon.Question, "Discard draft",
                          f"Discard “{name}”? It was never sent to Salesforce. You can undo this right after.",
                          QMessageBox.StandardButton.Cancel, self)
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirm = box
        try:
            await aio.run_dialog(box)
        finally:
            self.confirm = None
        if box.clickedButton() is not discard:
            return
        discarded = await self.drafts.discard_draft(self.connection_id, entry.kind, entry.id)
        if discarded is None:
            self.undo_label.setText("That draft is no longer a draft (it was sent or queued meanwhile).")
            self.undo_button.hide()
        else:
            self.last_discarded = discarded
            self.undo_label.setText(f"Discarded “{name}”.")
            self.undo_button.show()
        self.undo_bar.show()
        await self.refresh()

    async def undo(self) -> None:
        discarded, self.last_discarded = self.last_discarded, None
        if discarded is None:
            return
        await self.drafts.restore_draft(self.connection_id, discarded)
        self.undo_bar.hide()
        await self.refresh()
