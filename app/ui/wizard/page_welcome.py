"""Page 1 — Welcome: what is needed, and which of three ways in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QRadioButton

from app.ui.widgets.inline_message import InlineMessage
from app.ui.wizard.base import PageId, WizardPageBase, choice, heading, paragraph

if TYPE_CHECKING:
    from app.ui.wizard.controller import WizardController

REQUIREMENTS = (
    "<ul style='margin-left:-18px'>"
    "<li><b>A Salesforce edition with API access:</b> Enterprise, Unlimited, Performance or Developer — "
    "or Professional with the API add-on.</li>"
    "<li><b>A Salesforce admin</b> to create the app that lets Notebridge in. It is done once for your "
    "company and takes about 10 minutes.</li>"
    "<li><b>Your Salesforce sign-in.</b> Notebridge never sees your password: you sign in on "
    "Salesforce's own page in your browser.</li>"
    "</ul>"
)

PATHS = (
    ("admin", "I'm the Salesforce admin",
     "Walk me through creating the app in Salesforce, then connect."),
    ("key", "My admin gave me a consumer key",
     "Skip creating the app and go straight to entering the key."),
    ("demo", "Try the demo org",
     "A sample Salesforce org on this computer with made-up clients — no account needed."),
)


class WelcomePage(WizardPageBase):
    page_id = PageId.WELCOME

    def __init__(self, controller: WizardController) -> None:
        super().__init__(
            controller,
            title="Connect Notebridge to Salesforce",
            subtitle="Notebridge keeps your clients on this computer, lets you write notes and tasks "
                     "even offline, and sends them to Salesforce. These steps connect it to your org.",
            illustration="illustrations/wizard-welcome.svg",
            illustration_text="A laptop connected to the Salesforce cloud",
        )
        self.body.addWidget(heading("What you need", "wizardWelcomeNeedsTitle"))
        self.body.addWidget(paragraph(REQUIREMENTS, "wizardWelcomeNeeds", rich=True))
        self.body.addWidget(heading("How do you want to start?", "wizardWelcomePathTitle"))
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for index, (key, label, description) in enumerate(PATHS):
            button = QRadioButton(label)
            button.setObjectName(f"wizardPath_{key}")
            button.setAccessibleName(label)
            button.setAccessibleDescription(description)
            self.group.addButton(button, index)
            self.buttons[key] = button
            self.body.addWidget(choice(button, description, f"wizardPath_{key}"))
        self.demo_note = InlineMessage(name="wizardDemoUnavailable")
        self.body.addWidget(self.demo_note)
        if not controller.demo_available:
            self.buttons["demo"].setEnabled(False)
            self.demo_note.show_message(
                "info", "The demo org is available when Notebridge is started with “notebridge --demo”.")
        self.group.idToggled.connect(self._chosen)
        controller.changed.connect(self._draft_changed)

    def initializePage(self) -> None:
        path = self.controller.draft.path
        if path == "demo" and not self.controller.demo_available:
            path = "admin"
        self.buttons[path].setChecked(True)

    def _draft_changed(self, name: str) -> None:
        # The path can change elsewhere (a sign-in problem that needs the admin steps).
        button = self.buttons.get(self.controller.draft.path)
        if name == "path" and button is not None and not button.isChecked():
            button.setChecked(True)

    def _chosen(self, index: int, checked: bool) -> None:
        if not checked:
            return
        path = PATHS[index][0]
        if path != "demo" and self.controller.draft.path == "demo":
            self.controller.leave_demo()
        self.controller.update(path=path)

    def validatePage(self) -> bool:
        if self.controller.draft.path == "demo" and self.controller.open_demo_workspace is not None:
            # The demo opens by itself in its own workspace: nothing of it stays in this wizard's draft.
            self.controller.update(path="admin")
            wizard = self.wizard()
            if wizard is not None:
                wizard.reject()
            self.controller.open_demo_workspace()
            return False
        if self.controller.draft.path == "demo":
            if self.controller.demo is None:
                self.run(self._start_demo_then_next(), "demo-start")
                return False
            self.controller.fill_demo()
        return True

    async def _start_demo_then_next(self) -> None:
        self.demo_note.show_message("info", "Starting the demo org…")
        try:
            await self.controller.use_demo()
        except Exception as exc:
            self.demo_note.show_message("error", "The demo org could not start.", fix=str(exc))
            return
        self.demo_note.clear()
        wizard = self.wizard()
        if wizard is not None and wizard.currentPage() is self:
            wizard.next()

    def focus_first(self) -> None:
        checked = self.group.checkedButton()
        if checked is not None:
            checked.setFocus(Qt.FocusReason.TabFocusReason)

    def nextId(self) -> int:
        return int(PageId.ORG)
