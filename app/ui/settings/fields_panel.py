"""Settings → Sync → Fields: where a client's phone number comes from, and the extra fields shown.

The org's own fields, by its labels (``app.services.field_mappings``): "Phone" from one field first,
then another; up to 20 extra fields of any type shown on the client's page and found by search.
Saving re-reads the clients once at the next sync to fill the new fields.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.field_mappings import MAX_EXTRAS, SET_BY_FIRM, FieldMappings, FieldOption
from app.sync.connection import NotConnected
from app.ui import aio
from app.ui.settings.push_form import help_label
from app.ui.widgets.inline_message import InlineMessage

if TYPE_CHECKING:
    from app.services.events import Events
    from app.services.workspace import Database
    from app.sync.connection import ConnectionManager

log = logging.getLogger(__name__)

OBJECT_WORDS = {"Contact": "Contacts", "Lead": "Leads", "Account": "Accounts"}
SAME_AS_BEFORE = "As before"
# Salesforce's field types in words, for the tooltip that tells an admin what a field holds.
TYPE_WORDS = {"string": "text", "textarea": "long text", "currency": "amount", "double": "number",
              "int": "whole number", "percent": "percentage", "date": "date", "datetime": "date and time",
              "boolean": "yes / no", "picklist": "list", "multipicklist": "list (several values)",
              "email": "e-mail", "phone": "phone", "url": "web address"}


class FieldsPanel(QGroupBox):
    def __init__(self, db: Database, connections: ConnectionManager, events: Events,
                 parent: QWidget | None = None) -> None:
        super().__init__("Fields", parent)
        self.setObjectName("fieldsPanel")
        self.service = FieldMappings(db, connections, events)
        self.locked = False  # the firm's managed configuration set these fields and locked them
        layout = QVBoxLayout(self)
        layout.addWidget(help_label(
            f"Choose where a client's phone number comes from, and up to {MAX_EXTRAS} more fields to show on "
            "their page and find them by. The names are your Salesforce's own.", "fieldsHelp"))
        form = QFormLayout()
        self.sobject = QComboBox()
        self.sobject.setObjectName("fieldsObject")
        for sobject, words in OBJECT_WORDS.items():
            self.sobject.addItem(words, sobject)
        self.phone_first = QComboBox()
        self.phone_first.setObjectName("fieldsPhoneFirst")
        self.phone_then = QComboBox()
        self.phone_then.setObjectName("fieldsPhoneThen")
        form.addRow("Fields of:", self.sobject)
        form.addRow("Phone, from:", self.phone_first)
        form.addRow("… and when that is empty:", self.phone_then)
        layout.addLayout(form)
        self.find_field = QLineEdit()
        self.find_field.setObjectName("fieldsFind")
        self.find_field.setPlaceholderText("Find a field by its name…")
        self.find_field.setClearButtonEnabled(True)
        layout.addWidget(self.find_field)
        self.extras = QListWidget()
        self.extras.setObjectName("fieldsExtras")
        self.extras.setMinimumHeight(220)  # a handful of rows at a time made a 60-field list a keyhole
        layout.addWidget(self.extras)
        self.chosen_count = QLabel("")
        self.chosen_count.setObjectName("fieldsChosenCount")
        layout.addWidget(self.chosen_count)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("fieldsSave")
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.message = InlineMessage(name="fieldsMessage")
        layout.addWidget(self.message)
        self.sobject.currentIndexChanged.connect(lambda _i: aio.start(self.load(), name="fields object"))
        self.save_button.clicked.connect(aio.slot(self.save))
        self.find_field.textChanged.connect(self._show_matching)
        self.extras.itemChanged.connect(lambda _item: self._count_chosen())

    def current_sobject(self) -> str:
        return str(self.sobject.currentData() or "Contact")

    async def load(self) -> None:
        sobject = self.current_sobject()
        self.message.clear()
        try:
            mapping = await self.service.load(sobject)
            locked = await self.service.locked(sobject)
            options = await self.service.choices(sobject)
        except NotConnected:
            self.setEnabled(False)
            return
        except Exception:
            log.info("no field choices for %s", sobject, exc_info=True)
            self.message.show_message("warn", "Salesforce can't be reached right now, so its fields can't be listed.")
            return
        self.setEnabled(True)
        self.show_fields(options, tuple(mapping.phone), tuple(e.name for e in mapping.extras))
        # Fields the firm's managed configuration locked are shown, not edited: "Set by your firm".
        self.locked = locked
        for widget in (self.phone_first, self.phone_then, self.extras, self.save_button):
            widget.setEnabled(not locked)
        if locked:
            self.message.show_message("info", SET_BY_FIRM)

    def show_fields(self, options: tuple[FieldOption, ...], phone: tuple[str, ...], extras: tuple[str, ...]) -> None:
        phones = [o for o in options if o.type == "phone"]
        for index, combo in enumerate((self.phone_first, self.phone_then)):
            combo.clear()
            combo.addItem(SAME_AS_BEFORE if index == 0 else "Nothing else", None)
            for option in phones:
                combo.addItem(option.label, option.name)
            if len(phone) > index:
                combo.setCurrentIndex(max(0, combo.findData(phone[index])))
        self.extras.clear()
        chosen = {e.lower() for e in extras}
        for option in options:
            item = QListWidgetItem(option.label)
            item.setData(Qt.ItemDataRole.UserRole, option.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if option.name.lower() in chosen else Qt.CheckState.Unchecked)
            item.setToolTip(f"{option.name} · {TYPE_WORDS.get(option.type, option.type)}")
            self.extras.addItem(item)
        self._show_matching(self.find_field.text())
        self._count_chosen()

    def _show_matching(self, words: str) -> None:
        """Hide the fields whose label (or API name, for admins) does not contain what was typed."""
        wanted = words.strip().lower()
        for index in range(self.extras.count()):
            item = self.extras.item(index)
            if item is not None:
                name = str(item.data(Qt.ItemDataRole.UserRole)).lower()
                item.setHidden(bool(wanted) and wanted not in item.text().lower() and wanted not in name)

    def _count_chosen(self) -> None:
        self.chosen_count.setText(f"{len(self.chosen_extras())} of at most {MAX_EXTRAS} chosen")

    def chosen_extras(self) -> tuple[str, ...]:
        items = (self.extras.item(i) for i in range(self.extras.count()))
        return tuple(str(item.data(Qt.ItemDataRole.UserRole)) for item in items
                     if item is not None and item.checkState() == Qt.CheckState.Checked)

    def chosen_phone(self) -> tuple[str, ...]:
        picked = (self.phone_first.currentData(), self.phone_then.currentData())
        return tuple(dict.fromkeys(str(p) for p in picked if p)) if picked[0] else ()

    async def save(self) -> None:
        try:
            await self.service.save(self.current_sobject(), phone=self.chosen_phone(), extras=self.chosen_extras())
        except ValueError as exc:
            self.message.show_message("warn", str(exc))
            return
        except Exception:
            log.info("saving the field choices failed", exc_info=True)
            self.message.show_message("warn", "Salesforce can't be reached right now; nothing was changed.")
            return
        self.message.show_message("ok", "Saved. The next sync fills in the fields you chose.")
