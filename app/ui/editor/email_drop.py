"""Dropping an email file on the client view or the main window: "Log an email" without a button.

:class:`EmailDropTarget` makes a widget take dropped email files (``.eml``; ``.msg`` and ``.txt`` are
taken too, so that a ``.msg`` gets its explanation rather than nothing).  :func:`log_dropped_email`
reads the email and opens a filled email draft: on the client on screen when it was dropped on the
client view, otherwise on the client whose address is on the email; with no such client it opens on no
one and says what Push will do (look the address up in Salesforce; then wait in the Outbox, or go on a
new Lead where Settings → Sending says so: ``app/sync/push/kinds/email_client.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QMimeData, QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QWidget

from app.services.email_log import EmailLog, EmailUnreadable
from app.ui.editor.email_editor import email_files, read_email
from app.ui.editor.window import EditorLauncher

NO_CLIENT_WORDS = ("No client in your workspace has an address on this email, so it is logged on no one yet. "
                   "When you push it, Notebridge looks for the address in Salesforce; if no one there has it, "
                   "the email waits in the Outbox until you choose the client — or goes on a new Lead if "
                   "“also create a Lead” is on in Settings → Sending.")


class EmailDropTarget(QObject):
    """Watches one widget for dropped email files; ``dropped`` carries a copy of the drop's data."""

    dropped = Signal(object)  # QMimeData

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QDragEnterEvent | QDragMoveEvent) and email_files(event.mimeData()):
            event.acceptProposedAction()
            return True
        if isinstance(event, QDropEvent) and email_files(event.mimeData()):
            event.acceptProposedAction()
            copy = QMimeData()  # the drop's own data lives only as long as the event
            copy.setUrls(event.mimeData().urls())
            self.dropped.emit(copy)
            return True
        return super().eventFilter(watched, event)


async def log_dropped_email(mime: QMimeData, editors: EditorLauncher, contact_id: int | None,
                            say: Callable[[str], None]) -> bool:
    """Open a new email draft filled from the dropped file; False (and ``say`` why) when it can't be read."""
    try:
        parsed = await read_email(mime)
    except EmailUnreadable as exc:
        say(str(exc))
        return False
    if contact_id is None:
        matches = await EmailLog(editors.db, editors.drafts.events).match(editors.connection_id, parsed.addresses)
        if not matches:
            say(NO_CLIENT_WORDS)
    await editors.open_email(parsed, contact_id)
    return True


__all__ = ["NO_CLIENT_WORDS", "EmailDropTarget", "log_dropped_email"]
