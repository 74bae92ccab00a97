"""The search box, the client list and opening a client: one job of the workspace page.

Split from ``page.py``.  What is typed filters the list (people first, then the notes and tasks that
match, ``history_hits``); the arrows move in the list, Enter or a click opens that client in the
detail panel.  The search box is the truth for what the list shows (``requery``), not the model.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from app.ui import aio
from app.ui.workspace.hooks import PageHooks
from app.ui.workspace.layout import WorkspaceLayout
from app.ui.workspace.list_model import ContactIdRole, ContactListModel
from app.ui.workspace.scope import WorkspaceScope


class ListSearch:
    """``wire()`` once; the page calls ``requery`` and ``show`` when the list must follow a change."""

    def __init__(self, page: PageHooks, ui: WorkspaceLayout, model: ContactListModel, scope: WorkspaceScope) -> None:
        self.page = page
        self.ui = ui
        self.model = model
        self.scope = scope

    def wire(self) -> None:
        ui = self.ui
        ui.search.textChanged.connect(self.text_changed)
        ui.search.navigate.connect(self.move_current)
        ui.search.open_requested.connect(self.open_current)
        ui.search_shortcut.activated.connect(self.focus)
        ui.list_view.activated.connect(self.open_index)
        ui.list_view.selectionModel().currentChanged.connect(lambda current, _previous: self.open_index(current))
        ui.history_hits.open_hit.connect(
            lambda contact_id, history_id: aio.start(self.open_hit(contact_id, history_id), name="open-hit"))

    def focus(self) -> None:
        self.ui.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.ui.search.selectAll()

    def text_changed(self, text: str) -> None:
        aio.start(self.run(text), name="workspace-search")

    async def run(self, text: str) -> None:
        await self.model.search(text)
        if text.strip() and self.model.rowCount() > 0:
            self.ui.list_view.setCurrentIndex(self.model.index(0))
        self.page.update_state()
        await self.ui.history_hits.search(self.scope.connection_id, text)  # the second group, after the people

    async def requery(self) -> None:
        """Show the list again for what the search box says now (it is the truth, not the model)."""
        text = self.ui.search.text()
        if text.strip():
            await self.model.search(text)
        else:
            await self.model.reload()

    def move_current(self, delta: int) -> None:
        rows = self.model.rowCount()
        if rows == 0:
            return
        view = self.ui.list_view
        current = view.currentIndex()
        row = 0 if not current.isValid() and delta > 0 else max(0, min(rows - 1, current.row() + delta))
        index = self.model.index(row)
        view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        view.scrollTo(index)

    def open_current(self) -> None:
        if not self.ui.list_view.currentIndex().isValid():
            self.move_current(1)
        self.open_index(self.ui.list_view.currentIndex())

    def open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        contact_id = index.data(ContactIdRole)
        if contact_id is None:  # not loaded yet: load the row, then open it
            aio.start(self._open_row(index.row()), name="open-row")
            return
        aio.start(self.ui.detail.show_contact(int(contact_id)), name="contact-detail")

    async def _open_row(self, row: int) -> None:
        summary = await self.model.load_row(row)
        if summary is not None:
            await self.ui.detail.show_contact(summary.id)

    async def open_hit(self, contact_id: int, history_id: int) -> None:
        """A note or task found by the search: its client, with the note open."""
        self.ui.detail.timeline.pending_note = history_id  # opened as soon as the client's timeline is shown
        await self.ui.detail.show_contact(contact_id)

    async def show(self, contact_id: int, *, search: str | None = None) -> None:
        """Open ``contact_id``; with ``search``, the list first shows what that finds (the new person)."""
        box = self.ui.search
        if search is not None:
            box.blockSignals(True)
            box.setText(" ".join(search.split()))
            box.blockSignals(False)
            await self.model.search(box.text())
            self.page.update_state()
        for row in range(self.model.rowCount()):
            if self.model.index(row).data(ContactIdRole) == contact_id:
                self.ui.list_view.setCurrentIndex(self.model.index(row))
                break
        await self.ui.detail.show_contact(contact_id)
