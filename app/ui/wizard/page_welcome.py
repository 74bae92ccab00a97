"""Page 1 — Welcome: what is needed, and which of three ways in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QRadioButton, QWidget

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
        # A firm's notebridge.json: what it set up, or why it could not be used (show_way).
        self.managed_title = heading("Your firm has set Notebridge up for you", "wizardManagedTitle")
        self.body.addWidget(self.managed_title)
        self.managed_text = paragraph("", "wizardManagedText")
        self.body.addWidget(self.managed_text)
        self.managed_note = InlineMessage(name="wizardManagedProblems")
        self.body.addWidget(self.managed_note)
        self.full_way: list[QWidget] = [heading("What you need", "wizardWelcomeNeedsTitle"),
                                        paragraph(REQUIREMENTS, "wizardWelcomeNeeds", rich=True),
                                        heading("How do you want to start?", "wizardWelcomePathTitle")]
        for widget in self.full_way:
            self.body.addWidget(widget)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for index, (key, label, description) in enumerate(PATHS):
            button = QRadioButton(label)
            button.setObjectName(f"wizardPath_{key}")
            button.setAccessibleName(label)
            button.setAccessibleDescription(description)
            self.group.addButton(button, index)
            self.buttons[key] = button
            holder = choice(button, description, f"wizardPath_{key}")
            self.full_way.append(holder)
            self.body.addWidget(holder)
        self.demo_note = InlineMessage(name="wizardDemoUnavailable")
        self.body.addWidget(self.demo_note)
        self.show_way()
        if not controller.demo_available:
            self.buttons["demo"].setEnabled(False)
            self.demo_note.show_message(
                "info", "The demo org is available when Notebridge is started with “notebridge --demo”.")
        self.group.idToggled.connect(self._chosen)
        controller.changed.connect(self._draft_changed)

    def show_way(self) -> None:
        """The managed way (only Next), or the three ways in — with what was wrong in the firm's file."""
        controller = self.controller
        config = controller.managed_config
        setup_file = controller.managed
        managed = config is not None
        for widget in self.full_way:
            widget.setVisible(not managed)
        self.managed_title.setVisible(managed)
        self.managed_text.setVisible(managed)
        if config is not None:
            self.managed_text.setText(
                f"Notebridge will connect to your firm's Salesforce at {config.login_url}. Choose Next, then "
                "sign in with your own Salesforce username and password in your browser. Your firm has chosen "
                "the settings; you can change them later in Settings.")
        self.demo_note.setVisible(not managed and bool(self.demo_note.message))
        if setup_file is not None and setup_file.problems:
            fix = ("Tell your IT team so they can correct it." if managed else
                   "Tell your IT team so they can correct it. Meanwhile you can connect yourself: choose how to "
                   "start below.")
            self.managed_note.show_message("info" if managed else "warn", setup_file.headline(),
                                           fix=f"{setup_file.details()} {fix}")
        else:
            self.managed_note.clear()

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
        if self.controller.managed_config is not None:
            return int(PageId.SIGN_IN)
        return int(PageId.ORG)
