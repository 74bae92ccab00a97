"""The second group under the client list while searching: synced notes and tasks whose words
match ("RMD", "beneficiary"), each opening its client at that item.  Escaped text only."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.services.history import ClientHistory
from app.services.workspace import Database

MAX_HITS = 8


class HistoryHitsView(QWidget):
    open_hit = Signal(int, int)  # contact id, history id

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyHits")
        self.history = ClientHistory(db)
        self.label = QLabel()
        self.label.setObjectName("historyHitsList")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.linkActivated.connect(self._link)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.label)
        self._asked = ""
        self.hide()

    async def search(self, connection_id: int | None, text: str) -> None:
        self._asked = text
        if connection_id is None or len(text.strip()) < 2:
            self.hide()
            return
        hits = await self.history.search(connection_id, text, MAX_HITS)
        if text != self._asked:  # the advisor typed on
            return
        if not hits:
            self.hide()
            return
        rows = "".join(
            f'<li><a href="hit:{h.contact_id}:{h.history_id}">{html.escape(h.title or "Untitled")}</a>'
            f" — {html.escape(h.client_name)}</li>" for h in hits)
        self.label.setText(f"<b>In notes and tasks</b><ul>{rows}</ul>")
        self.show()

    def _link(self, href: str) -> None:
        parts = href.split(":")
        if len(parts) == 3 and parts[0] == "hit" and parts[1].isdigit() and parts[2].isdigit():
            self.open_hit.emit(int(parts[1]), int(parts[2]))
