"""One filter rule in Settings → Sync → What to sync: what it looks at, and its value, in plain words.

The row offers only what the org has (its list fields, date fields and record types, by the org's
labels, from ``app.services.sync_filters``) and turns itself into a ``FilterRule``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget

from app.services.sync_filters import MAX_DAYS, FilterChoices, FilterRule, RuleKind

KIND_WORDS = {
    RuleKind.OWNER_IS_ME: "I own it",
    RuleKind.OWNER_IN_MY_ROLE: "Someone in my team owns it",
    RuleKind.RECORD_TYPE: "Its record type is",
    RuleKind.PICKLIST: "A list field is",
    RuleKind.DATE_WINDOW: "A date is within the last",
    RuleKind.EMAIL_DOMAIN: "Its e-mail address ends with",
    RuleKind.MEETING_SOON: "I meet them in the next",
}


class FilterRuleRow(QWidget):
    """Kind, then the editors that kind needs; ``remove_clicked`` asks the group to drop it."""

    remove_clicked = Signal(object)  # self
    edited = Signal()

    def __init__(self, sobject: str, choices: FilterChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterRuleRow")
        self.choices = choices
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox()
        self.kind.setObjectName("filterRuleKind")
        for kind, words in KIND_WORDS.items():
            if kind is RuleKind.EMAIL_DOMAIN and sobject == "Account":
                continue
            self.kind.addItem(words, kind)
        self.field = QComboBox()
        self.field.setObjectName("filterRuleField")
        self.value = QComboBox()
        self.value.setObjectName("filterRuleValue")
        self.text = QLineEdit()
        self.text.setObjectName("filterRuleText")
        self.text.setPlaceholderText("example.com")
        self.days = QSpinBox()
        self.days.setObjectName("filterRuleDays")
        self.days.setRange(1, MAX_DAYS)
        self.days.setValue(730)
        self.days_words = QLabel("days")
        remove = QPushButton("Remove")
        remove.setObjectName("filterRuleRemove")
        remove.clicked.connect(lambda: self.remove_clicked.emit(self))
        for widget in (self.kind, self.field, self.value, self.text, self.days, self.days_words):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(remove)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.field.currentIndexChanged.connect(self._field_changed)
        for signal in (self.value.currentIndexChanged, self.text.textEdited, self.days.valueChanged):
            signal.connect(lambda *_: self.edited.emit())
        self._kind_changed()

    def current_kind(self) -> RuleKind:
        kind = self.kind.currentData()  # Qt hands a StrEnum back as its text
        try:
            return RuleKind(str(kind))
        except ValueError:
            return RuleKind.OWNER_IS_ME

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        self.field.blockSignals(True)
        self.field.clear()
        if kind is RuleKind.PICKLIST:
            for choice in self.choices.picklists:
                self.field.addItem(choice.label, choice.name)
        elif kind is RuleKind.DATE_WINDOW:
            for choice in self.choices.dates:
                self.field.addItem(choice.label, choice.name)
            modified = self.field.findData("LastModifiedDate")
            if modified >= 0:
                self.field.setCurrentIndex(modified)
        self.field.blockSignals(False)
        self.field.setVisible(kind in (RuleKind.PICKLIST, RuleKind.DATE_WINDOW))
        self.value.setVisible(kind in (RuleKind.PICKLIST, RuleKind.RECORD_TYPE))
        self.text.setVisible(kind is RuleKind.EMAIL_DOMAIN)
        counted = kind in (RuleKind.DATE_WINDOW, RuleKind.MEETING_SOON)
        self.days.setVisible(counted)
        self.days_words.setVisible(counted)
        if kind is RuleKind.MEETING_SOON and self.days.value() > 90:
            self.days.setValue(30)
        self._field_changed()

    def _field_changed(self) -> None:
        kind = self.current_kind()
        self.value.blockSignals(True)
        self.value.clear()
        if kind is RuleKind.RECORD_TYPE:
            for record_type_id, name in self.choices.record_types:
                self.value.addItem(name, record_type_id)
        elif kind is RuleKind.PICKLIST:
            name = self.field.currentData()
            choice = next((c for c in self.choices.picklists if c.name == name), None)
            for value, label in choice.values if choice else ():
                self.value.addItem(label, value)
        self.value.blockSignals(False)
        self.edited.emit()

    def show_rule(self, rule: FilterRule) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(rule.kind)))
        if rule.field:
            self.field.setCurrentIndex(max(0, self.field.findData(rule.field)))
        if rule.values:
            found = self.value.findData(rule.values[0])
            if found >= 0:
                self.value.setCurrentIndex(found)
            self.text.setText(rule.values[0])
        if rule.days:
            self.days.setValue(rule.days)

    def rule(self) -> FilterRule:
        kind = self.current_kind()
        field = str(self.field.currentData() or "")
        values: tuple[str, ...] = ()
        if kind in (RuleKind.PICKLIST, RuleKind.RECORD_TYPE) and self.value.currentData() is not None:
            values = (str(self.value.currentData()),)
        elif kind is RuleKind.EMAIL_DOMAIN and self.text.text().strip():
            values = (self.text.text().strip(),)
        days = self.days.value() if kind in (RuleKind.DATE_WINDOW, RuleKind.MEETING_SOON) else 0
        return FilterRule(kind, field if kind in (RuleKind.PICKLIST, RuleKind.DATE_WINDOW) else "", values, days)
