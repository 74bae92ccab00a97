"""The one editor of every activity kind (a call, a meeting …), built from the kind's form.

A new kind drafted in the generic activity table gets its editor for free: one widget per form
field (date and time, minutes, a choice, a line, several lines), saving as you type, the limits
banner and Push — all of it :class:`~app.ui.editor.draft_editor.DraftEditor`, as for notes and tasks.
Times are edited in the advisor's local time and stored in UTC.  Once the activity is in Salesforce
its fields are read-only here (it is changed there).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services.activities import (
    ActivityDraftValue,
    ActivityForm,
    FieldType,
    FormField,
    activity_problems,
    activity_warnings,
    attachment_line,
    parse_day,
    parse_instant,
)
from app.services.drafts import Drafts, LimitProblem
from app.services.workspace import Database
from app.ui.editor.attendees_field import AttendeesField
from app.ui.editor.draft_editor import DraftEditor
from app.ui.widgets.inline_message import InlineMessage

PUSHED_WORDS = "This is in Salesforce now. To change it, open it in Salesforce."
ORG_DEFAULT = "The org's default"
AMOUNT_TOP = 9_999_999_999_999.0


NOT_UPLOADED_WORDS = ("Listed only: uploading attachments from Notebridge is not available yet, so these are not "
                      "sent. Add any you need to the email in Salesforce after it is pushed.")


class _Files(QListWidget):
    """A FILES field: each file listed with a box that cannot be ticked yet (and says why)."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[dict[str, Any]] = []
        self.setMaximumHeight(90)
        self.setToolTip(NOT_UPLOADED_WORDS)

    def set_files(self, files: Any) -> None:
        self.files = [dict(f) for f in files if isinstance(f, dict)] if isinstance(files, list | tuple) else []
        self.clear()
        for f in self.files:
            item = QListWidgetItem(attachment_line(f))
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable)  # shown, not enabled: ticking does nothing yet
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setToolTip(NOT_UPLOADED_WORDS)
            self.addItem(item)
        self.setVisible(bool(self.files))


class _Text(QPlainTextEdit):
    parent_editor: DraftEditor

    def focusOutEvent(self, event: Any) -> None:
        super().focusOutEvent(event)
        self.parent_editor.autosave.flush_soon()


def _qt_datetime(value: Any) -> QDateTime:
    moment = parse_instant(value) or datetime.now(UTC)
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def _instant(widget: QDateTimeEdit) -> str:
    return datetime.fromtimestamp(widget.dateTime().toSecsSinceEpoch(), UTC).isoformat()


class _Picklist(QComboBox):
    """The org's values of a picklist field; the first entry leaves it to the org's default ("")."""

    def __init__(self) -> None:
        super().__init__()
        self.addItem(ORG_DEFAULT, "")

    def set_values(self, values: tuple[str, ...], default: str | None) -> None:
        """The org's active values; a value already chosen that the org no longer offers stays, marked."""
        current = self.currentData()
        self.blockSignals(True)
        try:
            self.clear()
            self.addItem(f"{ORG_DEFAULT} ({default})" if default else ORG_DEFAULT, "")
            for value in values:
                self.addItem(value, value)
            if current and current not in values:
                self.addItem(f"{current} (not offered by your org now)", current)
            self.setCurrentIndex(max(0, self.findData(current)))
        finally:
            self.blockSignals(False)

    def show_value(self, value: str) -> None:
        if value and self.findData(value) < 0:
            self.addItem(value, value)
        self.setCurrentIndex(max(0, self.findData(value)))


class _Amount(QDoubleSpinBox):
    """An amount; 0 shows as empty and means "not given"."""

    def __init__(self) -> None:
        super().__init__()
        self.setRange(0, AMOUNT_TOP)
        self.setDecimals(2)
        self.setGroupSeparatorShown(True)
        self.setSpecialValueText("—")


