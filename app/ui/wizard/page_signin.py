"""Page 5 — Sign in: the system browser does the sign-in; Notebridge waits, then says who and where.

The advisor types their password only on Salesforce's page. While we wait there is always a way
out (Cancel) and a way round a browser that did not open (copy the sign-in link). A failure shows
Salesforce's problem in plain words, what to do, and a link to the wizard step where it is fixed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.salesforce import oauth_errors
from app.salesforce.errors import NetworkError, SalesforceError, ServerUnavailable
from app.secrets import SecretStoreUnavailable
from app.ui.widgets.copy_field import CopyField
from app.ui.widgets.inline_message import InlineMessage
from app.ui.widgets.secret_field import SecretField
from app.ui.window_focus import bring_to_front
from app.ui.wizard.base import PageId, WizardPageBase, paragraph

if TYPE_CHECKING:
    from app.sync.connection import OrgConnection
    from app.ui.wizard.controller import WizardController

log = logging.getLogger(__name__)

_FIX_STEPS: tuple[tuple[tuple[type[BaseException], ...], PageId, str], ...] = (
    ((oauth_errors.UnknownConsumerKey, oauth_errors.SecretRequired, oauth_errors.ClientSecretRejected),
     PageId.CREDENTIALS, "Check the consumer key and secret"),
    ((oauth_errors.CallbackMismatch, oauth_errors.ScopeMissing, oauth_errors.UserNotApproved,
      oauth_errors.NetworkBlocked, oauth_errors.CallbackPortBusy),
     PageId.CREATE_APP, "See the app's settings in Salesforce"),
    ((oauth_errors.InactiveOrg, NetworkError, ServerUnavailable, ValueError),
     PageId.ORG, "Check your org's address"),
)


def fix_step(exc: BaseException) -> tuple[PageId, str] | None:
    """The wizard page where the advisor can fix what went wrong, and the link text to it."""
    for types, page, label in _FIX_STEPS:
        if isinstance(exc, types):
            return page, label
    return None


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(what happened, what to do) for any exception the sign-in can raise."""
    if isinstance(exc, oauth_errors.OAuthError):
        return exc.message, exc.fix
    if isinstance(exc, SecretStoreUnavailable):
        return "Notebridge couldn't save your sign-in in the system keychain.", str(exc)
    if isinstance(exc, SalesforceError):
        return exc.message, "Check your internet connection and try again."
    if isinstance(exc, ValueError):
        return str(exc), "Go back and correct it, then sign in again."
    return "The sign-in stopped unexpectedly.", "Try again. If it keeps happening, send the log to support."


SECRET_ERRORS = (oauth_errors.SecretRequired, oauth_errors.ClientSecretRejected)
LEAVE_MANAGED = "managed:leave"


