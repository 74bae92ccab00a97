"""Push settings: what goes to Salesforce, how it is titled, where it appears, and how much of the org's
API allowance Notebridge may use.  Every control has its one-line explanation underneath (the words
live in ``app.sync.push.preferences``), and a change is saved at once (templates after a short pause
in typing, and only when valid), so there is no Save button to forget.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.services import sync_settings as prefs_mod
from app.services.drafts import ItemKind
from app.services.sync_settings import PushPreferences, explain
from app.ui.settings.activity_sending import ActivitySending
from app.ui.widgets.inline_message import InlineMessage
from app.wording import counted

ATTACH_WORDS = {"contact": "The client", "account": "Their household or company (Account)",
                "both": "Both the client and their account"}
NOTE_TYPE_WORDS = {"ContentNote": "Enhanced Notes", "Note": "Classic Notes"}
TEMPLATE_DELAY_MS = 400
COMBO_WIDTH = 340
EDIT_WIDTH = 460


def help_label(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name or "settingHelp")
    label.setProperty("class", "settingHelp")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    font = label.font()
    font.setPointSizeF(max(7.5, font.pointSizeF() * 0.92))
    label.setFont(font)
    return label


def _with_help(control: QWidget, text: str, name: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 4)
    layout.setSpacing(2)
    layout.addWidget(control)
    layout.addWidget(help_label(text, f"{name}Help"))
    return box


class PushSettingsForm(QGroupBox):
    """Shows a :class:`PushPreferences`; emits ``changed`` with the new value after each valid edit."""

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sending to Salesforce", parent)
        self.setObjectName("pushSettings")
        self.prefs = PushPreferences()
        self._loading = False
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

        P = PushPreferences
        self.push_notes = QCheckBox("Send notes")
        self.push_notes.setObjectName("pushNotes")
        form.addRow(_with_help(self.push_notes, explain(P, "push_notes"), "pushNotes"))
        self.push_tasks = QCheckBox("Send tasks")
        self.push_tasks.setObjectName("pushTasks")
        form.addRow(_with_help(self.push_tasks, explain(P, "push_tasks"), "pushTasks"))
        self.meeting_summaries = QCheckBox("Add meeting notes to the meeting")
        self.meeting_summaries.setObjectName("meetingSummaries")
        form.addRow(_with_help(self.meeting_summaries, explain(P, "meeting_summaries"), "meetingSummaries"))

        auto_row = QWidget()
        auto = QHBoxLayout(auto_row)
        auto.setContentsMargins(0, 0, 0, 0)
        self.auto_push = QCheckBox("Send by themselves")
        self.auto_push.setObjectName("autoPush")
        self.auto_delay = QComboBox()
        self.auto_delay.setObjectName("autoPushDelay")
        self.auto_delay.setAccessibleName("Send after")
        for minutes in prefs_mod.AUTO_PUSH_DELAYS:
            self.auto_delay.addItem(_minutes(minutes), minutes)
        auto.addWidget(self.auto_push)
        auto.addWidget(QLabel("after"))
        auto.addWidget(self.auto_delay)
        auto.addStretch(1)
        form.addRow(_with_help(auto_row, f"{explain(P, 'auto_push')} {explain(P, 'auto_push_delay_minutes')}",
                               "autoPush"))

        self.note_type = QComboBox()
        self.note_type.setObjectName("noteType")
        self.note_type.setMaximumWidth(COMBO_WIDTH)
        for value in prefs_mod.NOTE_TYPES:
            self.note_type.addItem(NOTE_TYPE_WORDS[value], value)
        self.note_type_help = help_label(explain(P, "note_type"), "noteTypeHelp")
        self.note_type_reason = InlineMessage(name="noteTypeReason")
        note_box = QWidget()
        note_layout = QVBoxLayout(note_box)
        note_layout.setContentsMargins(0, 0, 0, 4)
        note_layout.setSpacing(2)
        note_layout.addWidget(self.note_type)
        note_layout.addWidget(self.note_type_help)
        note_layout.addWidget(self.note_type_reason)
        form.addRow("Notes are saved as", note_box)

        self.attach_to = QComboBox()
        self.attach_to.setObjectName("attachTo")
        self.attach_to.setMaximumWidth(COMBO_WIDTH)
        for value in prefs_mod.ATTACH_CHOICES:
            self.attach_to.addItem(ATTACH_WORDS[value], value)
        form.addRow("Notes and tasks appear on", _with_help(
            self.attach_to, explain(P, "attach_to") + " A classic note can sit on one record only; with "
            "Both it goes on the client.", "attachTo"))

        self.note_template = QLineEdit()
        self.note_template.setObjectName("noteTitleTemplate")
        self.note_template.setMaximumWidth(EDIT_WIDTH)
        self.note_preview = QLabel()
        self.note_preview.setObjectName("noteTitlePreview")
        self.note_template_message = InlineMessage(name="noteTemplateMessage")
        form.addRow("Note titles", self._template_box(self.note_template, self.note_preview,
                                                      self.note_template_message, ItemKind.NOTE))
        self.task_template = QLineEdit()
        self.task_template.setObjectName("taskTitleTemplate")
        self.task_template.setMaximumWidth(EDIT_WIDTH)
        self.task_preview = QLabel()
        self.task_preview.setObjectName("taskTitlePreview")
        self.task_template_message = InlineMessage(name="taskTemplateMessage")
        form.addRow("Task subjects", self._template_box(self.task_template, self.task_preview,
                                                        self.task_template_message, ItemKind.TASK))

        self.activities = ActivitySending()
        form.addRow("Calls, meetings, emails, opportunities", self.activities)

        self.reserve = QSpinBox()
        self.reserve.setObjectName("apiReserve")
        self.reserve.setRange(*prefs_mod.RESERVE_RANGE)
        self.reserve.setSuffix(" %")
        self.reserve.setAccessibleName("API reserve")
        self.reserve.setMaximumWidth(110)
        form.addRow("Leave for other apps", _with_help(
            self.reserve, explain(P, "api_reserve_percent") + " When only this much is left, Notebridge "
            "pauses sending and resumes by itself as usage rolls off.", "apiReserve"))

        self.saved = QLabel()
        self.saved.setObjectName("pushSettingsSaved")
        form.addRow(self.saved)

        self._template_timer = QTimer(self)
        self._template_timer.setSingleShot(True)
        self._template_timer.setInterval(TEMPLATE_DELAY_MS)
        self._template_timer.timeout.connect(self._commit)
        for box in (self.push_notes, self.push_tasks, self.meeting_summaries, self.auto_push):
            box.toggled.connect(lambda _on: self._commit())
        for combo in (self.auto_delay, self.note_type, self.attach_to):
            combo.currentIndexChanged.connect(lambda _i: self._commit())
        self.reserve.valueChanged.connect(lambda _v: self._commit())
        self.note_template.textChanged.connect(lambda _t: self._template_edited())
        self.task_template.textChanged.connect(lambda _t: self._template_edited())
        self.activities.toggled.connect(self._commit)
        self.activities.edited.connect(self._template_edited)
        self.auto_push.toggled.connect(self.auto_delay.setEnabled)

    def _template_box(self, edit: QLineEdit, preview: QLabel, message: InlineMessage, kind: ItemKind) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        layout.addWidget(edit)
        preview.setWordWrap(True)
        layout.addWidget(preview)
        known = prefs_mod.placeholders(kind)
        names = ", ".join(f"{{{name}}}" for name in known)
        field = "note_title_template" if kind == ItemKind.NOTE else "task_title_template"
        explanation = explain(PushPreferences, field)
        hint = help_label(f"{explanation} You can use {names}.", f"{kind}TemplateHelp")
        hint.setToolTip("\n".join(f"{{{name}}}: {meaning}" for name, meaning in known.items()))
        edit.setToolTip(hint.toolTip())
        layout.addWidget(hint)
        layout.addWidget(message)
        return box

    # -- showing ----------------------------------------------------------------------------------------
    def set_preferences(self, prefs: PushPreferences) -> None:
        self._loading = True
        try:
            self.prefs = prefs
            self.push_notes.setChecked(prefs.push_notes)
            self.push_tasks.setChecked(prefs.push_tasks)
            self.meeting_summaries.setChecked(prefs.meeting_summaries)
            self.auto_push.setChecked(prefs.auto_push)
            self.auto_delay.setEnabled(prefs.auto_push)
            index = self.auto_delay.findData(prefs.auto_push_delay_minutes)
            if index < 0:
                self.auto_delay.addItem(_minutes(prefs.auto_push_delay_minutes), prefs.auto_push_delay_minutes)
                index = self.auto_delay.count() - 1
            self.auto_delay.setCurrentIndex(index)
            self.note_type.setCurrentIndex(max(0, self.note_type.findData(prefs.note_type)))
            self.attach_to.setCurrentIndex(max(0, self.attach_to.findData(prefs.attach_to)))
            self.note_template.setText(prefs.note_title_template)
            self.task_template.setText(prefs.task_title_template)
            self.reserve.setValue(prefs.api_reserve_percent)
            self.activities.set_preferences(prefs)
            self._show_template_checks()
        finally:
            self._loading = False

    def set_note_type_support(self, content_note: tuple[bool, str]) -> None:
        """Disable Enhanced Notes (with the reason) when the org cannot create them."""
        available, reason = content_note
        model = self.note_type.model()
        assert isinstance(model, QStandardItemModel)  # a combo box's own model
        item = model.item(self.note_type.findData("ContentNote"))
        item.setEnabled(available)
        if available:
            self.note_type_reason.clear()
        else:
            self.note_type_reason.show_message("warn", "Enhanced Notes are not available.", fix=reason)

    def current(self) -> PushPreferences:
        return dataclasses.replace(
            self.prefs,
            push_notes=self.push_notes.isChecked(), push_tasks=self.push_tasks.isChecked(),
            meeting_summaries=self.meeting_summaries.isChecked(), auto_push=self.auto_push.isChecked(),
            auto_push_delay_minutes=int(self.auto_delay.currentData()),
            note_type=str(self.note_type.currentData()), attach_to=self.attach_to.currentData(),
            note_title_template=self.note_template.text(), task_title_template=self.task_template.text(),
            api_reserve_percent=self.reserve.value(),
            activities_off=self.activities.activities_off(), activity_title_templates=self.activities.templates(),
            unmatched_email=self.activities.unmatched_email(),
        )

    # -- editing ----------------------------------------------------------------------------------------
    def _template_edited(self) -> None:
        if self._loading:
            return
        self._show_template_checks()
        self._template_timer.start()

    def _show_template_checks(self) -> bool:
        ok = True
        for edit, preview, message, kind in (
            (self.note_template, self.note_preview, self.note_template_message, ItemKind.NOTE),
            (self.task_template, self.task_preview, self.task_template_message, ItemKind.TASK),
        ):
            check = prefs_mod.check_template(edit.text(), kind)
            preview.setText(f"Example: {check.preview}" if check.ok else "")
            preview.setVisible(check.ok)
            if check.problems:
                message.show_message("error", " ".join(check.problems))
                ok = False
            elif check.warnings:
                message.show_message("warn", " ".join(check.warnings))
            else:
                message.clear()
        return self.activities.show_checks() and ok

    def _commit(self) -> None:
        if self._loading:
            return
        self._template_timer.stop()
        if not self._show_template_checks():
            self.saved.setText("Not saved: fix the template above.")
            return
        value = self.current()
        if value == self.prefs:
            return
        self.prefs = value
        self.changed.emit(value)

    def show_saved(self, ok: bool, text: str = "") -> None:
        self.saved.setText(text or ("Saved." if ok else "Not saved."))


def _minutes(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return counted(hours, "hour")
    return counted(minutes, "minute")