class ActivityEditor(DraftEditor):
    """An editor for one activity draft; ``form`` says which fields it has."""

    def __init__(self, db: Database, draft: ActivityDraftValue, *, form: ActivityForm, person_name: str = "",
                 drafts: Drafts | None = None, parent: QWidget | None = None) -> None:
        super().__init__(db, draft, parent, drafts=drafts)
        self.KIND = form.kind
        self.form = form
        self.setObjectName("activityEditor")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.person = QLabel(f"With {person_name}" if person_name else "No client")
        self.person.setObjectName("activityPerson")
        layout.addWidget(self.person)
        self.notice = QLabel(form.notice)
        self.notice.setObjectName("activityNotice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(bool(form.notice))
        layout.addWidget(self.notice)
        rows = QFormLayout()
        self.inputs: dict[str, QWidget] = {}
        self._files_labels: tuple[QLabel, ...] = ()  # a FILES field's title and hint: shown with its files
        for field in form.fields:
            widget = self._input(field)
            widget.setObjectName(f"activity_{field.name}")
            self.inputs[field.name] = widget
            if field.type == FieldType.FILES:
                layout.addLayout(rows)
                rows = QFormLayout()
                label = QLabel(field.label)
                label.setObjectName(f"activity_{field.name}_label")
                hint = QLabel(NOT_UPLOADED_WORDS)
                hint.setObjectName(f"activity_{field.name}_hint")
                hint.setWordWrap(True)
                for shown in (label, widget, hint):
                    layout.addWidget(shown)
                self._files_labels = (label, hint)
            elif field.type in (FieldType.TEXT, FieldType.PEOPLE):
                layout.addLayout(rows)
                rows = QFormLayout()
                layout.addWidget(QLabel(field.label))
                layout.addWidget(widget, 1 if field.type == FieldType.TEXT else 0)  # the text takes the room
            else:
                rows.addRow(field.label, widget)
        layout.addLayout(rows)
        self.pushed_label = QLabel(PUSHED_WORDS)
        self.pushed_label.setObjectName("activityPushed")
        self.pushed_label.setWordWrap(True)
        layout.addWidget(self.pushed_label)
        problems = InlineMessage(name="activityProblems")
        layout.addWidget(problems)
        self._finish(layout, problems, state_name="activityState", push_name="activityPush")
        for field in form.fields:
            self._watch(field, self.inputs[field.name])

    # -- widgets per field type -------------------------------------------------------------------------
    def _input(self, field: FormField) -> QWidget:
        if field.type == FieldType.DATETIME:
            when = QDateTimeEdit()
            when.setCalendarPopup(True)
            when.setDisplayFormat("d MMM yyyy HH:mm")
            return when
        if field.type == FieldType.DATE:
            day = QDateEdit()
            day.setCalendarPopup(True)
            day.setDisplayFormat("d MMM yyyy")
            return day
        if field.type == FieldType.MONEY:
            return _Amount()
        if field.type == FieldType.PICKLIST:
            return _Picklist()
        if field.type == FieldType.MINUTES:
            minutes = QSpinBox()
            minutes.setRange(0, field.maximum or 24 * 60)
            return minutes
        if field.type == FieldType.CHOICE:
            choice = QComboBox()
            for value in field.choices:
                choice.addItem(value, value)
            return choice
        if field.type == FieldType.FILES:
            return _Files()
        if field.type == FieldType.PEOPLE:
            return AttendeesField(self.db, self.draft.connection_id, self.draft.contact_id)
        if field.type == FieldType.TEXT:
            text = _Text()
            text.parent_editor = self
            text.setPlaceholderText(field.placeholder)
            return text
        line = QLineEdit()
        line.setPlaceholderText(field.placeholder)
        return line

    def _watch(self, field: FormField, widget: QWidget) -> None:
        if isinstance(widget, AttendeesField):
            widget.changed.connect(self._changed)
        elif isinstance(widget, QDateTimeEdit):
            widget.dateTimeChanged.connect(self._changed)
        elif isinstance(widget, QSpinBox | QDoubleSpinBox):
            widget.valueChanged.connect(self._changed)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._changed)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(self._changed)
        elif isinstance(widget, QLineEdit):
            widget.textChanged.connect(self._changed)
            widget.editingFinished.connect(self.autosave.flush_soon)

    # -- DraftEditor ------------------------------------------------------------------------------------
    def focus_first_field(self) -> None:
        first = next(iter(self.inputs.values()), None)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill(self, draft: ActivityDraftValue) -> None:
        for field in self.form.fields:
            widget, value = self.inputs[field.name], draft.fields.get(field.name)
            if isinstance(widget, _Files):
                self._show_files(widget, value)
            if isinstance(widget, AttendeesField):
                widget.set_people(value)
            elif isinstance(widget, QDateEdit):
                day = parse_day(value)
                widget.setDate(QDate(day.year, day.month, day.day) if day else QDate.currentDate())
            elif isinstance(widget, QDateTimeEdit):
                widget.setDateTime(_qt_datetime(value))
            elif isinstance(widget, _Amount):
                widget.setValue(float(value or 0))
            elif isinstance(widget, _Picklist):
                widget.show_value(str(value or ""))
            elif isinstance(widget, QSpinBox):
                widget.setValue(int(value or 0))
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(str(value or ""))
            elif isinstance(widget, QLineEdit):
                widget.setText(str(value or ""))

    def _show_files(self, widget: _Files, files: Any) -> None:
        widget.set_files(files)
        for label in self._files_labels:
            label.setVisible(bool(widget.files))

    def set_files(self, name: str, files: list[dict[str, Any]]) -> None:
        """Put a list of files in the FILES field ``name`` (an email's attachments), saved like an edit."""
        widget = self.inputs.get(name)
        if isinstance(widget, _Files):
            self._show_files(widget, files)
            self._changed()

    def _value(self, widget: QWidget) -> Any:
        if isinstance(widget, _Files):
            return list(widget.files)
        if isinstance(widget, AttendeesField):
            return widget.people()
        if isinstance(widget, QDateEdit):
            return widget.date().toString("yyyy-MM-dd")
        if isinstance(widget, _Amount):
            return round(widget.value(), 2) or None
        if isinstance(widget, QDateTimeEdit):
            return _instant(widget)
        if isinstance(widget, QSpinBox):
            return widget.value()
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QLineEdit):
            return widget.text()
        return None

    def values(self) -> dict[str, Any]:
        return {"fields": {name: self._value(widget) for name, widget in self.inputs.items()}}

    def as_text(self) -> str:
        lines = [self.form.noun, self.person.text()]
        for field in self.form.fields:
            widget = self.inputs[field.name]
            shown = widget.text() if isinstance(widget, QDateTimeEdit | QSpinBox | QDoubleSpinBox | QLineEdit) else \
                widget.currentText() if isinstance(widget, QComboBox) else ""
            if isinstance(widget, _Files):
                shown = "; ".join(attachment_line(f) for f in widget.files)
            if isinstance(widget, AttendeesField):
                shown = ", ".join(str(p.get("name") or "") for p in widget.people()) or "—"
            if field.type != FieldType.TEXT:
                lines.append(f"{field.label}: {shown}")
        texts = [str(self._value(self.inputs[f.name])).strip() for f in self.form.fields if f.type == FieldType.TEXT]
        return "\n".join(lines) + "".join(f"\n\n{t}" for t in texts if t) + "\n"

    def set_picklist(self, name: str, values: tuple[str, ...], default: str | None, problem: str = "") -> None:
        """The org's values for a PICKLIST field (read while the window is open); ``problem``: why not."""
        widget = self.inputs.get(name)
        if isinstance(widget, _Picklist):
            widget.set_values(values, default)
            widget.setToolTip(problem)

    def set_sharing(self, words: str) -> None:
        """What becomes of a meeting's other attendees in this org (read while the window is open)."""
        for widget in self.inputs.values():
            if isinstance(widget, AttendeesField):
                widget.set_sharing(words)

    def _sync_fields(self) -> None:
        pushed = bool(self.draft.remote_id)
        self.pushed_label.setVisible(pushed)
        for widget in self.inputs.values():
            widget.setEnabled(not pushed)

    def _limits(self) -> list[LimitProblem]:
        if self.draft.remote_id:
            return []
        return activity_problems(self.KIND, self.values()["fields"])

    async def _refresh_state(self) -> None:
        """As the base, and once pushed the fields turn read-only without reopening the window."""
        fresh = await self.drafts.get(self.KIND, self.draft.id)
        if fresh is None or not shiboken6.isValid(self) or \
                (fresh.state, fresh.remote_id) == (self.draft.state, self.draft.remote_id):
            return
        self.draft = replace(self.draft, state=fresh.state, remote_id=fresh.remote_id)
        self._show_state(self.autosave.dirty)
        self._sync_fields()
        self._update_limits()

    def _update_limits(self) -> None:
        super()._update_limits()
        if self.draft.remote_id:  # in Salesforce: nothing more to push from here
            self.push_button.setEnabled(False)
            return
        if self.problems.message or self.autosave.last_failure is not None:
            return  # what stops Push is shown first
        warnings = activity_warnings(self.KIND, self.values()["fields"])
        if warnings:  # changed on the way (an email cut to fit): said before Push, and Push stays on
            self.problems.show_message("warn", " ".join(w.message for w in warnings))


__all__ = ["ActivityEditor"]