class SignInPage(WizardPageBase):
    page_id = PageId.SIGN_IN
    leave_managed_requested = Signal()  # the firm's setup led to a failing sign-in: go the full way

    def __init__(self, controller: WizardController) -> None:
        super().__init__(
            controller,
            title="Sign in with Salesforce",
            subtitle="Your browser opens Salesforce's own sign-in page. Sign in there and choose Allow; "
                     "Notebridge never sees your password.",
            illustration="illustrations/wizard-signin.svg",
            illustration_text="Signing in on Salesforce's page in the browser, then returning to Notebridge",
        )
        self.summary = paragraph("", "wizardSignInSummary", rich=True)
        self.body.addWidget(self.summary)

        self.demo_fields = QWidget()
        self.demo_fields.setObjectName("wizardDemoLogin")
        demo_layout = QHBoxLayout(self.demo_fields)
        demo_layout.setContentsMargins(0, 0, 0, 0)
        self.demo_username = CopyField("Demo username", "", name="wizardDemoUsername")
        self.demo_password = CopyField("Demo password", "", name="wizardDemoPassword")
        demo_layout.addWidget(self.demo_username)
        demo_layout.addWidget(self.demo_password)
        self.body.addWidget(self.demo_fields)

        row = QHBoxLayout()
        self.sign_in_button = QPushButton("Sign in with Salesforce")
        self.sign_in_button.setObjectName("wizardSignIn")
        self.sign_in_button.setAccessibleName("Sign in with Salesforce")
        self.sign_in_button.setProperty("class", "primary")
        self.sign_in_button.clicked.connect(self.start_sign_in)
        row.addWidget(self.sign_in_button)
        self.cancel_button = QPushButton("Cancel sign-in")
        self.cancel_button.setObjectName("wizardSignInCancel")
        self.cancel_button.setAccessibleName("Cancel sign-in")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel_sign_in)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        self.body.addLayout(row)

        self.waiting = QWidget()
        self.waiting.setObjectName("wizardSignInWaiting")
        waiting_row = QHBoxLayout(self.waiting)
        waiting_row.setContentsMargins(0, 0, 0, 0)
        self.busy = QProgressBar()
        self.busy.setObjectName("wizardSignInBusy")
        self.busy.setAccessibleName("Waiting for the sign-in")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(140)
        self.busy.setTextVisible(False)
        waiting_row.addWidget(self.busy)
        self.waiting_label = QLabel("Waiting for you to sign in in your browser…")
        self.waiting_label.setObjectName("wizardSignInWaitingText")
        self.waiting_label.setWordWrap(True)
        waiting_row.addWidget(self.waiting_label, 1)
        self.body.addWidget(self.waiting)

        self.link = CopyField("No browser window? Copy this sign-in link into your browser:", "",
                              name="wizardSignInLink")
        self.body.addWidget(self.link)
        # Managed: a firm's file never holds the consumer secret; when its app requires one anyway,
        # the advisor types it here (it goes to the keychain, as on the Consumer key page).
        self.secret_box = QWidget()
        self.secret_box.setObjectName("wizardManagedSecretBox")
        secret_layout = QVBoxLayout(self.secret_box)
        secret_layout.setContentsMargins(0, 0, 0, 0)
        secret_label = QLabel("Consumer Secret (your firm's app asks for it)")
        secret_label.setObjectName("wizardManagedSecretLabel")
        self.secret = SecretField(name="wizardManagedSecret", accessible_name="Consumer Secret")
        secret_label.setBuddy(self.secret.edit)
        secret_layout.addWidget(secret_label)
        secret_layout.addWidget(self.secret)
        secret_layout.addWidget(paragraph("Ask your IT team for it. It is kept in your computer's keychain, "
                                          "never in Notebridge's files.", "wizardManagedSecretHint"))
        self.secret.edit.textEdited.connect(self.controller.set_secret)
        self.secret_box.hide()
        self.body.addWidget(self.secret_box)
        self.result = InlineMessage(name="wizardSignInResult")
        self.result.link_activated.connect(self._fix_link)
        self.body.addWidget(self.result)
        self.usage = QLabel("")
        self.usage.setObjectName("wizardSignInUsage")
        self.usage.setWordWrap(True)
        self.body.addWidget(self.usage)

        self._task: asyncio.Task[None] | None = None
        self.last_error: BaseException | None = None
        self.authorize_url = ""
        self._shown_for: tuple[str, ...] | None = None  # what the result on screen was about
        self._set_state("idle")

    # -- state -----------------------------------------------------------------------------------
    def _set_state(self, state: str) -> None:
        self.state = state
        waiting = state == "waiting"
        self.waiting.setVisible(waiting)
        self.link.setVisible(waiting and bool(self.authorize_url))
        self.cancel_button.setVisible(waiting)
        self.sign_in_button.setEnabled(not waiting)
        self.sign_in_button.setVisible(state != "done")
        self.sign_in_button.setText("Try again" if state == "failed" else "Sign in with Salesforce")
        if state != "done":
            self.usage.clear()
        self.completeChanged.emit()

    def _depends_on(self) -> tuple[str, ...]:
        """What a sign-in result is about: the org, the app and the path. When any changes, it is stale."""
        draft = self.controller.draft
        return (self.controller.login_url or "", draft.consumer_key, draft.path, str(bool(self.controller.secret)))

    def initializePage(self) -> None:
        controller = self.controller
        if self.state == "failed" and self._shown_for != self._depends_on():
            # The advisor went back and chose another org or key: the old failure is not about this one.
            self.last_error = None
            self.authorize_url = ""
            self.link.set_value("")
            self.result.clear()
            self._set_state("idle")
        key = controller.draft.consumer_key
        shown_key = key if len(key) <= 16 else f"{key[:8]}…{key[-6:]}"
        self.summary.setText(
            f"You'll sign in at <b>{controller.login_url or '—'}</b> using the app with consumer key "
            f"<b>{shown_key}</b>.")
        demo = controller.draft.path == "demo" and controller.demo is not None
        self.demo_fields.setVisible(bool(demo and controller.demo and controller.demo.username))
        if demo and controller.demo is not None:
            self.demo_username.set_value(controller.demo.username or "")
            self.demo_password.set_value(controller.demo.password or "")
        if controller.connection is not None and self.state != "waiting":
            self._show_connected(controller.connection)
        elif self.state == "done":
            self._set_state("idle")
            self.result.clear()

    def isComplete(self) -> bool:
        return self.state == "done" and self.controller.connection is not None

    # -- sign-in ---------------------------------------------------------------------------------
    def start_sign_in(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._task = self.run(self._sign_in(), "sign-in")

    def cancel_sign_in(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _open_browser(self, url: str) -> object:
        self.authorize_url = url
        self.link.set_value(url)
        self.link.setVisible(True)
        opened = self.controller.open_url(url)
        if opened is False:
            self.waiting_label.setText("Your browser didn't open. Copy the sign-in link below into your "
                                       "browser, sign in there, and come back.")
        return opened

    async def _sign_in(self) -> None:
        self._shown_for = self._depends_on()
        self.result.clear()
        self.authorize_url = ""
        self.waiting_label.setText("Waiting for you to sign in in your browser…")
        self._set_state("waiting")
        try:
            connection = await self.controller.sign_in(self._open_browser)
        except asyncio.CancelledError:
            self._set_state("idle")
            self.result.show_message("info", "Sign-in cancelled.", fix="Start it again whenever you are ready.")
            raise
        except (SalesforceError, SecretStoreUnavailable, ValueError) as exc:
            self.last_error = exc
            log.info("sign-in failed: %r", exc)
            self._failed(exc)
            bring_to_front(self)
            return
        self.last_error = None
        self._show_connected(connection)
        bring_to_front(self)  # the callback arrived: the browser had the focus, the next step is here
        await self._load_usage()

    def _failed(self, exc: BaseException) -> None:
        message, fix = describe_failure(exc)
        step = fix_step(exc)
        link = (f"page:{int(step[0])}", step[1]) if step else None
        managed = self.controller.managed
        if self.controller.managed_config is not None and managed is not None:
            # The pages that fix it are not part of the managed way: the secret is asked for here, and
            # anything else is the firm's file (or the advisor goes the full way).
            if isinstance(exc, SECRET_ERRORS):
                self.secret_box.show()
                self.secret.setText(self.controller.secret)
                fix = "Enter the Consumer Secret below, then choose Try again."
                link = None
            elif step is not None:
                fix = (f"{fix} Your firm's setup comes from {managed.source}: if this keeps happening, tell "
                       "your IT team.")
                link = (LEAVE_MANAGED, "Enter the org and key myself")
        self._set_state("failed")
        self.result.show_message("error", message, fix=fix, link=link)

    def _fix_link(self, href: str) -> None:
        if href == LEAVE_MANAGED:
            self.leave_managed_requested.emit()
        elif href.startswith("page:"):
            self.navigate_requested.emit(int(href.split(":", 1)[1]))

    def _show_connected(self, connection: OrgConnection) -> None:
        who = connection.display_name or connection.username
        org = connection.org_name or f"org {connection.org_id}"
        self._set_state("done")
        self.result.show_message(
            "ok", f"Signed in as {who} ({connection.username}) to {org}.",
            fix=f"Salesforce address: {connection.instance_url}")
        facts = self.controller.facts
        if facts is not None and facts.api_usage:
            self._show_usage(*facts.api_usage)

    async def _load_usage(self) -> None:
        """Read what the org supports now (the Preferences page needs it) and show the API usage."""
        try:
            facts = await self.controller.load_facts()
        except Exception as exc:  # only informative here; Preferences retries and explains
            log.info("could not read org facts after sign-in: %s", exc)
            return
        if facts.api_usage and self.state == "done":
            self._show_usage(*facts.api_usage)

    def _show_usage(self, used: int, limit: int) -> None:
        self.usage.setText(f"API use today: {used:,} of {limit:,} calls.")

    def cleanupPage(self) -> None:
        self.cancel_sign_in()

    def focus_first(self) -> None:
        if self.sign_in_button.isVisible():
            self.sign_in_button.setFocus(Qt.FocusReason.TabFocusReason)

    def nextId(self) -> int:
        if self.controller.managed_config is not None:
            return int(PageId.FIRST_SYNC)  # the firm chose the preferences
        return int(PageId.PREFERENCES)
