"""The wizard's state and the work behind its pages, apart from the widgets that show it.

One ``WizardController`` per wizard. Pages read and write ``draft`` through ``update()``, which
saves it (debounced) so quitting at any moment loses at most the last fraction of a second of
typing; the consumer secret goes to the keyring instead, under a key derived from the draft's id,
until sign-in files it under the connection. The Salesforce work (sign-in, reading what the org
supports, saving preferences) lives here too, so pages stay about presentation.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from app import secrets
from app.salesforce import auth
from app.services import managed, setup
from app.services.events import Events
from app.services.managed import ManagedConfig, ManagedSetup
from app.services.setup import WizardDraft
from app.services.sign_in import SIGN_IN_TIMEOUT, SignInRequest, sign_in
from app.ui import aio
from app.ui.wizard import preferences as prefs
from app.ui.wizard.demo_values import DemoValues
from app.ui.wizard.validation import OrgCheck, check_org

if TYPE_CHECKING:
    from app.services.workspace import Database
    from app.sync.connection import ConnectionManager, OrgConnection

log = logging.getLogger(__name__)

SAVE_DELAY_MS = 250
CONSUMER_SECRET = "consumer_secret"  # noqa: S105 - the keyring entry's kind, not a secret
USERS_SOQL = "SELECT Id, Name, Email, Username FROM User WHERE IsActive = true ORDER BY Name LIMIT 2000"


@dataclass(frozen=True)
class Colleague:
    user_id: str
    name: str
    email: str = ""


@dataclass(frozen=True)
class OrgFacts:
    """What the preferences page needs to know about the org, read once after sign-in."""

    content_note_available: bool
    content_note_reason: str
    users: tuple[Colleague, ...]
    me: Colleague | None
    api_usage: tuple[int, int] | None


def open_in_browser(url: str) -> bool:
    """The system browser, through the desktop's own URL handler. False when none could be started."""
    return QDesktopServices.openUrl(QUrl(url))


def same_id(a: str | None, b: str | None) -> bool:
    """Salesforce Ids: 15 case-sensitive characters, optionally 3 more of checksum."""
    return bool(a and b and a[:15] == b[:15])


