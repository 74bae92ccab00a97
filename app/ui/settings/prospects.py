"""New prospects: how people added in Notebridge reach Salesforce, and the small "Add a person" dialog.

The person exists in the workspace the moment it is added (search finds it, notes can be written about
it); it goes to Salesforce through the same outbox as notes — as a Contact with a household Account or
as a Lead with a Company, as chosen here — and notes written meanwhile follow it there.
Before adding, the workspace is checked for someone with the same e-mail; the advisor sees who and
must choose "Add anyway" to create a second record.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.services import sync_settings as prefs_mod
from app.services.events import Events
from app.services.prospects import NewPerson, People, SameEmail
from app.services.sync_settings import ProspectPreferences, explain
from app.services.workspace import Database
from app.ui import aio
from app.ui.settings.push_form import help_label
from app.ui.widgets.inline_message import InlineMessage


class ProspectsForm(QGroupBox):
    changed = Signal(object)  # ProspectPreferences
    add_person_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("New people you add", parent)
        self.setObjectName("prospectSettings")
        self.prefs = ProspectPreferences()
        self._loading = False
        layout = QVBoxLayout(self)
        layout.addWidget(help_label(explain(ProspectPreferences, "create_as"), "createAsHelp"))
        self.as_contact = QRadioButton("Contact, with an Account for the household")
        self.as_contact.setObjectName("createAsContact")
        self.as_lead = QRadioButton("Lead, with a Company")
        self.as_lead.setObjectName("createAsLead")
        group = QButtonGroup(self)
        group.addButton(self.as_contact)
        group.addButton(self.as_lead)
        layout.addWidget(self.as_contact)
        layout.addWidget(self.as_lead)
        form = QFormLayout()
        self.lead_source = QLineEdit()
        self.lead_source.setObjectName("leadSource")
        self.lead_source.setMaxLength(prefs_mod.LEAD_SOURCE_MAX + 20)
        self.lead_source.setAccessibleName("Lead Source")
        self.lead_source.setMaximumWidth(300)
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.setSpacing(2)
        box_layout.addWidget(self.lead_source)
        box_layout.addWidget(help_label(explain(ProspectPreferences, "lead_source"), "leadSourceHelp"))
        self.lead_source_message = InlineMessage(name="leadSourceMessage")
        box_layout.addWidget(self.lead_source_message)
        form.addRow("Lead Source", box)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.add_person = QPushButton("Add a person…")
        self.add_person.setObjectName("addPerson")
        self.add_person.setToolTip("Add a new client or prospect now; they go to Salesforce with your next push")
        row.addWidget(self.add_person)
        row.addStretch(1)
        self.saved = QLabel()
        self.saved.setObjectName("prospectSettingsSaved")
        row.addWidget(self.saved)
        layout.addLayout(row)

        self.as_contact.toggled.connect(lambda _on: self._commit())
        self.lead_source.editingFinished.connect(self._commit)
        self.lead_source.textChanged.connect(lambda _t: self._check_source())
        self.add_person.clicked.connect(self.add_person_clicked)

    def set_preferences(self, prefs: ProspectPreferences) -> None:
        self._loading = True
        try:
            self.prefs = prefs
            (self.as_lead if prefs.create_as == "Lead" else self.as_contact).setChecked(True)
            self.lead_source.setText(prefs.lead_source)
            self._check_source()
        finally:
            self._loading = False

    def current(self) -> ProspectPreferences:
        return dataclasses.replace(self.prefs, create_as="Lead" if self.as_lead.isChecked() else "Contact",
                                   lead_source=self.lead_source.text().strip())

    def _check_source(self) -> bool:
        problem = prefs_mod.lead_source_problem(self.lead_source.text())
        if problem:
            self.lead_source_message.show_message("error", problem)
        else:
            self.lead_source_message.clear()
        return not problem

    def _commit(self) -> None:
        if self._loading or not self._check_source():
            return
        value = self.current()
        if value != self.prefs:
            self.prefs = value
            self.changed.emit(value)


class NewPersonDialog(QDialog):
    """Name, e-mail, phone, household/company.  ``added`` carries the new contact id."""

    added = Signal(int)
    open_existing = Signal(int)

    def __init__(self, db: Database, connection_id: int, prefs: ProspectPreferences, *,
                 queue: bool = True, events: Events | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newPersonDialog")
        self.setWindowTitle("Add a person")
        self.db, self.connection_id, self.prefs, self.queue = db, connection_id, prefs, queue
        self.people = People(db, events)
        self.duplicates: list[SameEmail] = []
        self._confirmed_email: str | None = None
        self._account_edited = False
        self.contact_id: int | None = None
        lead = prefs.create_as == "Lead"
        layout = QVBoxLayout(self)
        layout.addWidget(help_label(
            f"They are added to your workspace now and go to Salesforce as a {'Lead' if lead else 'Contact'} "
            "with your next push. You can change this in Settings.", "newPersonIntro"))
        form = QFormLayout()
        self.first_name = QLineEdit()
        self.first_name.setObjectName("personFirstName")
        self.last_name = QLineEdit()
        self.last_name.setObjectName("personLastName")
        self.email = QLineEdit()
        self.email.setObjectName("personEmail")
        self.phone = QLineEdit()
        self.phone.setObjectName("personPhone")
        self.account = QLineEdit()
        self.account.setObjectName("personAccount")
        self.account.setPlaceholderText("e.g. Chen Household" if not lead else "Company or household name")
        for label, edit in (("First name", self.first_name), ("Last name", self.last_name),
                            ("E-mail", self.email), ("Phone", self.phone),
                            ("Company" if lead else "Household or company", self.account)):
            edit.setAccessibleName(label)
            form.addRow(label, edit)
        layout.addLayout(form)
        self.message = InlineMessage(name="newPersonMessage")
        self.message.link_activated.connect(self._open_duplicate)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = self.buttons.addButton("Add person", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setObjectName("newPersonAdd")
        self.add_button.setDefault(True)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)
        self.add_button.clicked.connect(aio.slot(self.submit))
        self.last_name.textChanged.connect(self._suggest_account)
        self.account.textEdited.connect(lambda _t: setattr(self, "_account_edited", True))
        self.email.textChanged.connect(lambda _t: self._reset_confirmation())
        self.resize(440, self.sizeHint().height())

    def prefill(self, person: NewPerson) -> None:
        """Start from what is already known (the workspace's search text)."""
        for edit, value in ((self.first_name, person.first_name), (self.last_name, person.last_name),
                            (self.email, person.email), (self.phone, person.phone)):
            edit.setText(value)
        if person.account_name:
            self.account.setText(person.account_name)
            self._account_edited = True
        for edit in (self.first_name, self.last_name, self.email):
            if not edit.text():
                edit.setFocus()
                break

    def person(self) -> NewPerson:
        return NewPerson(self.first_name.text(), self.last_name.text(), self.email.text(), self.phone.text(),
                         self.account.text())

    def _suggest_account(self, last: str) -> None:
        if not self._account_edited:
            self.account.setText(f"{last.strip()} Household" if last.strip() else "")

    def _reset_confirmation(self) -> None:
        if self._confirmed_email is not None:
            self._confirmed_email = None
            self.add_button.setText("Add person")
            self.message.clear()

    def _open_duplicate(self, href: str) -> None:
        if href.startswith("contact:"):
            self.open_existing.emit(int(href.split(":", 1)[1]))
            self.reject()

    async def submit(self) -> bool:
        """Validate, check for the same e-mail, add; True when the person was added."""
        person = self.person()
        problems = person.problems(self.prefs.create_as)
        if problems:
            self.message.show_message("error", problems[0], fix=" ".join(problems[1:]))
            return False
        email = person.email.strip().casefold()
        if email and self._confirmed_email != email:
            cid = self.connection_id
            self.duplicates = await self.people.same_email(cid, person.email)
            if self.duplicates:
                first = self.duplicates[0]
                more = f" and {len(self.duplicates) - 1} more" if len(self.duplicates) > 1 else ""
                self.message.show_message(
                    "warn", f"{first.name}{more} already has the e-mail {first.email}.",
                    fix="Open them instead, or choose Add anyway to create another record.",
                    link=(f"contact:{first.contact_id}", f"Open {first.name}"))
                self._confirmed_email = email
                self.add_button.setText("Add anyway")
                return False
        cid, create_as = self.connection_id, self.prefs.create_as
        self.add_button.setEnabled(False)
        try:  # one transaction: in the workspace and in the outbox, or neither
            self.contact_id = await self.people.add(cid, person, create_as, queue=self.queue)
        except ValueError as exc:
            self.message.show_message("error", str(exc))
            return False
        finally:
            self.add_button.setEnabled(True)
        self.added.emit(self.contact_id)
        self.accept()
        return True
