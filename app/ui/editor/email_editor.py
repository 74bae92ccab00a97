"""The email editor: the generic activity editor, plus a way in for the email itself.

"Paste an email" reads the clipboard (an ``.eml`` file copied in a file manager, or the text of an
email copied from a mail program, with its From/To/Subject lines when it has them); dropping an
``.eml`` file or text on the window does the same.  The parsed email fills the form's fields — the
advisor sees them and can change them before Push — and its addresses are matched against the
workspace's clients: when they belong to another client than the one the email is logged on, the
editor offers to log it on that client instead.  What cannot be read is said in plain words
(an Outlook ``.msg`` file among them), and nothing on the form changes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QDateTime, QMimeData
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDateTimeEdit, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.services.activities import ActivityDraftValue, ActivityForm
from app.services.drafts import Drafts
from app.services.email_log import ClientMatch, EmailLog, EmailUnreadable, ParsedEmail, parse_file, parse_text
from app.services.workspace import Database
from app.ui import aio
from app.ui.editor.activity_editor import ActivityEditor
from app.ui.widgets.inline_message import InlineMessage

EMAIL_SUFFIXES = (".eml", ".msg", ".txt")
MAX_FILE_BYTES = 25 * 1024 * 1024


def email_files(mime: QMimeData) -> list[Path]:
    """The local email files in a drop or on the clipboard (``.eml``, ``.msg``, ``.txt``)."""
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls()
            if u.isLocalFile() and u.toLocalFile().lower().endswith(EMAIL_SUFFIXES)]


def _read(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)


async def read_email(mime: QMimeData) -> ParsedEmail:
    """The email in a drop or on the clipboard; :class:`EmailUnreadable` with plain words otherwise."""
    files = email_files(mime)
    if files:
        try:
            data = await asyncio.to_thread(_read, files[0])  # a file can be big or on a slow share
        except OSError as exc:
            raise EmailUnreadable(f"Notebridge could not open {files[0].name}: {exc.strerror or exc}.") from exc
        return await asyncio.to_thread(parse_file, files[0].name, data)
    if mime.hasText() and mime.text().strip():
        return parse_text(mime.text())
    raise EmailUnreadable("There is no email to paste. Copy the email (or its .eml file) first.")


NO_CLIENT_YET = ("No client in your workspace has an address on this email. When you push it, Notebridge "
                 "looks for the address in Salesforce; if no one there has it, the email waits in the Outbox "
                 "until you choose the client — or goes on a new Lead if “also create a Lead” is on in "
                 "Settings → Sending.")


class EmailEditor(ActivityEditor):
    """The editor of one email draft: the form's fields, filled from a pasted or dropped email."""

    def __init__(self, db: Database, draft: ActivityDraftValue, *, form: ActivityForm, person_name: str = "",
                 drafts: Drafts | None = None, parent: QWidget | None = None) -> None:
        super().__init__(db, draft, form=form, person_name=person_name, drafts=drafts, parent=parent)
        self.email_log = EmailLog(db, self.drafts.events)
        self.setAcceptDrops(True)
        self.paste_button = QPushButton("Paste an email")
        self.paste_button.setObjectName("emailPaste")
        self.paste_button.setToolTip("Fill this in from an email (or an .eml file) you copied")
        self.paste_button.clicked.connect(aio.slot(self.paste_email))
        self.email_message = InlineMessage(name="emailMessage")
        self.email_message.link_activated.connect(aio.slot(self._use_client))
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        insert_at = layout.indexOf(self.notice) + 1
        layout.insertWidget(insert_at, self.paste_button)
        layout.insertWidget(insert_at + 1, self.email_message)
        self.matches: list[ClientMatch] = []
        if draft.contact_id is None and not draft.who_id and not draft.remote_id:
            self.email_message.show_message("warn", NO_CLIENT_YET)
        self._sync_fields()

    # -- the ways in ------------------------------------------------------------------------------------
    async def paste_email(self) -> bool:
        mime = QApplication.clipboard().mimeData()
        return await self.take(mime) if mime is not None else False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if not self.draft.remote_id and (email_files(mime) or mime.hasText()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        event.acceptProposedAction()
        copy = QMimeData()  # the drop's own data lives only as long as the event
        mime = event.mimeData()
        if mime.hasUrls():
            copy.setUrls(mime.urls())
        if mime.hasText():
            copy.setText(mime.text())
        aio.start(self.take(copy), name="drop an email")

    async def take(self, mime: QMimeData) -> bool:
        """Fill the form from the email in ``mime``; False (and why, in words) when there is none."""
        if self.draft.remote_id:
            return False
        try:
            parsed = await read_email(mime)
        except EmailUnreadable as exc:
            self.email_message.show_message("error", str(exc))
            return False
        self.fill_from(parsed)
        await self._match(parsed)
        return True

    # -- filling ----------------------------------------------------------------------------------------
    def fill_from(self, parsed: ParsedEmail) -> None:
        """Put a parsed email in the fields (each change saves, as typing would)."""
        texts: dict[str, str] = {"subject": parsed.subject, "sender": parsed.sender, "to": parsed.to,
                                 "cc": parsed.cc, "body": parsed.body}
        for name, value in texts.items():
            widget = self.inputs.get(name)
            if isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value)
            elif isinstance(widget, QLineEdit):
                widget.setText(value)
        sent = self.inputs.get("sent")
        if parsed.sent is not None and isinstance(sent, QDateTimeEdit):
            sent.setDateTime(QDateTime.fromSecsSinceEpoch(int(parsed.sent.timestamp())))
        self.set_files("attachments", [{"name": a.name, "size": a.size} for a in parsed.attachments])
        self.email_message.show_message("ok", "Filled in from the email. Check it, then push.")

    async def _match(self, parsed: ParsedEmail) -> None:
        self.matches = await self.email_log.match(self.draft.connection_id, parsed.addresses)
        if not aio.alive(self) or not self.matches:
            return
        if any(m.contact_id == self.draft.contact_id for m in self.matches):
            return
        other = self.matches[0]
        current = self.person.text().removeprefix("With ") if self.draft.contact_id else ""
        words = f"{other.email} is {other.name}'s address" + (f", not {current}'s." if current else ".")
        self.email_message.show_message("info", words, link=(f"client:{other.contact_id}",
                                                             f"Log it on {other.name} instead"))

    async def _use_client(self, href: str) -> None:
        contact_id = int(href.removeprefix("client:"))
        chosen = next((m for m in self.matches if m.contact_id == contact_id), None)
        if chosen is None:
            return
        await self.autosave.flush()
        fresh = await self.email_log.set_client(self.draft.id, contact_id)
        self.draft = fresh
        self.person.setText(f"With {chosen.name}")
        window = self.window()
        if window is not self:
            window.setWindowTitle(f"{self.form.noun} — {chosen.name}")
        self.email_message.show_message("ok", f"This email will be logged on {chosen.name}.")

    def _sync_fields(self) -> None:
        super()._sync_fields()
        button = getattr(self, "paste_button", None)
        if button is not None:
            button.setEnabled(not self.draft.remote_id)


__all__ = ["EMAIL_SUFFIXES", "EmailEditor", "email_files", "read_email"]
