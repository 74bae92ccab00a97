"""The task editor: subject, due date, a reminder where the org allows one, the org's own
status/priority values, assignee, related person and account (none when the person is a Lead —
Salesforce does not allow it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.clients import ContactSummary
from app.services.drafts import (
    TASK_DESCRIPTION_MAX,
    TASK_SUBJECT_MAX,
    Drafts,
    ItemKind,
    LimitProblem,
    TaskDraft,
    TaskPicklists,
    reminder_problems,
    task_problems,
)
from app.services.workspace import Database
from app.ui import aio
from app.ui.editor.client_chooser import ClientChooser
from app.ui.editor.draft_editor import DraftEditor
from app.ui.editor.reminder_field import ReminderField
from app.ui.widgets.inline_message import InlineMessage
from app.ui.widgets.stored_choice import select_stored, unset_label


class _Description(QPlainTextEdit):
    parent_editor: DraftEditor  # set by the task editor that owns it

    def focusOutEvent(self, event: Any) -> None:
        super().focusOutEvent(event)
        self.parent_editor.autosave.flush_soon()


class TaskEditor(DraftEditor):
    KIND = ItemKind.TASK
    person_changed = Signal(int)  # the client it is now about (chosen in the editor)

    def __init__(self, db: Database, task: TaskDraft, *, picklists: TaskPicklists,
                 users: list[tuple[str, str]], person_name: str = "", person_is_lead: bool = False,
                 account_name: str = "", drafts: Drafts | None = None, parent: QWidget | None = None) -> None:
        super().__init__(db, task, parent, drafts=drafts)
        self.setObjectName("taskEditor")
        self.chooser: ClientChooser | None = None  # open while the advisor chooses a client
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        form = QFormLayout()
        self.subject = QLineEdit()
        self.subject.setObjectName("taskSubject")
        self.subject.setPlaceholderText("e.g. Send the IRA transfer form")
        subject_row = QHBoxLayout()
        subject_row.addWidget(self.subject, 1)
        self.subject_count = QLabel()
        self.subject_count.setObjectName("taskSubjectCount")
        subject_row.addWidget(self.subject_count)
        form.addRow("Subject", subject_row)

        due_row = QHBoxLayout()
        self.has_due = QCheckBox("Due")
        self.has_due.setObjectName("taskHasDue")
        self.due = QDateEdit()
        self.due.setObjectName("taskDue")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("d MMM yyyy")
        due_row.addWidget(self.has_due)
        due_row.addWidget(self.due, 1)
        form.addRow("Due date", due_row)

        self.reminder = ReminderField()
        self.reminder.set_allowed(picklists.reminders)
        form.addRow("Reminder", self.reminder)

        self.status = QComboBox()
        self.status.setObjectName("taskStatus")
        self.priority = QComboBox()
        self.priority.setObjectName("taskPriority")
        self._add_values(picklists)
        form.addRow("Status", self.status)
        form.addRow("Priority", self.priority)

        self.owner = QComboBox()
        self.owner.setObjectName("taskOwner")
        for user_id, name in users:
            self.owner.addItem(name, user_id)
        form.addRow("Assigned to", self.owner)
        self._picklists = picklists

        self.person = QLabel(person_name or "—")
        self.person.setObjectName("taskPerson")
        person_row = QHBoxLayout()
        person_row.addWidget(self.person, 1)
        # A task started on its own (Ctrl+T, the Outbox) says who it is about here; a sent one keeps its.
        self.choose_client = QPushButton("Change…" if person_name else "Choose a client…")
        self.choose_client.setObjectName("taskChooseClient")
        self.choose_client.setVisible(task.remote_id is None)
        self.choose_client.clicked.connect(aio.slot(self.choose_person))
        person_row.addWidget(self.choose_client)
        form.addRow("Related to (person)", person_row)
        self.account = QLabel("— (not possible for a lead)" if person_is_lead else (account_name or "—"))
        self.account.setObjectName("taskAccount")
        self.account.setEnabled(not person_is_lead)
        form.addRow("Related to (account)", self.account)
        layout.addLayout(form)
        # Apart from the limits banner: that one is cleared on every keystroke, this one is not.
        self.choices_notice = InlineMessage(name="taskChoicesNotice")
        layout.addWidget(self.choices_notice)

        self.description = _Description()
        self.description.parent_editor = self
        self.description.setObjectName("taskDescription")
        self.description.setPlaceholderText("Details (optional)")
        layout.addWidget(self.description, 1)
        self.description_count = QLabel()
        self.description_count.setObjectName("taskDescriptionCount")
        layout.addWidget(self.description_count, 0, Qt.AlignmentFlag.AlignRight)
        problems = InlineMessage(name="taskProblems")
        layout.addWidget(problems)

        self._finish(layout, problems, state_name="taskState", push_name="taskPush")
        self.subject.textChanged.connect(self._changed)
        self.description.textChanged.connect(self._changed)
        self.has_due.toggled.connect(self._changed)
        self.due.dateChanged.connect(self._changed)
        self.reminder.changed.connect(self._changed)
        for combo in (self.status, self.priority, self.owner):
            combo.currentIndexChanged.connect(self._changed)
        self.subject.editingFinished.connect(self.autosave.flush_soon)

    def focus_first_field(self) -> None:
        """A new window starts where the advisor types first: the subject."""
        self.subject.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def task(self) -> TaskDraft:
        return self.draft

    def _fill(self, task: TaskDraft) -> None:
        self.subject.setText(task.subject)
        self.has_due.setChecked(task.due_date is not None)
        due = task.due_date or date.today()
        self.due.setDate(QDate(due.year, due.month, due.day))
        # The stored value, always: an index or a default never stands in for it (see stored_choice).
        pushed = task.remote_id is not None
        lists = self._picklists
        for combo, value, when_new in (
                (self.status, task.status, _org_default(lists.default_status)),
                (self.priority, task.priority, _org_default(lists.default_priority)),
                (self.owner, task.owner_id, "You (the signed-in user)")):
            select_stored(combo, value, unset_label(pushed, when_new))
        due_at = datetime.combine(task.due_date, time(9)).astimezone() if task.due_date else None
        self.reminder.fill(task.reminder_set, task.reminder_at, pushed=pushed, due=due_at)
        self.description.setPlainText(task.description)

    # -- who it is about -------------------------------------------------------------------------------
    async def choose_person(self) -> ContactSummary | None:
        """"Choose a client…": pick from the workspace; the task is saved about them at once."""
        self.chooser = ClientChooser(self.db, self.draft.connection_id, self)
        try:
            person = await self.chooser.pick()
        finally:
            self.chooser = None
        if person is not None:
            await self.relate_to(person)
        return person

    async def relate_to(self, person: ContactSummary) -> None:
        await self.autosave.flush()  # what is typed goes first, then the new person in its own save
        self.draft = await self.drafts.save(self.KIND, self.draft.id, {"contact_id": person.id})
        is_lead = person.source_object == "Lead"
        self.person.setText(person.name or "—")
        account = person.name if person.source_object == "Account" else (person.account_name or "—")
        self.account.setText("— (not possible for a lead)" if is_lead else account)
        self.account.setEnabled(not is_lead)
        self.choose_client.setText("Change…")
        self.person_changed.emit(person.id)

    # -- the org's status and priority values ----------------------------------------------------------
    def _add_values(self, lists: TaskPicklists) -> None:
        for combo, values in ((self.status, lists.statuses), (self.priority, lists.priorities)):
            for value in values:
                combo.addItem(value, value)

    def show_choices_loading(self) -> None:
        self.choices_notice.show_message("info", "Loading your org's status and priority values…")

    def set_choices(self, lists: TaskPicklists, problem: str = "") -> None:
        """The org's values arrived (or could not): offer them, keeping what is chosen on screen."""
        if lists.statuses and lists.priorities and lists != self._picklists:
            shown = (self.status.currentData(), self.priority.currentData())
            self._picklists = lists
            self._loading = True  # a refilled list is not an edit: nothing is saved for it
            try:
                self.status.clear()
                self.priority.clear()
                self._add_values(lists)
                pushed = self.task.remote_id is not None
                select_stored(self.status, shown[0], unset_label(pushed, _org_default(lists.default_status)))
                select_stored(self.priority, shown[1], unset_label(pushed, _org_default(lists.default_priority)))
            finally:
                self._loading = False
        if lists.reminders is not None and lists.reminders != self.reminder.allowed:
            self.reminder.set_allowed(lists.reminders)
        if problem:
            self.choices_notice.show_message("info", problem)
        else:
            self.choices_notice.clear()

    def values(self) -> dict[str, Any]:
        qdate = self.due.date()
        return {
            "subject": self.subject.text(),
            "due_date": date(qdate.year(), qdate.month(), qdate.day()) if self.has_due.isChecked() else None,
            "status": self.status.currentData(), "priority": self.priority.currentData(),
            "owner_id": self.owner.currentData(), "description": self.description.toPlainText(),
            **self.reminder.values(),
        }

    def as_text(self) -> str:
        values = self.values()
        lines = [f"Task: {values['subject'].strip()}"]
        if values["due_date"] is not None:
            lines.append(f"Due: {values['due_date'].isoformat()}")
        reminder = self.reminder.as_text()
        if reminder is not None:
            lines.append(f"Reminder: {reminder}")
        lines += [f"Status: {self.status.currentText()}", f"Priority: {self.priority.currentText()}",
                  f"Assigned to: {self.owner.currentText()}", f"Related to: {self.person.text()}"]
        description = values["description"].strip()
        return "\n".join(lines) + (f"\n\n{description}" if description else "") + "\n"

    def _sync_fields(self) -> None:
        self.due.setEnabled(self.has_due.isChecked())

    def _limits(self) -> list[LimitProblem]:
        subject, description = self.subject.text(), self.description.toPlainText()
        self.subject_count.setText(f"{len(subject)}/{TASK_SUBJECT_MAX}")
        self.description_count.setText(f"{len(description):,} of {TASK_DESCRIPTION_MAX:,} characters")
        problems = [p for p in task_problems(subject, description) if p.field != "subject" or subject.strip()]
        reminder = self.reminder.values()
        if reminder and not self.reminder.unchanged_since_sent():
            problems += reminder_problems(reminder["reminder_set"], reminder["reminder_at"], datetime.now(UTC))
        return problems


def _org_default(value: str | None) -> str:
    return f"Org default ({value})" if value else "Org default"
