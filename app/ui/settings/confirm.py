"""The two confirmations on the connection card: Disconnect (keeps everything) and Forget this org
(names exactly what will be deleted, and that unsent drafts are saved to a file first).

Both are plain dialogs opened with ``open()`` and awaited (``aio.run_dialog``), never ``exec()``.
Cancel is the default button of the destructive one.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services.forget import ForgetSummary
from app.sync.connection import OrgConnection
from app.wording import counted


def forget_lines(connection: OrgConnection, summary: ForgetSummary) -> list[str]:
    """The bullet points of the confirmation, in plain words."""
    lines = [
        f"{counted(summary.clients, 'client')} and {counted(summary.meetings, 'meeting')} copied from "
        "Salesforce",
        f"{counted(summary.notes, 'note')} and {counted(summary.tasks, 'task')} written in Notebridge",
    ]
    if summary.unsent:
        lines.append(f"{counted(summary.unsent, 'note or task', 'notes and tasks')} not yet in Salesforce — "
                     "saved to a file for you first")
    if summary.unsent_activities:
        logged = counted(summary.unsent_activities, "call, meeting or email", "calls, meetings and emails")
        lines.append(f"{logged} logged here and not yet in Salesforce — also saved to that file")
    if summary.new_people:
        lines.append(f"{counted(summary.new_people, 'person', 'people')} you added who are not yet in Salesforce — "
                     "also saved to that file")
    lines += [f"the sync log ({counted(summary.log_entries, 'entry', 'entries')}) and this org's settings",
              f"your sign-in as {connection.username} (Notebridge signs out of Salesforce)"]
    return lines


class ConfirmDialog(QDialog):
    def __init__(self, title: str, html: str, action: str, *, name: str, destructive: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        text = QLabel(html)
        text.setObjectName(f"{name}Text")
        text.setWordWrap(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.action_button: QPushButton = buttons.addButton(
            action, QDialogButtonBox.ButtonRole.DestructiveRole if destructive
            else QDialogButtonBox.ButtonRole.AcceptRole)
        self.action_button.setObjectName(f"{name}Confirm")
        self.action_button.clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if destructive:  # Enter must never forget an org: only a deliberate click does
            self.action_button.setAutoDefault(False)
            self.cancel_button.setDefault(True)
            self.cancel_button.setFocus()
        else:
            self.action_button.setDefault(True)


def disconnect_dialog(connection: OrgConnection, parent: QWidget | None = None) -> ConfirmDialog:
    org = _escape(connection.org_name or connection.org_id)
    return ConfirmDialog(
        "Disconnect Salesforce?",
        f"<p>Notebridge signs out of <b>{org}</b> and deletes its sign-in from this computer.</p>"
        "<p>Your clients, notes and drafts stay here. They stop updating, and notes you push wait in the "
        "Outbox until you reconnect.</p>",
        "Disconnect", name="disconnectDialog", destructive=False, parent=parent)


def forget_dialog(connection: OrgConnection, summary: ForgetSummary, parent: QWidget | None = None) -> ConfirmDialog:
    org = _escape(connection.org_name or connection.org_id)
    items = "".join(f"<li>{_escape(line)}</li>" for line in forget_lines(connection, summary))
    return ConfirmDialog(
        f"Forget {connection.org_name or 'this org'}?",
        f"<p>This deletes from this computer everything Notebridge keeps for <b>{org}</b>:</p>"
        f"<ul>{items}</ul><p>Nothing is deleted in Salesforce. This cannot be undone.</p>",
        "Forget this org", name="forgetDialog", destructive=True, parent=parent)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