class WizardController(QObject):
    draft_saved = Signal()
    save_failed = Signal(str)
    keyring_problem = Signal(str)   # the secret could not go to the keyring: advisor-readable reason
    changed = Signal(str)           # name of the draft field that changed

    def __init__(
        self,
        db: Database,
        connections: ConnectionManager,
        *,
        demo: DemoValues | None = None,
        start_demo: Callable[[], Awaitable[Mapping[str, Any]]] | None = None,
        save_delay_ms: int = SAVE_DELAY_MS,
        events: Events | None = None,
        prefer_demo: bool = False,
        open_demo_workspace: Callable[[], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.open_demo_workspace = open_demo_workspace  # "Try the demo org": the demo workspace, not the pages
        self.prefer_demo = prefer_demo  # a fresh wizard starts on "Try the demo org" (with ``demo`` values)
        self.db = db
        self.connections = connections
        self.events = events or Events()
        self.demo = demo
        self._start_demo = start_demo
        self.draft = WizardDraft()
        self.secret = ""
        self.connection: OrgConnection | None = None
        self.facts: OrgFacts | None = None
        self.secret_in_keyring = True
        self.restored = False
        # A firm's notebridge.json (app.services.managed), read at restore: when usable, the wizard is
        # only Welcome → Sign in → First sync; ``managed_config`` is None when it is not used.
        self.managed: ManagedSetup | None = None
        self.use_managed = False
        self.presets_applied: managed.PresetsApplied | None = None  # what the firm's sync presets did
        # Opens an address in the system browser; tests and the e2e run replace it.
        self.open_url: Callable[[str], object] = open_in_browser
        self._save_lock = asyncio.Lock()
        self._secret_dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(save_delay_ms)
        self._timer.timeout.connect(self._save_soon)

    # -- restore and save ------------------------------------------------------------------------
    async def restore(self) -> None:
        """Load the saved draft (or start one), its secret, and the connection it led to."""
        saved = await setup.load_draft(self.db)
        if saved is not None:
            self.draft = saved
        if self.draft.has_secret:
            try:
                self.secret = await secrets.aload_secret(self._secret_key(), CONSUMER_SECRET) or ""
            except secrets.SecretStoreUnavailable as exc:
                self.secret_in_keyring = False
                self.keyring_problem.emit(str(exc))
        self.managed = await managed.load()
        active = await self.connections.load_active()
        managed_way = self._apply_managed(fresh=saved is None)
        if saved is None and active is not None and not managed_way:
            # Reopened with a connection (the sign-in dialog sent the advisor to the app steps): start from it.
            self.draft.path = "key"
            self.draft.consumer_key = active.consumer_key
            self._prefill_org(active.login_url)
            self.draft.preferences = await setup.saved_choices(
                self.db, active.connection_id,
                {"record_scope": prefs.SETTING_SCOPE, "task_assignee_id": prefs.SETTING_TASK_ASSIGNEE})
        elif saved is None and self.prefer_demo and self.demo_available:
            self.draft.path = "demo"
        elif self.draft.connection_id is not None:
            if active is not None and active.connection_id == self.draft.connection_id:
                self.connection = active
            else:
                self.draft.connection_id = None  # the sign-in this draft led to is gone: sign in again
        self.restored = True

    def _apply_managed(self, *, fresh: bool) -> bool:
        """Take the firm's file into the draft: all of it when usable, its good half on a fresh draft
        when not. True when the wizard runs the short, managed way."""
        setup_file = self.managed
        if setup_file is None or self.prefer_demo or self.draft.path == "demo":
            return False
        config = setup_file.config
        if config is None:
            if fresh and setup_file.prefill:
                self.draft.path = "key"
                self.draft.consumer_key = setup_file.prefill.get("consumer_key", "")
                if "login_url" in setup_file.prefill:
                    self._prefill_org(setup_file.prefill["login_url"])
            return False
        self.use_managed = True
        self.draft.path = "key"
        self.draft.consumer_key = config.consumer_key
        self._prefill_org(config.login_url)
        self.draft.preferences = config.preferences.as_draft()
        return True

    @property
    def managed_config(self) -> ManagedConfig | None:
        """The firm's config, while the wizard runs the managed way."""
        if not self.use_managed or self.managed is None:
            return None
        return self.managed.config

    def leave_managed(self) -> None:
        """The advisor goes the full way after all (the firm's file led to a sign-in that fails)."""
        self.use_managed = False
        self.update(path="admin")

    def _prefill_org(self, login_url: str) -> None:
        from app.salesforce import urls

        if login_url.rstrip("/") == urls.LOGIN_PRODUCTION:
            self.draft.org_kind = "production"
        elif login_url.rstrip("/") == urls.LOGIN_SANDBOX:
            self.draft.org_kind = "sandbox"
        else:
            self.draft.org_kind, self.draft.org_address = "mydomain", login_url
            self.draft.allow_custom_domain = True

    def update(self, **values: Any) -> None:
        """Change draft fields and schedule a save."""
        for name, value in values.items():
            if not hasattr(self.draft, name):
                raise AttributeError(f"no draft field {name!r}")
            if getattr(self.draft, name) != value:
                setattr(self.draft, name, value)
                self.changed.emit(name)
        self._timer.start()

    def update_preference(self, name: str, value: Any) -> None:
        if self.draft.preferences.get(name) != value:
            self.draft.preferences = {**self.draft.preferences, name: value}
            self.changed.emit(f"preferences.{name}")
        self._timer.start()

    def set_secret(self, value: str) -> None:
        if value == self.secret:
            return
        self.secret = value
        self._secret_dirty = True
        self.draft.has_secret = bool(value)
        self._timer.start()

    def _save_soon(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no loop running (shutting down): the close path flushes instead
            return
        aio.start(self.flush(), name="wizard-save")

    def stop_autosave(self) -> None:
        self._timer.stop()

    async def flush(self) -> None:
        """Write the draft (and the secret) now. Safe to call any time; saves are serialised."""
        self._timer.stop()
        async with self._save_lock:
            if self._secret_dirty:
                self._secret_dirty = False
                await self._save_secret()
            try:
                await setup.save_draft(self.db, self.draft)
            except Exception as exc:  # a full disk must not crash the wizard; say so instead
                log.exception("saving the wizard draft failed")
                if aio.alive(self):
                    self.save_failed.emit(f"Notebridge could not save your progress: {exc}")
                return
        if aio.alive(self):  # the wizard may have closed (and been deleted) while the save ran
            self.draft_saved.emit()

    async def _save_secret(self) -> None:
        key = self._secret_key()
        try:
            if self.secret:
                await secrets.astore_secret(key, CONSUMER_SECRET, self.secret)
            else:
                await secrets.adelete_secret(key, CONSUMER_SECRET)
            self.secret_in_keyring = True
        except secrets.SecretStoreUnavailable as exc:
            self.secret_in_keyring = False
            self.keyring_problem.emit(str(exc))

    def _secret_key(self) -> str:
        return setup.draft_secret_key(self.draft.draft_id)

    async def discard(self) -> None:
        """The wizard is finished: forget the draft and the secret filed under it."""
        self._timer.stop()
        async with self._save_lock:
            await setup.clear_draft(self.db)
            with contextlib.suppress(secrets.SecretStoreUnavailable):
                await secrets.adelete_secret(self._secret_key(), CONSUMER_SECRET)

    # -- derived values --------------------------------------------------------------------------
    def org_check(self) -> OrgCheck:
        d = self.draft
        return check_org(d.org_kind, d.org_address, allow_custom=d.allow_custom_domain)

    @property
    def login_url(self) -> str | None:
        config = self.managed_config
        if config is not None:
            return config.login_url
        return self.org_check().login_url

    @property
    def callback_urls(self) -> tuple[str, ...]:
        if self.draft.path == "demo" and self.demo is not None:
            return self.demo.callback_urls
        # The callback the firm registered stays right even when the advisor leaves the managed way.
        config = self.managed.config if self.managed is not None else None
        if config is not None and config.callback_urls:
            return config.callback_urls
        return auth.DEFAULT_CALLBACK_URLS

    @property
    def ca_file(self) -> str | None:
        if self.draft.path == "demo" and self.demo is not None:
            return self.demo.ca_file
        return None

    @property
    def demo_available(self) -> bool:
        return self.demo is not None or self._start_demo is not None or self.open_demo_workspace is not None

    async def use_demo(self) -> None:
        """Fill the org and key fields with the demo org's values (starting it first if needed)."""
        if self.demo is None:
            if self._start_demo is None:
                raise RuntimeError("no demo org available")
            self.demo = DemoValues.from_mapping(await self._start_demo())
        self.fill_demo()

    def fill_demo(self) -> None:
        demo = self.demo
        if demo is None:
            raise RuntimeError("no demo org available")
        self.update(path="demo", org_kind="mydomain", org_address=demo.login_url, allow_custom_domain=True,
                    consumer_key=demo.consumer_key)
        self.set_secret(demo.consumer_secret or "")

    def leave_demo(self) -> None:
        """The advisor chose a real org after looking at the demo: do not keep its values around."""
        demo = self.demo
        if demo is None:
            return
        if self.draft.org_address == demo.login_url:
            self.update(org_kind="production", org_address="", allow_custom_domain=False)
        if self.draft.consumer_key == demo.consumer_key:
            self.update(consumer_key="")
            self.set_secret("")

    # -- sign-in ---------------------------------------------------------------------------------
    async def sign_in(self, open_browser: Callable[[str], object]) -> OrgConnection:
        """Browser sign-in, then save the connection. Raises OAuthError/SalesforceError/ValueError."""
        login_url = self.login_url
        if login_url is None:
            raise ValueError(self.org_check().message)
        request = SignInRequest(login_url, self.draft.consumer_key, self.secret or None, self.callback_urls,
                                SIGN_IN_TIMEOUT, ca_file=self.ca_file)
        connection = await sign_in(self.db, self.connections, request, open_browser, events=self.events)
        self.connection = connection
        self.facts = None
        self.update(connection_id=connection.connection_id)
        await self.flush()
        return connection

    # -- what the org supports -------------------------------------------------------------------
    async def load_facts(self) -> OrgFacts:
        """ContentNote availability (global describe) and active users (SOQL), via the live client."""
        client = await self.connections.client()
        described = await client.describe_global()
        available, reason = prefs.content_note_support(described)
        records = await client.query_list(USERS_SOQL)
        users = tuple(
            Colleague(str(r["Id"]), str(r.get("Name") or r.get("Username") or r["Id"]), str(r.get("Email") or ""))
            for r in records if r.get("Id")
        )
        me_id = self.connection.user_id if self.connection else None
        me = next((u for u in users if same_id(u.user_id, me_id)), None)
        if me is None and self.connection is not None:
            me = Colleague(self.connection.user_id, self.connection.display_name or self.connection.username)
        self.facts = OrgFacts(available, reason, users, me, client.api_usage)
        return self.facts

    async def apply_preferences(self) -> OrgConnection:
        """Save the preferences page's choices where the engines read them (managed: the firm's)."""
        chosen = prefs.Preferences.from_draft(self.draft.preferences)
        config = self.managed_config
        if config is not None:
            chosen = await self._fit_to_org(chosen)
        connection = await prefs.save(self.db, self.connections, chosen, self.events)
        if config is not None:
            await managed.apply_push_defaults(self.db, self.connections, config)
            # The firm's filter rules and field mappings: what the org lacks is skipped and said in the
            # Sync log; the setup goes on either way.
            self.presets_applied = await managed.apply_sync_presets(self.db, self.connections, config.sync,
                                                                    self.events)
        self.connection = connection
        return connection

    async def _fit_to_org(self, chosen: prefs.Preferences) -> prefs.Preferences:
        """What the Preferences page would have done with the firm's choices: Enhanced Notes only where
        the org has them (no page is shown, so nobody else would notice)."""
        if self.facts is None:
            try:
                await self.load_facts()
            except Exception as exc:  # the org could not be asked: keep the firm's choice
                log.info("could not read what the org supports: %s", exc)
        if self.facts is not None and not self.facts.content_note_available and chosen.note_type == "ContentNote":
            chosen = dataclasses.replace(chosen, note_type="Note")
        return chosen


def colleagues_without(users: Sequence[Colleague], me: Colleague | None) -> list[Colleague]:
    return [u for u in users if not (me and same_id(u.user_id, me.user_id))]
