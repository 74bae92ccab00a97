"""The contact list view: a ``QListView`` that does not lay out 100,000 rows again every time a
block of rows arrives from the database.

``QListView`` answers *any* ``dataChanged`` by scheduling a full re-layout (its list-mode layout
walks every row of the model; see ``QCommonListViewBase::dataChanged`` in qlistview.cpp).  The
lazy model emits ``dataChanged`` each time a block of rows (``BLOCK``) is loaded, so with 100,000 clients
every scroll step cost two model calls per row — measured: ~110 ms per step, a frozen list.  Every
row here has the same size (``uniformItemSizes``), so a change of content never changes the layout:
repainting the changed rows (what ``QAbstractItemView.dataChanged`` does, including the
accessibility notification) is all that is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

Index = QModelIndex | QPersistentModelIndex


class ContactListView(QListView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUniformItemSizes(True)

    def dataChanged(self, top_left: Index, bottom_right: Index, roles: Sequence[int] = ()) -> None:
        """Repaint the changed rows without the full re-layout ``QListView`` would schedule."""
        if not self.uniformItemSizes():
            super().dataChanged(top_left, bottom_right, list(roles))
            return
        QAbstractItemView.dataChanged(self, top_left, bottom_right, list(roles))
