"""Settings → Sending, for what the advisor logs: a switch and a title template per activity kind, and
what becomes of an email whose address matches no client ("only when the client exists in Salesforce /
also create a Lead").

One row per kind (calls, meetings, opportunities …, as the use case lists them): "Send calls" and the
template with its live preview, rendered by the same engine the push uses
(``app.sync.push.title_templates`` through ``app.services.sync_settings``).  A switch turned off
keeps the kind's items in Notebridge, waiting in the Outbox with the reason; nothing is dropped.
Part of :class:`~app.ui.settings.push_form.PushSettingsForm`, which saves.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.services import sync_settings as prefs_mod
from app.services.activities import activity_form
from app.services.drafts import ItemKind
from app.services.sync_settings import PushPreferences, UnmatchedEmail, explain
from app.ui.widgets.inline_message import InlineMessage

EDIT_WIDTH = 460
UNMATCHED_CHOICES = (
    (UnmatchedEmail.HOLD, "Only when the client exists in Salesforce"),
    (UnmatchedEmail.CREATE_LEAD, "Also create a Lead for the address"),
)


def plural(kind: ItemKind) -> str:
    """"calls", "meetings", "opportunities" — the kind's noun, as a switch names it."""
    form = activity_form(kind)
    noun = (form.noun if form else kind.value).lower()
    return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


class KindRow(QWidget):
    """One kind: its switch, its template, the preview and what is wrong with the template."""

    def __init__(self, kind: ItemKind) -> None:
        super().__init__()
        self.kind = kind
        name = kind.value
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(2)
        self.switch = QCheckBox(f"Send {plural(kind)}")
        self.switch.setObjectName(f"send_{name}")
        layout.addWidget(self.switch)
        self.template = QLineEdit()
        self.template.setObjectName(f"template_{name}")
        self.template.setMaximumWidth(EDIT_WIDTH)
        self.template.setAccessibleName(f"Title of {plural(kind)} in Salesforce")
        known = prefs_mod.placeholders(kind)
        self.template.setPlaceholderText(prefs_mod.default_template(kind))
        self.template.setToolTip("\n".join(f"{{{n}}}: {meaning}" for n, meaning in known.items()))
        layout.addWidget(self.template)
        self.preview = QLabel()
        self.preview.setObjectName(f"preview_{name}")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        hint = QLabel("You can use " + ", ".join(f"{{{n}}}" for n in known) + ".")
        hint.setObjectName(f"templateHelp_{name}")
        hint.setProperty("class", "settingHelp")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.message = InlineMessage(name=f"templateMessage_{name}")
        layout.addWidget(self.message)

    def text(self) -> str:
        return self.template.text().strip() or prefs_mod.default_template(self.kind)

    def show_check(self) -> bool:
        """Show the preview (or the problem); False when the template cannot be used."""
        check = prefs_mod.check_template(self.text(), self.kind)
        self.preview.setText(f"Example: {check.preview}" if check.ok else "")
        self.preview.setVisible(check.ok)
        if check.problems:
            self.message.show_message("error", " ".join(check.problems))
        elif check.warnings:
            self.message.show_message("warn", " ".join(check.warnings))
        else:
            self.message.clear()
        return check.ok


class ActivitySending(QWidget):
    """Every activity kind's switch and template; ``toggled`` and ``edited`` tell the form to save."""

    toggled = Signal()
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("activitySending")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(explain(PushPreferences, "activities_off") + " "
                       + explain(PushPreferences, "activity_title_templates"))
        intro.setObjectName("activitySendingHelp")
        intro.setProperty("class", "settingHelp")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.rows = {kind: KindRow(kind) for kind in prefs_mod.ACTIVITY_KINDS}
        for row in self.rows.values():
            layout.addWidget(row)
            row.switch.toggled.connect(lambda _on: self.toggled.emit())
            row.template.textChanged.connect(lambda _t: self.edited.emit())
        title = QLabel("Emails whose address matches no client")
        self.unmatched = QComboBox()
        self.unmatched.setObjectName("unmatchedEmail")
        self.unmatched.setAccessibleName("Emails whose address matches no client")
        self.unmatched.setMaximumWidth(EDIT_WIDTH)
        for value, words in UNMATCHED_CHOICES:
            self.unmatched.addItem(words, value)
        help_text = QLabel(explain(PushPreferences, "unmatched_email"))
        help_text.setObjectName("unmatchedEmailHelp")
        help_text.setProperty("class", "settingHelp")
        help_text.setWordWrap(True)
        for widget in (title, self.unmatched, help_text):
            layout.addWidget(widget)
        self.unmatched.currentIndexChanged.connect(lambda _i: self.toggled.emit())

    def set_preferences(self, prefs: PushPreferences) -> None:
        for kind, row in self.rows.items():
            row.switch.setChecked(prefs.sends(kind))
            row.template.setText(prefs_mod.activity_template(prefs, kind))
        self.unmatched.setCurrentIndex(max(0, self.unmatched.findData(prefs.unmatched_email)))

    def unmatched_email(self) -> UnmatchedEmail:
        return UnmatchedEmail(self.unmatched.currentData())

    def show_checks(self) -> bool:
        return all([row.show_check() for row in self.rows.values()])

    def activities_off(self) -> tuple[ItemKind, ...]:
        return tuple(kind for kind, row in self.rows.items() if not row.switch.isChecked())

    def templates(self) -> dict[ItemKind, str]:
        """The templates that differ from their kind's default (a default follows the app's)."""
        return {kind: row.text() for kind, row in self.rows.items()
                if row.text() != prefs_mod.default_template(kind)}


__all__ = ["ActivitySending", "KindRow", "plural"]
