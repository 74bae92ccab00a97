"""Page 3 — Create the app in Salesforce: numbered steps, a picture each, and values to copy.

The admin works with Salesforce Setup in the browser and this page side by side. Every value to type
there is a copy field, so nothing is retyped by hand; the callback addresses come from the same
constants the sign-in listens on, so they cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.widgets.copy_field import CopyButton, CopyField
from app.ui.widgets.illustration import Illustration
from app.ui.widgets.inline_message import InlineMessage
from app.ui.wizard import create_app_steps as steps
from app.ui.wizard.base import PageId, WizardPageBase, choice, paragraph
from app.ui.wizard.links import setup_url
from app.ui.wizard.validation import check_email

if TYPE_CHECKING:
    from app.ui.wizard.controller import WizardController

STEP_PICTURE = (132, 83)
MAX_CALLBACKS = 3


class StepCard(QFrame):
    """One numbered step: title, instructions, picture, then its copy fields."""

    def __init__(self, number: int, step: steps.Step, variant: str) -> None:
        super().__init__()
        self.setObjectName(f"wizardStep_{step.key}")
        self.setProperty("class", "wizardStepCard")
        self.setAccessibleName(f"Step {number}: {step.title}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.setSpacing(14)
        texts = QVBoxLayout()
        texts.setSpacing(4)
        title = QLabel(f"{number}. {step.title}")
        title.setObjectName("wizardStepTitle")
        title.setWordWrap(True)
        texts.addWidget(title)
        texts.addWidget(paragraph(step.text, f"wizardStepText_{step.key}", rich=True))
        texts.addStretch(1)
        top.addLayout(texts, 1)
        self.picture = Illustration(step.illustration, QSize(*STEP_PICTURE), name=f"wizardStepPicture_{step.key}",
                                    description=step.illustration_text)
        top.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.fields_layout = QVBoxLayout()
        self.fields_layout.setSpacing(8)
        layout.addLayout(self.fields_layout)


class CreateAppPage(WizardPageBase):
    page_id = PageId.CREATE_APP

    def __init__(self, controller: WizardController) -> None:
        super().__init__(
            controller,
            title="Create the app in Salesforce",
            subtitle="A Salesforce admin does this once for your company. Keep this window next to "
                     "Salesforce and copy each value with its Copy button — nothing needs retyping.",
        )
        self.demo_note = InlineMessage(name="wizardCreateAppDemoNote")
        self.body.addWidget(self.demo_note)

        switch_label = QLabel("Which kind of app does your org use?")
        switch_label.setObjectName("wizardAppKindLabel")
        switch_label.setProperty("class", "wizardSectionTitle")
        self.body.addWidget(switch_label)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        kinds = (
            ("external", "External Client App (recommended)",
             "The current way to connect apps to Salesforce."),
            ("connected", "Connected App",
             "Only if your org already has one for Notebridge, or Salesforce Support enabled new ones."),
        )
        for index, (key, label, description) in enumerate(kinds):
            button = QRadioButton(label)
            button.setObjectName(f"wizardAppKind_{key}")
            button.setAccessibleName(label)
            button.setAccessibleDescription(description)
            self.kind_group.addButton(button, index)
            self.kind_buttons[key] = button
            self.body.addWidget(choice(button, description, f"wizardAppKind_{key}"))

        setup_row = QHBoxLayout()
        self.open_setup = QPushButton("Open Salesforce Setup")
        self.open_setup.setObjectName("wizardOpenSetup")
        self.open_setup.setAccessibleName("Open Salesforce Setup in your browser")
        self.open_setup.setAutoDefault(False)
        self.open_setup.clicked.connect(self._open_setup)
        setup_row.addWidget(self.open_setup)
        self.setup_hint = QLabel("")
        self.setup_hint.setObjectName("wizardOpenSetupHint")
        self.setup_hint.setWordWrap(True)
        setup_row.addWidget(self.setup_hint, 1)
        self.body.addLayout(setup_row)

        self.email_fields: list[CopyField] = []
        self.email_messages: list[InlineMessage] = []
        self.callback_fields: list[tuple[int, CopyField]] = []
        self.variants: dict[str, QWidget] = {}
        for variant, variant_steps in steps.STEPS.items():
            holder = QWidget()
            holder.setObjectName(f"wizardSteps_{variant}")
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(12)
            for number, step in enumerate(variant_steps, start=1):
                card = StepCard(number, step, variant)
                for field in step.fields:
                    self._add_field(card.fields_layout, field, variant)
                column.addWidget(card)
            self.variants[variant] = holder
            self.body.addWidget(holder)

        self.kind_group.idToggled.connect(self._kind_toggled)
        controller.changed.connect(self._draft_changed)

    # -- building the copy fields ----------------------------------------------------------------
    def _add_field(self, layout: QVBoxLayout, field: str, variant: str) -> None:
        prefix = f"wizardCopy_{variant}_"
        if field == steps.FIELD_APP_NAME:
            label = "External Client App Name" if variant == "external" else "Connected App Name"
            layout.addWidget(CopyField(label, steps.APP_NAME, name=prefix + "appName"))
        elif field == steps.FIELD_API_NAME:
            layout.addWidget(CopyField("API Name", steps.API_NAME, name=prefix + "apiName"))
        elif field == steps.FIELD_DESCRIPTION:
            layout.addWidget(CopyField("Description", steps.DESCRIPTION, name=prefix + "description"))
        elif field == steps.FIELD_EMAIL:
            email = CopyField("Contact Email (yours — type it here once, then copy it)", "", editable=True,
                              name=prefix + "email", hint="Your email address, for example jane@example.com",
                              empty_hint="Type your email address in the box first (for example "
                                         "jane@example.com), then copy it.")
            email.edit.setPlaceholderText("jane@example.com")
            email.edit.textEdited.connect(self._email_edited)
            message = InlineMessage(name=prefix + "emailMessage")
            self.email_fields.append(email)
            self.email_messages.append(message)
            layout.addWidget(email)
            layout.addWidget(message)
        elif field == steps.FIELD_CALLBACKS:
            for index in range(MAX_CALLBACKS):
                callback = CopyField(f"Callback URL {index + 1}", "", name=f"{prefix}callback{index + 1}")
                self.callback_fields.append((index, callback))
                layout.addWidget(callback)
            both = CopyButton(lambda: "\n".join(self.controller.callback_urls), name=f"{prefix}callbackAll",
                              what="all callback URLs, one per line", label="Copy all callback URLs")
            row = QHBoxLayout()
            row.addWidget(both)
            row.addStretch(1)
            layout.addLayout(row)
        elif field == steps.FIELD_SCOPES:
            for index, (label, scope) in enumerate(steps.SCOPES):
                layout.addWidget(CopyField(f"OAuth scope {index + 1}", label, name=f"{prefix}scope_{scope}"))

    # -- page life -------------------------------------------------------------------------------
    def initializePage(self) -> None:
        draft = self.controller.draft
        self.kind_buttons[draft.app_kind].setChecked(True)
        self._show_variant(draft.app_kind)
        callbacks = self.controller.callback_urls
        for index, field in self.callback_fields:
            field.setVisible(index < len(callbacks))
            field.set_value(callbacks[index] if index < len(callbacks) else "")
        for email in self.email_fields:
            email.set_value(draft.contact_email)
        self._validate_email()
        demo = draft.path == "demo"
        if demo:
            self.demo_note.show_message(
                "info", "In the demo org this app already exists — read along to see what your admin will "
                        "do, then press Next.")
        else:
            self.demo_note.clear()
        login_url = self.controller.login_url
        self.open_setup.setEnabled(bool(login_url) and not demo)
        self.setup_hint.setText("Opens Setup in your browser; sign in as an admin if Salesforce asks."
                                if not demo else "Not needed for the demo org.")

    def _kind_toggled(self, index: int, checked: bool) -> None:
        if checked:
            kind = ("external", "connected")[index]
            self.controller.update(app_kind=kind)
            self._show_variant(kind)

    def _show_variant(self, kind: str) -> None:
        for name, widget in self.variants.items():
            widget.setVisible(name == kind)

    def _email_edited(self, text: str) -> None:
        self.controller.update(contact_email=text)
        for email in self.email_fields:
            if email.edit is not self.sender():
                email.set_value(text)
        self._validate_email()

    def _draft_changed(self, name: str) -> None:
        if name == "contact_email":
            for email in self.email_fields:
                email.set_value(self.controller.draft.contact_email)

    def _validate_email(self) -> None:
        text = self.controller.draft.contact_email
        check = check_email(text)
        for message in self.email_messages:
            if not text.strip():
                message.show_message("info", "Salesforce asks for a contact email; use your own.")
            elif check.ok:
                message.clear()
            else:
                message.show_message("error", check.message)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        text = self.controller.draft.contact_email
        return not text.strip() or check_email(text).ok

    def _open_setup(self) -> None:
        login_url = self.controller.login_url
        if login_url:
            opened = self.controller.open_url(setup_url(login_url))
            if opened is False:
                self.setup_hint.setText(f"Your browser didn't open. Go to {setup_url(login_url)} yourself.")

    def focus_first(self) -> None:
        button = self.kind_group.checkedButton()
        if button is not None:
            button.setFocus(Qt.FocusReason.TabFocusReason)

    def nextId(self) -> int:
        return int(PageId.CREDENTIALS)
