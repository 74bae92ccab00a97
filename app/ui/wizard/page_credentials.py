"""Page 4 — Credentials: the Consumer Key (required) and Secret (optional), checked as typed.

Pasting is where these go wrong: a key copied with its label, a line break in the middle, the key
and the secret the wrong way round. Each gets its own message. The secret is never written to the
workspace: it goes to the keyring under the wizard draft until sign-in files it with the connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from app.ui.widgets.inline_message import InlineMessage
from app.ui.widgets.secret_field import SecretField
from app.ui.wizard.base import PageId, WizardPageBase, paragraph
from app.ui.wizard.validation import Check, check_consumer_key, check_consumer_secret

if TYPE_CHECKING:
    from app.ui.wizard.controller import WizardController

WHERE = (
    "Find them in Salesforce: Setup → <b>External Client App Manager</b> → Notebridge → <b>Settings</b> → "
    "<b>OAuth Settings</b> → <b>Consumer Key and Secret</b> (for a Connected App: <b>App Manager</b> → "
    "View → <b>Manage Consumer Details</b>)."
)


class CredentialsPage(WizardPageBase):
    page_id = PageId.CREDENTIALS

    def __init__(self, controller: WizardController) -> None:
        super().__init__(
            controller,
            title="Enter the app's consumer key",
            subtitle="The consumer key tells Salesforce which app is asking. The secret is only needed if "
                     "your admin kept “Require secret” switched on.",
            illustration="illustrations/wizard-credentials.svg",
            illustration_text="A key field and a masked secret field",
        )
        self.body.addWidget(paragraph(WHERE, "wizardCredentialsWhere", rich=True))
        self.key = QLineEdit()
        self.key.setObjectName("wizardConsumerKey")
        self.key.setAccessibleName("Consumer Key")
        self.key.setPlaceholderText("3MVG…")
        key_label = QLabel("Consumer Key")
        key_label.setObjectName("wizardConsumerKeyLabel")
        key_label.setProperty("class", "wizardSectionTitle")
        key_label.setBuddy(self.key)
        self.body.addWidget(key_label)
        self.body.addWidget(self.key)
        self.key_message = InlineMessage(name="wizardConsumerKeyMessage")
        self.body.addWidget(self.key_message)
        self.secret = SecretField(name="wizardConsumerSecret", accessible_name="Consumer Secret (optional)")
        secret_label = QLabel("Consumer Secret (optional)")
        secret_label.setObjectName("wizardConsumerSecretLabel")
        secret_label.setProperty("class", "wizardSectionTitle")
        secret_label.setBuddy(self.secret.edit)
        self.body.addWidget(secret_label)
        self.body.addWidget(self.secret)
        self.secret_message = InlineMessage(name="wizardConsumerSecretMessage")
        self.body.addWidget(self.secret_message)
        self.keyring_message = InlineMessage(name="wizardKeyringMessage")
        self.body.addWidget(self.keyring_message)
        self.body.addWidget(paragraph(
            "The secret is kept in your computer's keychain, never in Notebridge's files.",
            "wizardCredentialsPrivacy"))

        self.key.textEdited.connect(self._key_edited)
        self.secret.edit.textEdited.connect(self._secret_edited)
        controller.keyring_problem.connect(self._keyring_problem)
        self.key_check = Check("error")
        self.secret_check = Check("info")

    def initializePage(self) -> None:
        self.key.setText(self.controller.draft.consumer_key)
        self.secret.setText(self.controller.secret)
        self._refresh()

    def _key_edited(self, text: str) -> None:
        self._refresh(store=True)

    def _secret_edited(self, text: str) -> None:
        self._refresh(store=True)

    def _refresh(self, *, store: bool = False) -> None:
        key_text, secret_text = self.key.text(), self.secret.text()
        demo = self.controller.draft.path == "demo"
        self.key_check = check_consumer_key(key_text, secret_text, expect_salesforce_shape=not demo)
        self.secret_check = check_consumer_secret(secret_text, key_text)
        if store:
            # What is saved is the cleaned value (outer spaces and quotes gone), as the sign-in uses it.
            self.controller.update(consumer_key=self.key_check.value)
            self.controller.set_secret(self.secret_check.value)
        self._show(self.key_message, self.key_check, empty_hint=not key_text.strip())
        self._show(self.secret_message, self.secret_check, empty_hint=False)
        self.completeChanged.emit()

    @staticmethod
    def _show(message: InlineMessage, check: Check, *, empty_hint: bool) -> None:
        if empty_hint:
            message.show_message("info", "Required — paste the Consumer Key here.")
        elif check.level == "ok":
            message.clear()
        elif check.level == "info":
            message.show_message("info", check.message)
        else:
            message.show_message(check.level, check.message)

    def _keyring_problem(self, text: str) -> None:
        self.keyring_message.show_message(
            "warn", "Your computer's keychain isn't available, so the secret is kept only until you close "
                    "Notebridge.", fix=text)

    def isComplete(self) -> bool:
        return self.key_check.ok and self.secret_check.ok

    def focus_first(self) -> None:
        self.key.setFocus(Qt.FocusReason.TabFocusReason)

    def nextId(self) -> int:
        return int(PageId.SIGN_IN)
