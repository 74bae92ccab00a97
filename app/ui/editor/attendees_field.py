"""A meeting's "Also attending": people from the workspace, added with the client chooser.

The client the meeting is logged on is its main attendee; the people here are the others.  What
becomes of them in Salesforce depends on the org (related to the meeting, or named in its
description), and the hint under the list says which before Push (``app/services/meeting_attendees.py``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from app.services.meeting_attendees import UNKNOWN_WORDS
from app.services.workspace import Database
from app.ui import aio
from app.ui.editor.client_chooser import ClientChooser, describe

CHOOSER_INTRO = "Who else is at this meeting? Type part of a name, e-mail or phone number."
NOT_A_PERSON = "A household or company can't attend a meeting: choose a person."
ALREADY = "is the client this meeting is logged on: they attend already."


class AttendeesField(QWidget):
    """The other attendees; ``changed`` when one is added or removed (saved like any edit)."""

    changed = Signal()

    def __init__(self, db: Database, connection_id: int, client_id: int | None) -> None:
        super().__init__()
        self.db = db
        self.connection_id = connection_id
        self.client_id = client_id
        self.chooser: ClientChooser | None = None
        self._people: list[dict[str, Any]] = []
        self.list = QListWidget()
        self.list.setObjectName("activityAttendeesList")
        self.list.setAccessibleName("Also attending")
        self.list.setMaximumHeight(90)
        self.add_button = QPushButton("Add someone…")
        self.add_button.setObjectName("activityAddAttendee")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("activityRemoveAttendee")
        self.remove_button.setEnabled(False)
        self.message = QLabel("")
        self.message.setObjectName("activityAttendeesMessage")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self.hint = QLabel(UNKNOWN_WORDS)
        self.hint.setObjectName("activityAttendeesHint")
        self.hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.list, self.message, self.hint):
            layout.addWidget(widget)
        layout.insertLayout(1, buttons)
        self.add_button.clicked.connect(lambda: aio.start(self.choose(), name="add-attendee"))
        self.remove_button.clicked.connect(self.remove_current)
        self.list.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0 and self.isEnabled()))

    # -- the value ---------------------------------------------------------------------------------------
    def people(self) -> list[dict[str, Any]]:
        return [dict(p) for p in self._people]

    def set_people(self, value: Any) -> None:
        self._people = [dict(p) for p in value if isinstance(p, dict)] if isinstance(value, list | tuple) else []
        self._show()

    def set_sharing(self, words: str) -> None:
        """What becomes of these people in this org, in plain words."""
        self.hint.setText(words)

    def _show(self) -> None:
        self.list.clear()
        for person in self._people:
            item = QListWidgetItem(str(person.get("name") or "(no name)"))
            item.setData(Qt.ItemDataRole.UserRole, person.get("id"))
            self.list.addItem(item)
        self.list.setVisible(bool(self._people))
        self.remove_button.setVisible(bool(self._people))

    # -- adding and removing -------------------------------------------------------------------------------
    async def choose(self) -> None:
        """"Add someone…": pick a person from the workspace."""
        self.chooser = ClientChooser(self.db, self.connection_id, self, intro=CHOOSER_INTRO, title="Add someone")
        try:
            person = await self.chooser.pick()
        finally:
            self.chooser = None
        if person is None or not aio.alive(self):
            return
        if person.source_object == "Account":
            self._say(NOT_A_PERSON)
        elif person.id == self.client_id:
            self._say(f"{describe(person)} {ALREADY}")
        elif all(p.get("id") != person.id for p in self._people):
            self._people.append({"id": person.id, "sf_id": person.sf_id, "name": person.name})
            self._say("")
            self._show()
            self.changed.emit()

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self._people):
            del self._people[row]
            self._show()
            self.changed.emit()

    def _say(self, words: str) -> None:
        self.message.setText(words)
        self.message.setVisible(bool(words))


__all__ = ["AttendeesField"]
