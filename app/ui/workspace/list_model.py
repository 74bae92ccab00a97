"""The contact list's model: a window over the store, never the whole table in memory.

Qt asks for rows as they scroll into view.  The model keeps a small LRU cache of fixed-size blocks
fetched with ``ClientDirectory.list_page`` (offset/limit in "last, first" order) on the database thread; a
row whose block is not cached yet shows as "Loading…" for the moment it takes to arrive.  With
100,000 contacts the model holds at most ``MAX_BLOCKS × BLOCK`` summaries (a few thousand), so
scrolling the whole list does not grow memory.

In search mode the model shows the (short, ranked) result list instead.  Every reset bumps a
generation number, so a slow answer for an old query or an old list can never overwrite a newer one.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.services.clients import ClientDirectory, ContactSummary, MatchTier, SearchHit
from app.services.workspace import Database
from app.ui import aio

SummaryRole = Qt.ItemDataRole.UserRole + 1
ContactIdRole = Qt.ItemDataRole.UserRole + 2
TierRole = Qt.ItemDataRole.UserRole + 3
SimilarRole = Qt.ItemDataRole.UserRole + 4  # True for a name one typo away from what was typed

SIMILAR_NOTE = "Similar name"

BLOCK = 100
MAX_BLOCKS = 40
SEARCH_LIMIT = 100

Index = QModelIndex | QPersistentModelIndex


class ContactListModel(QAbstractListModel):
    """``reload()`` for the list, ``search(text)`` for results; both are coroutines."""

    count_changed = Signal(int)
    search_finished = Signal(str, int)  # text, number of hits
    failed = Signal(str)

    def __init__(self, db: Database, connection_id: int | None, parent: Any = None) -> None:
        super().__init__(parent)
        self.db = db
        self.clients = ClientDirectory(db)
        self.connection_id = connection_id
        self.source_objects: tuple[str, ...] | None = None
        self.query = ""
        self.total = 0
        self._generation = 0
        self._blocks: OrderedDict[int, list[ContactSummary]] = OrderedDict()
        self._loading: dict[int, asyncio.Task[None]] = {}  # block → its read, shared by all who wait
        self._hits: list[SearchHit] | None = None
        self.fetches = 0  # blocks read from the store (for tests and the benchmark)

    # ------------------------------------------------------------------------------ public API
    @property
    def searching(self) -> bool:
        return self._hits is not None

    def cached_rows(self) -> int:
        return sum(len(block) for block in self._blocks.values()) + len(self._hits or ())

    def set_connection(self, connection_id: int | None, source_objects: Sequence[str] | None = None) -> None:
        self.connection_id = connection_id
        self.source_objects = tuple(source_objects) if source_objects else None

    async def reload(self) -> int:
        """Re-read the row count and drop the cache (after a sync, or leaving search)."""
        self._generation += 1
        generation = self._generation
        cid, sources = self.connection_id, self.source_objects
        total = 0 if cid is None else await self.clients.count(cid, sources)
        if generation != self._generation:
            return self.total
        self.beginResetModel()
        self.query, self._hits, self.total = "", None, total
        self._blocks.clear()
        self._loading.clear()
        self.endResetModel()
        self.count_changed.emit(total)
        return total

    async def search(self, text: str) -> int:
        """Show the matches for ``text`` (empty text: back to the full list)."""
        if not text.strip():
            return await self.reload()
        self._generation += 1
        generation = self._generation
        cid, sources = self.connection_id, self.source_objects
        hits: list[SearchHit] = []
        if cid is not None:
            hits = await self.clients.search(cid, text, SEARCH_LIMIT, sources)
        if generation != self._generation:
            return len(hits)
        self.beginResetModel()
        self.query, self._hits = text, hits
        self._blocks.clear()
        self._loading.clear()
        self.endResetModel()
        self.search_finished.emit(text, len(hits))
        return len(hits)

    def summary(self, row: int) -> ContactSummary | None:
        """The row's contact if it is in memory; otherwise starts loading it and returns None."""
        if row < 0:
            return None
        if self._hits is not None:
            return self._hits[row].contact if row < len(self._hits) else None
        if row >= self.total:
            return None
        block = row // BLOCK
        rows = self._blocks.get(block)
        if rows is None:
            self._request(block)
            return None
        self._blocks.move_to_end(block)
        offset = row - block * BLOCK
        return rows[offset] if offset < len(rows) else None

    async def load_row(self, row: int) -> ContactSummary | None:
        """Like ``summary`` but waits for the block (keyboard navigation, tests)."""
        found = self.summary(row)
        if found is not None or self._hits is not None or not 0 <= row < self.total:
            return found
        await asyncio.shield(self._request(row // BLOCK))  # the read the view already started, if any
        return self.summary(row)

    # ------------------------------------------------------------------------------- Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid():
            return 0
        return len(self._hits) if self._hits is not None else self.total

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        summary = self.summary(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return summary.name if summary else "Loading…"
        if role == SummaryRole:
            return summary
        if role == ContactIdRole:
            return summary.id if summary else None
        if role == TierRole and self._hits is not None and index.row() < len(self._hits):
            return int(self._hits[index.row()].tier)
        if role == SimilarRole:
            return self._similar(index.row())
        if role == Qt.ItemDataRole.ToolTipRole and self._similar(index.row()):
            return f"{SIMILAR_NOTE}: not exactly what you typed, one letter apart"
        if role == Qt.ItemDataRole.AccessibleTextRole and summary:
            note = SIMILAR_NOTE.lower() if self._similar(index.row()) else None
            parts = (summary.name, note, summary.title, summary.account_name, summary.city)
            return ", ".join(p for p in parts if p)
        return None

    def _similar(self, row: int) -> bool:
        hits = self._hits
        return hits is not None and 0 <= row < len(hits) and hits[row].tier == MatchTier.SIMILAR

    # ------------------------------------------------------------------------------- loading
    def _request(self, block: int) -> asyncio.Task[None]:
        pending = self._loading.get(block)
        if pending is None:
            pending = aio.start(self._load(block, self._generation), name="contact-list-block")
            self._loading[block] = pending
        return pending

    async def _load(self, block: int, generation: int) -> None:
        cid, sources = self.connection_id, self.source_objects
        if cid is None:
            self._loading.pop(block, None)
            return
        try:
            rows = await self.clients.list_page(cid, block * BLOCK, BLOCK, sources)
        except Exception as exc:
            if generation == self._generation:
                self._loading.pop(block, None)
            self.failed.emit(f"Could not read the client list: {exc}")
            return
        if generation != self._generation:
            return
        self._loading.pop(block, None)
        self.fetches += 1
        self._blocks[block] = rows
        self._blocks.move_to_end(block)
        while len(self._blocks) > MAX_BLOCKS:
            self._blocks.popitem(last=False)
        first = block * BLOCK
        last = min(self.rowCount(), first + BLOCK) - 1
        if self._hits is None and last >= first:  # search hits on screen: the browse rows are not shown
            self.dataChanged.emit(self.index(first), self.index(last))
