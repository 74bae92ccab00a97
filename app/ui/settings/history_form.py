"""Settings: how many clients have their Salesforce history on this computer, and what the background
sync fetches ahead for meeting prep (the meeting window, and the clients the advisor owns)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QWidget

from app.services.history import WINDOWS, PrefetchPreferences
from app.wording import counted, plural


class HistoryForm(QGroupBox):
    changed = Signal(object)  # PrefetchPreferences, when the advisor changes one

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Client history", parent)
        self.setObjectName("historyForm")
        self.count_label = QLabel()
        self.count_label.setObjectName("historyCount")
        self.count_label.setWordWrap(True)
        self.window_box = QComboBox()
        self.window_box.setObjectName("historyWindow")
        for days in WINDOWS:
            self.window_box.addItem(f"Meetings in the next {days} days", days)
        self.owned = QCheckBox("Also the clients I own")
        self.owned.setObjectName("historyOwned")
        form = QFormLayout(self)
        form.addRow(self.count_label)
        form.addRow("Fetch ahead for", self.window_box)
        form.addRow("", self.owned)
        self._loading = False
        self.window_box.currentIndexChanged.connect(self._emit)
        self.owned.toggled.connect(self._emit)

    def set_state(self, prefs: PrefetchPreferences, clients: int) -> None:
        self._loading = True
        try:
            self.window_box.setCurrentIndex(max(0, self.window_box.findData(prefs.window_days)))
            self.owned.setChecked(prefs.owned_clients)
        finally:
            self._loading = False
        self.set_count(clients)

    def set_count(self, clients: int) -> None:
        self.count_label.setText(
            f"{counted(clients, 'client')} {plural(clients, 'has', 'have')} their notes, tasks and meetings on this "
            "computer, ready offline. The background sync keeps those of your coming meetings up to date.")

    def preferences(self) -> PrefetchPreferences:
        return PrefetchPreferences(int(self.window_box.currentData()), self.owned.isChecked())

    def _emit(self, *_: object) -> None:
        if not self._loading:
            self.changed.emit(self.preferences())
