"""The task editor's "Remind me": a checkbox and a date-time, where the org lets us set a reminder.

Salesforce's Task has ``IsReminderSet`` and ``ReminderDateTime``, but field-level security can hide
them; whether this org shows them comes with the cached Status/Priority values
(``TaskPicklists.reminders``).  Where it does not, or it is not known yet, the control is replaced
by a sentence saying so, and the draft's reminder is left as it is.

What is saved is what the advisor sees.  A draft whose reminder was never chosen (``reminder_set``
None) stays unchosen until the advisor ticks or unticks the box, so a re-send of a task already in
Salesforce leaves the record's own reminder alone; it says "As in Salesforce" meanwhile.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QLabel, QWidget

from app.ui.widgets.stored_choice import AS_IN_SALESFORCE

NOT_ALLOWED = ("Your Salesforce org does not let you set reminders on tasks, so this task is sent "
               "without one.")
NOT_KNOWN = ("Reminders: Notebridge has not yet asked your Salesforce org whether you may set them; it "
             "asks at the next sync.")


class ReminderField(QWidget):
    """``changed`` fires on the advisor's edits only (never while a draft is being shown)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox("Remind me")
        self.enabled.setObjectName("taskHasReminder")
        self.when = QDateTimeEdit()
        self.when.setObjectName("taskReminder")
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("d MMM yyyy HH:mm")
        self.as_in_salesforce = QLabel(AS_IN_SALESFORCE)
        self.as_in_salesforce.setObjectName("taskReminderKept")
        self.unavailable = QLabel()
        self.unavailable.setObjectName("taskReminderUnavailable")
        self.unavailable.setWordWrap(True)
        row.addWidget(self.enabled)
        row.addWidget(self.when, 1)
        row.addWidget(self.as_in_salesforce)
        row.addWidget(self.unavailable, 1)
        self._allowed: bool | None = None
        self._chosen = False  # the advisor ticked or unticked the box, or the draft holds a choice
        self._pushed = False
        self._stored: tuple[bool | None, datetime | None] = (None, None)
        self._filling = False
        self.enabled.toggled.connect(self._toggled)
        self.when.dateTimeChanged.connect(self._edited)
        self.set_allowed(None)

    # -- what the org allows ---------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return self._allowed is True

    @property
    def allowed(self) -> bool | None:
        """What the org said (None: not asked yet)."""
        return self._allowed

    def set_allowed(self, allowed: bool | None) -> None:
        """``allowed``: the org lets this user write the reminder (None: not asked yet)."""
        self._allowed = allowed
        self.enabled.setVisible(allowed is True)
        self.when.setVisible(allowed is True)
        self.unavailable.setVisible(allowed is not True)
        self.unavailable.setText(NOT_ALLOWED if allowed is False else NOT_KNOWN)
        self._sync()

    # -- the draft -------------------------------------------------------------------------------------
    def fill(self, reminder_set: bool | None, reminder_at: datetime | None, *, pushed: bool,
             due: datetime | None = None) -> None:
        self._filling = True
        try:
            self._stored = (reminder_set, reminder_at)
            self._chosen = reminder_set is not None
            self._pushed = pushed
            self.enabled.setChecked(bool(reminder_set))
            self.when.setDateTime(_qt(reminder_at or _suggested(due)))
        finally:
            self._filling = False
        self._sync()

    def values(self) -> dict[str, Any]:
        """The draft's reminder as shown; nothing (left as stored) where the org hides reminders."""
        if not self.available:
            return {}
        if not self._chosen:
            return {"reminder_set": None, "reminder_at": self._stored[1]}
        if not self.enabled.isChecked():
            return {"reminder_set": False, "reminder_at": None}
        shown, stored = self.shown_time(), self._stored[1]
        if stored is not None and shown == _to_minute(stored):
            shown = stored  # Salesforce's own seconds are kept: the advisor did not move it
        return {"reminder_set": True, "reminder_at": shown}

    def shown_time(self) -> datetime:
        """The date-time on screen (the advisor's local time) as UTC, to the minute."""
        return datetime.fromtimestamp(self.when.dateTime().toSecsSinceEpoch(), UTC).replace(second=0)

    def unchanged_since_sent(self) -> bool:
        """A task already in Salesforce whose reminder is the one it was sent with (it may have fired
        since: keeping it is not setting a past reminder)."""
        stored_set, stored_at = self._stored
        return self._pushed and bool(stored_set) and self.enabled.isChecked() and stored_at is not None \
            and self.shown_time() == _to_minute(stored_at)

    def as_text(self) -> str | None:
        if not self.available or not self._chosen or not self.enabled.isChecked():
            return None
        return self.when.dateTime().toString("d MMM yyyy HH:mm")

    # -- edits -----------------------------------------------------------------------------------------
    def _toggled(self, _checked: bool) -> None:
        if self._filling:
            return
        self._chosen = True
        self._sync()
        self.changed.emit()

    def _edited(self, *_args: object) -> None:
        if not self._filling and self.enabled.isChecked():
            self.changed.emit()

    def _sync(self) -> None:
        self.when.setEnabled(self.enabled.isChecked())
        self.as_in_salesforce.setVisible(self.available and self._pushed and not self._chosen)


def _to_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _qt(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def _suggested(due: datetime | None) -> datetime:
    """A starting time to edit from: 9:00 on the due date when that is ahead, else the next full hour."""
    now = datetime.now().astimezone()
    if due is not None and due > now:
        return due
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
