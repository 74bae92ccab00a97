"""Page 6 — Preferences: how notes are saved, where clients live, what syncs, who gets tasks.

Choices the org cannot honour are shown disabled with the reason (Enhanced Notes turned off), read
from the org's describe rather than guessed. Defaults are what most advisors want, so Next is
always a safe answer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
)

from app.salesforce.errors import SalesforceError
from app.ui.widgets.inline_message import InlineMessage
from app.ui.widgets.stored_choice import select_stored
from app.ui.wizard import preferences as prefs
from app.ui.wizard.base import PageId, WizardPageBase, heading, indented, paragraph
from app.ui.wizard.controller import OrgFacts, colleagues_without

if TYPE_CHECKING:
    from app.ui.wizard.controller import WizardController

log = logging.getLogger(__name__)

INTERVAL_LABELS = {15: "every 15 minutes", 30: "every 30 minutes", 60: "every hour", 240: "every 4 hours",
                   1440: "once a day"}


class PreferencesPage(WizardPageBase):
    page_id = PageId.PREFERENCES

    def __init__(self, controller: WizardController) -> None:
        super().__init__(
            controller,
            title="How should Notebridge work with your org?",
            subtitle="Good defaults are chosen for you. You can change all of this later in Settings.",
            illustration="illustrations/wizard-preferences.svg",
            illustration_text="Switches and a slider",
        )
        self.loading = InlineMessage(name="wizardPreferencesStatus")
        self.body.addWidget(self.loading)
        self.retry = QPushButton("Try again")
        self.retry.setObjectName("wizardPreferencesRetry")
        self.retry.setAutoDefault(False)
        self.retry.clicked.connect(self.reload)
        self.retry.hide()
        self.body.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignLeft)

        # Note type
        self.body.addWidget(heading("Save my notes in Salesforce as", "wizardNoteTypeTitle"))
        self.note_group = QButtonGroup(self)
        self.note_buttons = {
            "ContentNote": self._radio(self.note_group, "Enhanced Notes (recommended)", "wizardNoteType_ContentNote",
                                       "Rich notes that can be shared with several records."),
            "Note": self._radio(self.note_group, "Notes (classic)", "wizardNoteType_Note",
                                "Plain notes attached to one record."),
        }
        self.note_reason = InlineMessage(name="wizardNoteTypeReason")
        self.body.addWidget(indented(self.note_reason))

        # Where clients live
        self.body.addWidget(heading("My clients are kept in Salesforce as", "wizardClientObjectTitle"))
        self.client_group = QButtonGroup(self)
        self.client_buttons = {
            "Contact": self._radio(self.client_group, "Contacts (most orgs)", "wizardClientObject_Contact",
                                   "Each client is a Contact, usually under an Account."),
            "Account": self._radio(self.client_group, "Accounts — households or person accounts",
                                   "wizardClientObject_Account",
                                   "Choose this if your firm keeps each household or person as an Account."),
        }
        self.include_leads = QCheckBox("Also include Leads (prospects)")
        self.include_leads.setObjectName("wizardIncludeLeads")
        self.include_leads.setAccessibleName("Also include Leads")
        self.body.addWidget(self.include_leads)

        # Sync
        self.body.addWidget(heading("Keeping clients up to date", "wizardSyncTitle"))
        sync_row = QHBoxLayout()
        self.contact_sync = QCheckBox("Update my clients from Salesforce automatically,")
        self.contact_sync.setObjectName("wizardContactSync")
        self.contact_sync.setAccessibleName("Update clients automatically")
        sync_row.addWidget(self.contact_sync)
        self.interval = QComboBox()
        self.interval.setObjectName("wizardSyncInterval")
        self.interval.setAccessibleName("How often to update clients")
        for minutes in prefs.SYNC_INTERVALS:
            self.interval.addItem(INTERVAL_LABELS[minutes], minutes)
        sync_row.addWidget(self.interval)
        sync_row.addStretch(1)
        self.body.addLayout(sync_row)

        self.body.addWidget(heading("Which clients to bring to this computer", "wizardScopeTitle"))
        self.scope_group = QButtonGroup(self)
        self.scope_buttons = {
            "all": self._radio(self.scope_group, "All clients I can see in Salesforce", "wizardScope_all", ""),
            "mine": self._radio(self.scope_group, "Only clients I own", "wizardScope_mine", ""),
            "pick": self._radio(self.scope_group, "None for now — I'll pick clients one by one later",
                                "wizardScope_pick", ""),
        }

        # Tasks
        self.body.addWidget(heading("Assign new tasks to", "wizardAssigneeTitle"))
        assignee_row = QHBoxLayout()
        self.assignee = QComboBox()
        self.assignee.setObjectName("wizardTaskAssignee")
        self.assignee.setAccessibleName("Default task assignee")
        self.assignee.setMinimumContentsLength(28)
        assignee_label = QLabel("Default assignee:")
        assignee_label.setObjectName("wizardTaskAssigneeLabel")
        assignee_label.setBuddy(self.assignee)
        assignee_row.addWidget(assignee_label)
        assignee_row.addWidget(self.assignee, 1)
        self.body.addLayout(assignee_row)
        self.body.addWidget(paragraph("You can still choose someone else for each task.",
                                      "wizardTaskAssigneeHint"))

        self.note_group.idToggled.connect(lambda *_: self._store())
        self.client_group.idToggled.connect(lambda *_: self._store())
        self.scope_group.idToggled.connect(lambda *_: self._store())
        self.include_leads.toggled.connect(lambda *_: self._store())
        self.contact_sync.toggled.connect(self._sync_toggled)
        self.interval.currentIndexChanged.connect(lambda *_: self._store())
        self.assignee.currentIndexChanged.connect(lambda *_: self._store())
        self._loading_task: asyncio.Task[None] | None = None
        self._applying = False
        self.state = "idle"

    def _radio(self, group: QButtonGroup, label: str, name: str, description: str) -> QRadioButton:
        button = QRadioButton(label)
        button.setObjectName(name)
        button.setAccessibleName(label)
        if description:
            button.setAccessibleDescription(description)
            button.setToolTip(description)
        group.addButton(button)
        self.body.addWidget(button)
        return button

    # -- page life -------------------------------------------------------------------------------
    def initializePage(self) -> None:
        self._apply(prefs.Preferences.from_draft(self.controller.draft.preferences))
        facts = self.controller.facts
        if facts is not None:
            self._facts_loaded(facts)
        else:
            self.reload()

    def reload(self) -> None:
        if self._loading_task is not None and not self._loading_task.done():
            return
        self._loading_task = self.run(self._load(), "preferences-load")

    async def _load(self) -> None:
        self.state = "loading"
        self.retry.hide()
        self.loading.show_message("info", "Checking what your org supports…")
        self.completeChanged.emit()
        try:
            facts = await self.controller.load_facts()
        except asyncio.CancelledError:
            raise
        except (SalesforceError, RuntimeError) as exc:  # RuntimeError: NotConnected/NeedsAttention
            log.info("could not read org facts: %s", exc)
            self.state = "failed"
            self.loading.show_message(
                "warn", "Notebridge couldn't read your org's settings, so every choice is offered.",
                fix=f"{exc} You can go on with these choices or try again.")
            self.retry.show()
            self._fill_assignees(None)
            self.completeChanged.emit()
            return
        self._facts_loaded(facts)

    def _facts_loaded(self, facts: OrgFacts) -> None:
        self.state = "ready"
        self.loading.clear()
        self.retry.hide()
        content_note = self.note_buttons["ContentNote"]
        content_note.setEnabled(facts.content_note_available)
        if not facts.content_note_available:
            self.note_reason.show_message("info", facts.content_note_reason)
            if content_note.isChecked():
                self.note_buttons["Note"].setChecked(True)
        else:
            self.note_reason.clear()
        self._fill_assignees(facts)
        self.completeChanged.emit()

    def _fill_assignees(self, facts: OrgFacts | None) -> None:
        chosen = prefs.Preferences.from_draft(self.controller.draft.preferences).task_assignee_id
        self._applying = True
        self.assignee.clear()
        connection = self.controller.connection
        me = facts.me if facts else None
        my_name = me.name if me else (connection.display_name if connection else "")
        self.assignee.addItem(f"Me — {my_name}" if my_name else "Me", None)
        for colleague in colleagues_without(facts.users if facts else (), me):
            label = f"{colleague.name} — {colleague.email}" if colleague.email else colleague.name
            self.assignee.addItem(label, colleague.user_id)
        # The chosen colleague stays chosen even when the list lacks them (deactivated since, or the
        # org's users could not be read): "Me" standing in would be stored on the next change.
        select_stored(self.assignee, chosen or None, "Me", missing="The colleague you chose earlier")
        self._applying = False

    def _apply(self, chosen: prefs.Preferences) -> None:
        self._applying = True
        self.note_buttons[chosen.note_type].setChecked(True)
        self.client_buttons[chosen.client_object].setChecked(True)
        self.include_leads.setChecked(chosen.include_leads)
        self.contact_sync.setChecked(chosen.contact_sync)
        self.interval.setCurrentIndex(max(0, self.interval.findData(chosen.sync_interval_minutes)))
        self.interval.setEnabled(chosen.contact_sync)
        self.scope_buttons[chosen.record_scope].setChecked(True)
        self._applying = False

    def _sync_toggled(self, checked: bool) -> None:
        self.interval.setEnabled(checked)
        self._store()

    def current(self) -> prefs.Preferences:
        def checked(buttons: dict[str, QRadioButton], default: str) -> str:
            return next((key for key, button in buttons.items() if button.isChecked()), default)

        assignee = self.assignee.currentData()
        return prefs.Preferences(
            note_type=checked(self.note_buttons, "ContentNote"),
            client_object=checked(self.client_buttons, "Contact"),
            include_leads=self.include_leads.isChecked(),
            contact_sync=self.contact_sync.isChecked(),
            sync_interval_minutes=int(self.interval.currentData() or 30),
            record_scope=checked(self.scope_buttons, "all"),
            task_assignee_id=assignee if isinstance(assignee, str) else None,
        )

    def _store(self) -> None:
        if self._applying:
            return
        for name, value in self.current().as_draft().items():
            self.controller.update_preference(name, value)

    def isComplete(self) -> bool:
        return self.state in ("ready", "failed")

    async def wait_ready(self) -> None:
        if self._loading_task is not None and not self._loading_task.done():
            await asyncio.wait([self._loading_task])

    def validatePage(self) -> bool:
        self._store()
        return True

    def focus_first(self) -> None:
        button = self.note_group.checkedButton()
        if button is not None:
            button.setFocus(Qt.FocusReason.TabFocusReason)

    def nextId(self) -> int:
        return int(PageId.FIRST_SYNC)

