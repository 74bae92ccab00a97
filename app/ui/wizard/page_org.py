"""Page 2 — Your org: production, sandbox, or a My Domain address, checked as it is typed.

The address is normalised live ("We'll use https://acme.my.salesforce.com") so the advisor sees what
Notebridge will do with a pasted Lightning or Setup URL. A well-formed address outside Salesforce's
domains (a company's own CNAME) is allowed only after an explicit "Use this address anyway".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QLabel, QLineEdit, QRadioButton

from app.salesforce import urls
from app.ui.widgets.inline_message import InlineMessage
from app.ui.wizard.base import PageId, WizardPageBase, choice, indented

if TYPE_CHECKING:
    from app.ui.wizard.controller import WizardController

KINDS = (
    ("production", "Production", f"Your company's live Salesforce — {urls.LOGIN_PRODUCTION}"),
    ("sandbox", "Sandbox", f"A test copy of your org — {urls.LOGIN_SANDBOX}"),
    ("mydomain", "My Domain address", "Your company's own Salesforce address, for example "
                                      f"{urls.EXAMPLE}. Use this if your admin told you to."),
)


class OrgPage(WizardPageBase):
    page_id = PageId.ORG

    def __init__(self, controller: WizardController) -> None:
        super().__init__(
            controller,
            title="Which Salesforce do you sign in to?",
            subtitle="Most advisors use Production. If your company has its own Salesforce address, "
                     "choose My Domain and paste any address from your browser while you're in Salesforce.",
            illustration="illustrations/wizard-org.svg",
            illustration_text="A browser window with the Salesforce address highlighted",
        )
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for index, (key, label, description) in enumerate(KINDS):
            button = QRadioButton(label)
            button.setObjectName(f"wizardOrg_{key}")
            button.setAccessibleName(label)
            button.setAccessibleDescription(description)
            self.group.addButton(button, index)
            self.buttons[key] = button
            self.body.addWidget(choice(button, description, f"wizardOrg_{key}"))

        self.address_label = QLabel("My Domain address")
        self.address_label.setObjectName("wizardOrgAddressLabel")
        self.address = QLineEdit()
        self.address.setObjectName("wizardOrgAddress")
        self.address.setAccessibleName("My Domain address")
        self.address.setAccessibleDescription(f"For example {urls.EXAMPLE}")
        self.address.setPlaceholderText(urls.EXAMPLE)
        self.address.setClearButtonEnabled(True)
        self.address_label.setBuddy(self.address)
        self.body.addWidget(indented(self.address_label))
        self.body.addWidget(indented(self.address))
        self.use_anyway = QCheckBox("Use this address anyway — my company signs in to Salesforce through it")
        self.use_anyway.setObjectName("wizardOrgUseAnyway")
        self.use_anyway.setAccessibleName("Use this address anyway")
        self.body.addWidget(indented(self.use_anyway))
        self.message = InlineMessage(name="wizardOrgMessage")
        self.body.addWidget(self.message)

        self.group.idToggled.connect(self._kind_toggled)
        self.address.textEdited.connect(self._address_edited)
        self.use_anyway.toggled.connect(self._use_anyway_toggled)
        self._loading = False

    def initializePage(self) -> None:
        self._loading = True
        draft = self.controller.draft
        self.buttons[draft.org_kind].setChecked(True)
        self.address.setText(draft.org_address)
        self.use_anyway.setChecked(draft.allow_custom_domain)
        self._loading = False
        self._refresh()

    def _kind_toggled(self, index: int, checked: bool) -> None:
        if checked and not self._loading:
            self.controller.update(org_kind=KINDS[index][0])
        self._refresh()

    def _address_edited(self, text: str) -> None:
        # Typing an address means "My Domain", whatever was selected before.
        self.controller.update(org_address=text, org_kind="mydomain" if text.strip() else
                               self.controller.draft.org_kind)
        if text.strip() and not self.buttons["mydomain"].isChecked():
            self.buttons["mydomain"].setChecked(True)
        self._refresh()

    def _use_anyway_toggled(self, checked: bool) -> None:
        if not self._loading:
            self.controller.update(allow_custom_domain=checked)
        self._refresh()

    def _refresh(self) -> None:
        draft = self.controller.draft
        mydomain = draft.org_kind == "mydomain"
        self.address.setEnabled(mydomain)
        self.address_label.setEnabled(mydomain)
        check = self.controller.org_check()
        self.use_anyway.setVisible(mydomain and check.custom_domain)
        if check.level == "ok":
            self.message.show_message("ok", check.message)
        elif check.level == "info":
            self.message.show_message("info", check.message)
        elif check.custom_domain:
            self.message.show_message("warn", check.message)
        else:
            self.message.show_message("error", check.message)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.controller.org_check().ok

    def focus_first(self) -> None:
        if self.controller.draft.org_kind == "mydomain":
            self.address.setFocus(Qt.FocusReason.TabFocusReason)
        else:
            checked = self.group.checkedButton()
            if checked is not None:
                checked.setFocus(Qt.FocusReason.TabFocusReason)

    def nextId(self) -> int:
        if self.controller.draft.path == "key":
            return int(PageId.CREDENTIALS)
        return int(PageId.CREATE_APP)
