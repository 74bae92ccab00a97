"""The connection card: one status in words (with the reason and the fix), the org's facts, and the
four actions — Test connection, Reconnect, Disconnect, Forget this org.

The same words drive the status-bar badge (:func:`status_words`, :func:`bind_status_badge`), so the
card and the badge can never disagree: both listen to the one ``ConnectionManager``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.services.connection_status import subscribe_status
from app.services.events import Events, Unsubscribe
from app.sync.connection import ConnectionManager, ConnectionStatus, OrgConnection
from app.ui.widgets.inline_message import InlineMessage
from app.ui.widgets.status_badge import StatusBadge

_BADGE_KIND = {"connected": "ok", "needs_attention": "warn", "not_connected": "idle"}
NOTE_TYPE_WORDS = {"ContentNote": "Enhanced Notes (ContentNote)", "Note": "Classic Notes (Note)"}
CLIENT_WORDS = {"Contact": "Contacts", "Account": "Accounts (households / person accounts)"}


def status_words(status: ConnectionStatus) -> tuple[str, str, str]:
    """(badge text, badge kind, tooltip) for a status — used by the card and the status bar."""
    kind = "warn" if status.offline else _BADGE_KIND.get(status.state, "idle")
    tooltip = " ".join(part for part in (status.reason, status.fix) if part)
    return status.label, kind, tooltip


def _plain_state(status: ConnectionStatus) -> str:
    """The card's sentence when the status carries no reason of its own."""
    if status.state != "connected":
        return ""
    if status.offline:  # signed in, but Salesforce can't be reached right now
        return "Salesforce can't be reached right now. Your notes wait in the Outbox and go when it can."
    return "Notebridge can reach your org."


def bind_status_badge(connections: ConnectionManager, set_status: Callable[[str, str, str], None],
                      events: Events | None = None) -> Unsubscribe:
    """Mirror the connection status in a badge, e.g. ``MainWindow.set_connection_status``."""
    return subscribe_status(connections, events or Events(), lambda status: set_status(*status_words(status)))


def _fact(name: str) -> QLabel:
    label = QLabel("—")
    label.setObjectName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class ConnectionCard(QFrame):
    test_clicked = Signal()
    reconnect_clicked = Signal()
    disconnect_clicked = Signal()
    forget_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)

        top = QHBoxLayout()
        title = QLabel("Salesforce")
        title.setObjectName("settingsCardTitle")
        top.addWidget(title)
        self.badge = StatusBadge("Not connected", "idle")
        self.badge.setObjectName("statusBadge")
        top.addWidget(self.badge)
        top.addStretch(1)
        self.checked = QLabel()
        self.checked.setObjectName("connectionChecked")
        top.addWidget(self.checked)
        layout.addLayout(top)

        self.reason = QLabel()
        self.reason.setObjectName("connectionReason")
        self.reason.setWordWrap(True)
        self.reason.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.fix = QLabel()
        self.fix.setObjectName("connectionFix")
        self.fix.setWordWrap(True)
        layout.addWidget(self.reason)
        layout.addWidget(self.fix)

        buttons = QHBoxLayout()
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("connectionTest")
        self.test_button.setToolTip("Ask Salesforce now whether Notebridge can still reach your org")
        self.reconnect_button = QPushButton("Reconnect…")
        self.reconnect_button.setObjectName("connectionReconnect")
        self.reconnect_button.setToolTip("Sign in again; your clients and drafts stay as they are")
        self.disconnect_button = QPushButton("Disconnect")
        self.disconnect_button.setObjectName("connectionDisconnect")
        self.disconnect_button.setToolTip("Sign Notebridge out of Salesforce; your clients and drafts are kept")
        self.forget_button = QPushButton("Forget this org…")
        self.forget_button.setObjectName("connectionForget")
        self.forget_button.setToolTip("Delete this org's data from this computer (unsent drafts are saved first)")
        for button in (self.test_button, self.reconnect_button, self.disconnect_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.forget_button)
        layout.addLayout(buttons)
        self.message = InlineMessage(name="connectionMessage")
        layout.addWidget(self.message)

        facts = QFormLayout()
        facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        facts.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.org = _fact("factOrg")
        self.org_id = _fact("factOrgId")
        self.user = _fact("factUser")
        self.instance = _fact("factInstance")
        self.api_version = _fact("factApiVersion")
        self.note_type = _fact("factNoteType")
        self.clients = _fact("factClients")
        for label, widget in (("Org", self.org), ("Org ID", self.org_id), ("Signed in as", self.user),
                              ("Salesforce address", self.instance), ("API version", self.api_version),
                              ("Notes are saved as", self.note_type), ("Clients come from", self.clients)):
            facts.addRow(label, widget)
        layout.addLayout(facts)

        self.test_button.clicked.connect(self.test_clicked)
        self.reconnect_button.clicked.connect(self.reconnect_clicked)
        self.disconnect_button.clicked.connect(self.disconnect_clicked)
        self.forget_button.clicked.connect(self.forget_clicked)
        self.show_state(ConnectionStatus("not_connected", "Salesforce is not connected yet.",
                                         "Choose Connect Salesforce to set it up."), None)

    def show_state(self, status: ConnectionStatus, connection: OrgConnection | None,
                   *, busy: bool = False) -> None:
        text, kind, tooltip = status_words(status)
        self.badge.set_status(text, kind, tooltip)
        self.reason.setText(status.reason or _plain_state(status))
        self.reason.setVisible(bool(self.reason.text()))
        font = self.reason.font()
        font.setBold(status.state != "connected" or status.offline)  # the problem stands out; "fine" does not
        self.reason.setFont(font)
        self.fix.setText(status.fix)
        self.fix.setVisible(bool(status.fix))
        has_row = connection is not None
        signed_in = status.state != "not_connected"
        self.test_button.setEnabled(has_row and signed_in and not busy)
        # The fix for a refused sign-in says "Sign in again"; the button uses the same words then.
        self.reconnect_button.setText("Connect Salesforce…" if not has_row else
                                      "Sign in again…" if status.state == "needs_attention" else "Reconnect…")
        self.reconnect_button.setEnabled(not busy)
        self.reconnect_button.setDefault(status.state == "needs_attention")
        self.disconnect_button.setEnabled(has_row and signed_in and not busy)
        self.forget_button.setEnabled(has_row and not busy)
        self.show_facts(connection)

    def show_facts(self, connection: OrgConnection | None, *, include_leads: bool = False) -> None:
        if connection is None:
            for label in (self.org, self.org_id, self.user, self.instance, self.api_version, self.note_type,
                          self.clients):
                label.setText("—")
            return
        self.org.setText(connection.org_name or "(name not known yet)")
        self.org_id.setText(connection.org_id)
        user = connection.display_name or connection.username
        self.user.setText(f"{user} ({connection.username})" if user != connection.username else user)
        self.instance.setText(connection.instance_url)
        self.api_version.setText(connection.api_version)
        self.note_type.setText(NOTE_TYPE_WORDS.get(connection.note_type, connection.note_type))
        clients = CLIENT_WORDS.get(connection.client_object, connection.client_object)
        self.clients.setText(clients + (" and Leads" if include_leads else ""))

    def set_checked(self, when: datetime | None) -> None:
        self.checked.setText(f"Last checked {when.astimezone().strftime('%H:%M')}" if when else "")
