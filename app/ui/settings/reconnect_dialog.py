"""Sign in again: one browser step for the connection this workspace already has.

An expired or revoked sign-in (the org restarted, a password reset, an admin revoked the app) needs
nothing but a fresh sign-in: the org, the app's key and every preference stay as they are. So
Reconnect opens this small dialog, never the setup wizard (that is for a new org). It starts the
browser sign-in at once, waits with a way out (Cancel) and a way round a browser that did not open
(the sign-in link to copy), and closes itself when the sign-in is saved. The work is the use case
``app.services.sign_in.reconnect``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.salesforce import auth, oauth_errors
from app.salesforce.errors import SalesforceError
from app.secrets import SecretStoreUnavailable
from app.services.events import Events
from app.services.sign_in import NotThisConnection, reconnect
from app.ui import aio
from app.ui.widgets.copy_field import CopyField
from app.ui.widgets.inline_message import InlineMessage
from app.ui.window_focus import bring_to_front
from app.ui.wizard.page_signin import describe_failure

if TYPE_CHECKING:
    from app.services.workspace import Database
    from app.sync.connection import ConnectionManager, OrgConnection

log = logging.getLogger(__name__)

# Problems with the app itself (its key, secret or callback addresses), not with the sign-in: signing in
# again cannot fix them, so the dialog offers the setup wizard's steps instead.
_NEEDS_SETUP = (oauth_errors.UnknownConsumerKey, oauth_errors.SecretRequired, oauth_errors.ClientSecretRejected,
                oauth_errors.CallbackMismatch)


class ReconnectDialog(QDialog):
    """Signs the active connection in again; ``connection`` is set when that worked."""

    setup_requested = Signal()  # the app's settings need changing: the wizard, not another sign-in

    def __init__(self, db: Database, connections: ConnectionManager, *, open_url: Callable[[str], object],
                 callback_urls: tuple[str, ...] = auth.DEFAULT_CALLBACK_URLS, events: Events | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reconnectDialog")
        self.setWindowTitle("Sign in to Salesforce again")
        # Word-wrapped labels give a dialog no width of its own: without this it opened 190 px wide,
        # every sentence cut off.
        self.setMinimumWidth(560)
        self.db = db
        self.connections = connections
        self.open_url = open_url
        self.callback_urls = callback_urls
        self.events = events
        self.connection: OrgConnection | None = None
        self.state = "idle"
        self._task: asyncio.Task[None] | None = None

        layout = QVBoxLayout(self)
        active = connections.active
        who = f"<b>{active.username}</b> at <b>{active.org_name or active.instance_url}</b>" if active else ""
        self.summary = QLabel(
            f"Your browser opens Salesforce's sign-in page. Sign in as {who} and choose Allow. "
            "Your clients, drafts and settings stay as they are.")
        self.summary.setObjectName("reconnectSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        waiting = QHBoxLayout()
        self.busy = QProgressBar()
        self.busy.setObjectName("reconnectBusy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.setTextVisible(False)
        waiting.addWidget(self.busy)
        self.waiting_label = QLabel("Waiting for you to sign in in your browser…")
        self.waiting_label.setObjectName("reconnectWaiting")
        self.waiting_label.setWordWrap(True)
        waiting.addWidget(self.waiting_label, 1)
        layout.addLayout(waiting)
        self.link = CopyField("No browser window? Copy this sign-in link into your browser:", "",
                              name="reconnectLink")
        self.link.setVisible(False)
        layout.addWidget(self.link)
        self.message = InlineMessage(name="reconnectResult")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.retry_button = QPushButton("Try again")
        self.retry_button.setObjectName("reconnectRetry")
        self.retry_button.clicked.connect(self.start)
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.setup_button = QPushButton("Check the app's settings…")
        self.setup_button.setObjectName("reconnectSetup")
        self.setup_button.clicked.connect(self._to_setup)
        buttons.addButton(self.setup_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("reconnectCancel")
        self.cancel_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self._set_state("idle")

    def _set_state(self, state: str) -> None:
        self.state = state
        waiting = state == "waiting"
        self.busy.setVisible(waiting)
        self.waiting_label.setVisible(waiting)
        self.link.setVisible(waiting and bool(self.link.value()))
        self.retry_button.setVisible(state == "failed")
        if state != "failed":
            self.setup_button.setVisible(False)

    def open(self) -> None:
        super().open()
        self.start()

    def start(self) -> None:
        """Begin the browser sign-in (once at a time)."""
        if self._task is not None and not self._task.done():
            return
        self._task = aio.start(self._sign_in(), name="reconnect sign-in")

    def _open_browser(self, url: str) -> object:
        self.link.set_value(url)
        self.link.setVisible(True)
        opened = self.open_url(url)
        if opened is False:
            self.waiting_label.setText("Your browser didn't open. Copy the sign-in link below into your "
                                       "browser, sign in there, and come back.")
        return opened

    async def _sign_in(self) -> None:
        self.message.clear()
        self._set_state("waiting")
        try:
            connection = await reconnect(self.db, self.connections, self._open_browser,
                                         callback_urls=self.callback_urls, events=self.events)
        except asyncio.CancelledError:
            if aio.alive(self):
                self._set_state("idle")
            raise
        except NotThisConnection as exc:
            self._failed(exc.why, exc.what_to_do)
            return
        except (SalesforceError, SecretStoreUnavailable, ValueError) as exc:
            log.info("signing in again failed: %r", exc)
            self._failed(*describe_failure(exc))
            if aio.alive(self):
                self.setup_button.setVisible(isinstance(exc, _NEEDS_SETUP))
            return
        if not aio.alive(self):
            return
        self.connection = connection
        self._set_state("done")
        bring_to_front(self)  # the browser had the focus; the advisor's next step is here
        self.accept()

    def _failed(self, message: str, fix: str) -> None:
        if not aio.alive(self):
            return
        self._set_state("failed")
        bring_to_front(self)
        self.message.show_message("error", message, fix=fix)

    def _to_setup(self) -> None:
        self.reject()
        self.setup_requested.emit()

    def done(self, result: int) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()  # Cancel (or closing) stops waiting for the browser
        super().done(result)
