"""Settings → Sync → What to sync: the filter rules of Contacts, Leads and Accounts, with a live count.

Rules in a group must all match; a person is kept when any group matches. "Check" asks Salesforce
how many records the rules keep ("This keeps 12,430 of 100,000 contacts.") before anything is
saved; "Save" saves and the next sync brings the difference. People with drafts or queued items stay
even when the rules no longer keep them. Everything goes through ``app.services.sync_filters``.
Colours come from the palette (``InlineMessage``), so the panel reads in both themes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services.sync_filters import (
    FILTERED_OBJECTS,
    SET_BY_FIRM,
    FilterChoices,
    FilterError,
    ObjectFilter,
    RuleGroup,
    SyncFilters,
)
from app.sync.connection import NotConnected
from app.ui import aio
from app.ui.settings.filter_rule_row import FilterRuleRow
from app.ui.settings.push_form import help_label
from app.ui.widgets.inline_message import InlineMessage

if TYPE_CHECKING:
    from app.services.events import Events
    from app.services.workspace import Database
    from app.sync.connection import ConnectionManager

log = logging.getLogger(__name__)

OBJECT_WORDS = {"Contact": "Contacts", "Lead": "Leads", "Account": "Accounts"}
ADD_FIRST, ADD_ANOTHER = "Add a rule", "Add another group (or)"
UNCHECKED = "Not saved yet. Press Check how many to see how many these rules keep, or Save."
OFFLINE = "Salesforce can't be reached right now, so the count can't be checked. Try again when you're online."


def group_title(number: int) -> str:
    return "Keep when all of these match" if number == 0 else "… or when all of these match"


class RuleGroupBox(QGroupBox):
    """One group of rules, all of which must match; ``changed`` whenever a rule is added, edited or
    removed, so the panel never shows a count (or "No rules") that no longer fits what is on screen."""

    changed = Signal()

    def __init__(self, title: str, sobject: str, choices: FilterChoices, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.setObjectName("filterRuleGroup")
        self.sobject, self.choices = sobject, choices
        self.rows: list[FilterRuleRow] = []
        self.rows_layout = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(self.rows_layout)
        add = QPushButton("Add a rule (and)")
        add.setObjectName("filterAddRule")
        add.clicked.connect(lambda: self.add_row())
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def add_row(self) -> FilterRuleRow:
        row = FilterRuleRow(self.sobject, self.choices)
        row.remove_clicked.connect(self._remove)
        row.edited.connect(self.changed.emit)
        self.rows.append(row)
        self.rows_layout.addWidget(row)
        self.changed.emit()
        return row

    def _remove(self, row: FilterRuleRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            row.setParent(None)
            row.deleteLater()
            self.changed.emit()

    def group(self) -> RuleGroup:
        return RuleGroup(tuple(row.rule() for row in self.rows))


class FilterRulesPanel(QGroupBox):
    def __init__(self, db: Database, connections: ConnectionManager, events: Events,
                 parent: QWidget | None = None) -> None:
        super().__init__("What to sync", parent)
        self.setObjectName("filterRulesPanel")
        self.service = SyncFilters(db, connections, events)
        self.choices: dict[str, FilterChoices] = {}
        self.saved: dict[str, ObjectFilter] = {}
        self.groups: list[RuleGroupBox] = []
        self.locked = False  # the firm's managed configuration set this object's filter and locked it
        layout = QVBoxLayout(self)
        layout.addWidget(help_label(
            "Keep only the people you need on this computer. Every rule in a group must match; a person "
            "is kept when any group matches. People you have drafts or queued items about always stay.",
            "filterRulesHelp"))
        top = QHBoxLayout()
        top.addWidget(QLabel("Which records:"))
        self.sobject = QComboBox()
        self.sobject.setObjectName("filterObject")
        for sobject in FILTERED_OBJECTS:
            self.sobject.addItem(OBJECT_WORDS[sobject], sobject)
        top.addWidget(self.sobject)
        top.addStretch(1)
        layout.addLayout(top)
        self.groups_layout = QVBoxLayout()
        layout.addLayout(self.groups_layout)
        buttons = QHBoxLayout()
        self.add_group_button = QPushButton(ADD_FIRST)
        self.add_group_button.setObjectName("filterAddGroup")
        self.check_button = QPushButton("Check how many")
        self.check_button.setObjectName("filterCheck")
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("filterSave")
        for button in (self.add_group_button, self.check_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.preview = QLabel("")
        self.preview.setObjectName("filterPreview")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        self.message = InlineMessage(name="filterMessage")
        layout.addWidget(self.message)
        self.sobject.currentIndexChanged.connect(lambda _i: aio.start(self.show_object(), name="filter object"))
        self.add_group_button.clicked.connect(lambda: self.add_group().add_row())
        self.check_button.clicked.connect(aio.slot(self.check))
        self.save_button.clicked.connect(aio.slot(self.save))

    def current_sobject(self) -> str:
        return str(self.sobject.currentData() or "Contact")

    async def load(self) -> None:
        """Read the saved rules (and, online, the org's fields) and show the chosen object's."""
        try:
            self.saved = await self.service.load()
        except NotConnected:
            self.setEnabled(False)
            return
        self.setEnabled(True)
        await self.show_object()

    async def _choices(self, sobject: str) -> FilterChoices:
        if sobject not in self.choices:
            try:
                self.choices[sobject] = await self.service.choices(sobject)
            except Exception:  # offline or signed out: rules that need no org fields still work
                log.info("no field choices for %s", sobject, exc_info=True)
                return FilterChoices((), (), ())
        return self.choices[sobject]

    async def show_object(self) -> None:
        sobject = self.current_sobject()
        choices = await self._choices(sobject)
        for box in self.groups:
            box.setParent(None)
            box.deleteLater()
        self.groups = []
        self.preview.setText("")
        self.message.clear()
        saved = self.saved.get(sobject, ObjectFilter(sobject))
        for group in saved.groups:
            box = self.add_group(choices)
            for rule in group.rules:
                box.add_row().show_rule(rule)
        self._show_state(edited=False)
        await self._show_lock(sobject)

    async def _show_lock(self, sobject: str) -> None:
        """A filter the firm's managed configuration locked is shown, not edited: "Set by your firm"."""
        try:
            locked = await self.service.locked(sobject)
        except NotConnected:
            locked = False
        if sobject != self.current_sobject():
            return  # another object was chosen meanwhile: its own call decides
        self.locked = locked
        for widget in (*self.groups, self.add_group_button, self.check_button, self.save_button):
            widget.setEnabled(not locked)
        if locked:
            self.message.show_message("info", SET_BY_FIRM)

    def _show_state(self, *, edited: bool) -> None:
        """The line under the rules says what is on screen now: no rules, or rules not yet counted."""
        self.add_group_button.setText(ADD_ANOTHER if self.groups else ADD_FIRST)
        if self.current_filter().empty:
            everyone = f"No rules: every {OBJECT_WORDS[self.current_sobject()].lower()[:-1]} you can see is synced."
            self.preview.setText(everyone + (" (Not saved yet.)" if edited and not self._saved_now().empty else ""))
        else:
            self.preview.setText(UNCHECKED if edited else "")

    def _saved_now(self) -> ObjectFilter:
        sobject = self.current_sobject()
        return self.saved.get(sobject, ObjectFilter(sobject))

    def _rules_edited(self) -> None:
        self.message.clear()
        self._show_state(edited=True)

    def add_group(self, choices: FilterChoices | None = None) -> RuleGroupBox:
        sobject = self.current_sobject()
        offered = choices or self.choices.get(sobject, FilterChoices((), (), ()))
        box = RuleGroupBox(group_title(len(self.groups)), sobject, offered)
        box.changed.connect(lambda box=box: self._group_changed(box))
        self.groups.append(box)
        self.groups_layout.addWidget(box)
        return box

    def _group_changed(self, box: RuleGroupBox) -> None:
        if not box.rows and box in self.groups:  # its last rule went: the empty group goes too
            self.groups.remove(box)
            box.setParent(None)
            box.deleteLater()
            for number, group in enumerate(self.groups):
                group.setTitle(group_title(number))
        self._rules_edited()

    def current_filter(self) -> ObjectFilter:
        groups = tuple(g for g in (box.group() for box in self.groups) if g.rules)
        return ObjectFilter(self.current_sobject(), groups)

    async def check(self) -> bool:
        """Show the live count; False (with the reason on screen) when the rules cannot be used."""
        self.message.clear()
        try:
            preview = await self.service.preview(self.current_filter())
        except FilterError as exc:
            self.message.show_message("warn", str(exc))
            return False
        except NotConnected:
            self.message.show_message("warn", "Sign in to Salesforce again to check the count.")
            return False
        except Exception:
            log.info("filter preview failed", exc_info=True)
            self.message.show_message("warn", OFFLINE)
            return False
        self.preview.setText(preview.words)
        return True

    async def save(self) -> None:
        flt = self.current_filter()
        if not flt.empty and not await self.check():
            return
        try:
            await self.service.save(flt)
        except FilterError as exc:
            self.message.show_message("warn", str(exc))
            return
        self.saved[flt.sobject] = flt
        self.message.show_message("ok", "Saved. The next sync brings in what the rules keep and lets the rest go.")
