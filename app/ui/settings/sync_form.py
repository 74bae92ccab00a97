"""Settings → Sync: every choice the setup wizard made about what syncs, changeable here.

Each change first says what it will do ("Switching to Accounts re-syncs about 12,400 records …";
the words and the count come from ``app.services.sync_effects``) and is applied only when the
advisor agrees; Cancel puts the control back.  Applying goes through ``SyncChoicesService.apply``,
the use case the wizard also saves with, and takes effect at once (the pull is woken on the bus).
Drafts and the Outbox are never touched.

Colours come from the palette (``InlineMessage`` picks its roles from it), so the panel reads in the
light and the dark theme alike.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.services import sync_effects
from app.services.drafts import explain_write_failure
from app.services.sync_choices import (
    EVENT_WINDOWS,
    SYNC_INTERVALS,
    Colleague,
    RecordScope,
    SyncChoices,
    SyncChoicesChanged,
    SyncChoicesService,
)
from app.services.sync_effects import ChangeEffect
from app.sync.connection import NotConnected
from app.ui import aio
from app.ui.settings.confirm import ConfirmDialog
from app.ui.settings.push_form import help_label
from app.ui.widgets.inline_message import InlineMessage
from app.ui.widgets.stored_choice import select_stored

if TYPE_CHECKING:
    from app.services.events import Events
    from app.services.workspace import Database
    from app.sync.connection import ConnectionManager

log = logging.getLogger(__name__)

OBJECT_LABELS = {"Contact": "Contacts (most orgs)", "Account": "Accounts — households or person accounts"}
SCOPE_LABELS = {RecordScope.ALL: "All clients I can see in Salesforce", RecordScope.MINE: "Only clients I own"}


def _window_words(days: int) -> str:
    return f"{days} days back and {days} days ahead"


class SyncChoicesPanel(QGroupBox):
    """Shows one connection's :class:`SyncChoices`; a change is explained, confirmed, then applied."""

    changed = Signal(object)  # SyncChoices, after they were saved (here, by the wizard or the workspace's menu)

    def __init__(self, db: Database, connections: ConnectionManager, events: Events,
                 parent: QWidget | None = None) -> None:
        super().__init__("What Notebridge copies from Salesforce", parent)
        self.setObjectName("syncSettings")
        self.service = SyncChoicesService(db, connections, events)
        self.connections = connections
        self.connection_id: int | None = None
        self.choices = SyncChoices()
        self.colleagues: list[Colleague] = []
        self.last_effect: ChangeEffect | None = None
        self.dialog: ConfirmDialog | None = None
        self._loading = False
        self._busy = False

        outer = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        outer.addLayout(form)

        self.object_group = QButtonGroup(self)
        self.object_buttons = {key: self._radio(self.object_group, label, f"syncClientObject_{key}")
                               for key, label in OBJECT_LABELS.items()}
        form.addRow("Clients are kept as", self._column(*self.object_buttons.values(), help_label(
            "Where your firm keeps each client in Salesforce.", "syncClientObjectHelp")))
        self.include_leads = QCheckBox("Also include Leads (prospects)")
        self.include_leads.setObjectName("syncIncludeLeads")
        form.addRow("", self.include_leads)

        self.scope_group = QButtonGroup(self)
        self.scope_buttons = {scope: self._radio(self.scope_group, label, f"syncScope_{scope}")
                              for scope, label in SCOPE_LABELS.items()}
        self.pick_mode = QCheckBox("Only clients I pick from Salesforce one by one")
        self.pick_mode.setObjectName("syncPickMode")
        form.addRow("Which clients", self._column(*self.scope_buttons.values(), self.pick_mode))

        self.contacts_enabled = QCheckBox("Update my clients from Salesforce automatically,")
        self.contacts_enabled.setObjectName("syncContactsEnabled")
        self.interval = QComboBox()
        self.interval.setObjectName("syncInterval")
        self.interval.setAccessibleName("How often to update clients")
        for minutes in SYNC_INTERVALS:
            self.interval.addItem(sync_effects.interval_words(minutes), minutes)
        row = QHBoxLayout()
        row.addWidget(self.contacts_enabled)
        row.addWidget(self.interval)
        row.addStretch(1)
        form.addRow("Updates", row)

        self.include_events = QCheckBox("Copy meetings from Salesforce,")
        self.include_events.setObjectName("syncIncludeEvents")
        self.event_window = QComboBox()
        self.event_window.setObjectName("syncEventWindow")
        self.event_window.setAccessibleName("Which meetings to copy")
        for days in EVENT_WINDOWS:
            self.event_window.addItem(_window_words(days), days)
        row = QHBoxLayout()
        row.addWidget(self.include_events)
        row.addWidget(self.event_window)
        row.addStretch(1)
        form.addRow("Meetings", row)

        self.assignee = QComboBox()
        self.assignee.setObjectName("syncDefaultAssignee")
        self.assignee.setAccessibleName("Default task assignee")
        self.assignee.setMinimumContentsLength(28)
        form.addRow("Assign new tasks to", self._column(self.assignee, help_label(
            "You can still choose someone else for each task.", "syncDefaultAssigneeHelp")))

        self.message = InlineMessage(name="syncSettingsMessage")
        outer.addWidget(self.message)
        self._unsubscribe = events.subscribe(SyncChoicesChanged, self._heard)

        for group in (self.object_group, self.scope_group):
            group.idToggled.connect(self._toggled)
        for box in (self.include_leads, self.pick_mode, self.contacts_enabled, self.include_events):
            box.toggled.connect(lambda _on: self._changed())
        for combo in (self.interval, self.event_window, self.assignee):
            combo.currentIndexChanged.connect(lambda _i: self._changed())

    def _toggled(self, _id: int, checked: bool) -> None:
        if checked:  # the button turned off in the same click says nothing new
            self._changed()

    def _radio(self, group: QButtonGroup, label: str, name: str) -> QRadioButton:
        button = QRadioButton(label)
        button.setObjectName(name)
        group.addButton(button)
        return button

    @staticmethod
    def _column(*widgets: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(2)
        for widget in widgets:
            layout.addWidget(widget)
        return box

    # -- showing ------------------------------------------------------------------------------------
    async def load(self, connection_id: int | None) -> None:
        """Show what is saved for ``connection_id`` (None: no connection, the panel is disabled)."""
        self.connection_id = connection_id
        self.setEnabled(connection_id is not None)
        if connection_id is None:
            self.show_choices(SyncChoices(), [])
            return
        choices = await self.service.load(connection_id)
        self.show_choices(choices, await self.service.colleagues(connection_id))

    def show_choices(self, choices: SyncChoices, colleagues: list[Colleague]) -> None:
        self._loading = True
        try:
            self.choices, self.colleagues = choices, colleagues
            self.object_buttons[choices.client_object].setChecked(True)
            self.include_leads.setChecked(choices.include_leads)
            self.scope_buttons[choices.record_scope].setChecked(True)
            self.pick_mode.setChecked(choices.pick_mode)
            for button in self.scope_buttons.values():
                button.setEnabled(not choices.pick_mode)
            self.contacts_enabled.setChecked(choices.contacts_enabled)
            self.interval.setEnabled(choices.contacts_enabled)
            select_stored(self.interval, choices.interval_minutes, "",
                          missing=sync_effects.interval_words(choices.interval_minutes))
            self.include_events.setChecked(choices.include_events)
            self.event_window.setEnabled(choices.include_events)
            select_stored(self.event_window, choices.event_window_days, "",
                          missing=_window_words(choices.event_window_days))
            self._fill_assignees(choices, colleagues)
        finally:
            self._loading = False

    def _fill_assignees(self, choices: SyncChoices, colleagues: list[Colleague]) -> None:
        self.assignee.clear()
        active = self.connections.active
        me = active.user_id if active is not None else None
        my_name = next((c.name for c in colleagues if c.user_id == me), active.display_name if active else "")
        self.assignee.addItem(f"Me — {my_name}" if my_name else "Me", None)
        for colleague in colleagues:
            if colleague.user_id != me:
                label = f"{colleague.name} — {colleague.email}" if colleague.email else colleague.name
                self.assignee.addItem(label, colleague.user_id)
        select_stored(self.assignee, choices.default_assignee_id, "Me", missing="The colleague you chose earlier")

    def current(self) -> SyncChoices:
        """What the controls say now."""
        client_object = next(k for k, b in self.object_buttons.items() if b.isChecked())
        scope = next((k for k, b in self.scope_buttons.items() if b.isChecked()), RecordScope.ALL)
        assignee = self.assignee.currentData()
        return SyncChoices(
            client_object=client_object, include_leads=self.include_leads.isChecked(), record_scope=scope,
            pick_mode=self.pick_mode.isChecked(), contacts_enabled=self.contacts_enabled.isChecked(),
            interval_minutes=int(self.interval.currentData() or self.choices.interval_minutes),
            include_events=self.include_events.isChecked(),
            event_window_days=int(self.event_window.currentData() or self.choices.event_window_days),
            default_assignee_id=assignee if isinstance(assignee, str) else None,
        )

    # -- changing -----------------------------------------------------------------------------------
    def _changed(self) -> None:
        if self._loading or self._busy:
            return
        aio.start(self.propose(self.current()), name="sync settings change")

    async def propose(self, after: SyncChoices) -> bool:
        """Explain the change, ask, then apply it (True) or put the controls back (False)."""
        before = self.choices
        if after == before or self.connection_id is None:
            return False
        self._busy = True
        try:
            self.message.show_message("info", "Checking what this change means…")
            effect = await sync_effects.describe(self.connections, before, after,
                                                 assignee_name=self._assignee_name(after.default_assignee_id))
            self.last_effect = effect
            body = "".join(f"<p>{html.escape(line)}</p>" for line in effect.lines)
            self.dialog = ConfirmDialog("Change what syncs?", f"{body}<p>{html.escape(sync_effects.KEPT)}</p>",
                                        "Apply", name="syncChangeDialog", destructive=False, parent=self)
            accepted = bool(await aio.run_dialog(self.dialog))
            self.dialog.deleteLater()
            self.dialog = None
            if not accepted:
                self.message.show_message("info", "Nothing changed.")
                self.show_choices(before, self.colleagues)
                return False
            try:
                saved = await self.service.apply(after)
            except (ValueError, NotConnected) as exc:
                self.message.show_message("error", f"Not saved: {exc}")
                self.show_choices(before, self.colleagues)
                return False
            except Exception as exc:  # the workspace could not be written (full disk, locked file)
                failure = explain_write_failure(exc)
                log.warning("sync settings not saved: %s", exc)
                self.message.show_message("error", f"Not saved: {failure.cause}", fix=failure.fix)
                await self.load(self.connection_id)  # show what is really saved now
                return False
            self.show_choices(saved, self.colleagues)
            self.message.show_message("ok", "Saved. " + " ".join(effect.lines), fix=sync_effects.KEPT)
            self.changed.emit(saved)
            return True
        finally:
            self._busy = False

    def _heard(self, event: SyncChoicesChanged) -> None:
        """A change made elsewhere (the workspace's menu, the wizard): show it (this panel's own waits)."""
        if self._busy or not shiboken6.isValid(self) or event.connection_id != self.connection_id:
            return
        self.changed.emit(event.after)
        aio.start(self.load(event.connection_id), name="settings sync choices")

    def close_bus(self) -> None:
        self._unsubscribe()

    def _assignee_name(self, user_id: str | None) -> str:
        if user_id is None:
            return "you"
        return next((c.name for c in self.colleagues if c.user_id == user_id), "")
