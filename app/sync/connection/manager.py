"""The one owner of "the org we are connected to": its saved facts, its secrets and its live client.

Every feature asks this object for a `SalesforceClient` instead of building one, so that token refresh,
keyring access and the connection's health are handled in one place: a revoked refresh token seen by
the push engine turns the status badge to "Needs attention" everywhere, and a reconnect fixes it for
everyone. Access tokens live only in memory; the refresh token and consumer secret only in the keyring
(or, when no keyring works and the advisor accepted it, in memory for this session only).

The status values and their rules are in :mod:`app.sync.connection.status`, the saved facts in
:mod:`app.sync.connection.org`, the secrets' keyring-or-memory rule in
:mod:`app.sync.connection.sign_in_secrets`; this module decides and owns the live client.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from app import secrets
from app.salesforce.auth import SignInResult, TokenRefresher
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    SESSION_POLICY_FIX,
    SESSION_POLICY_REASON,
    ConcurrentLimitExceeded,
    NetworkError,
    OutcomeUnknown,
    RequestLimitExceeded,
    RestSessionRefused,
    SalesforceError,
    ServerUnavailable,
    UnreadableResponse,
)
from app.salesforce.oauth import revoke
from app.salesforce.oauth_errors import OAuthError
from app.salesforce.transport import Deadlines
from app.store import Database
from app.store import connections as connection_rows
from app.store.models import Connection
from app.sync import keyring_slot
from app.sync.connection.org import OrgConnection, org_connection
from app.sync.connection.sign_in_secrets import CONSUMER_SECRET, KINDS, REFRESH_TOKEN, ConnectionSecrets
from app.sync.connection.status import (
    DISCONNECTED,
    NOT_CONNECTED,
    ConnectionStatus,
    NeedsAttention,
    NotConnected,
    offline_status,
)

log = logging.getLogger(__name__)


class ConnectionManager:
    def __init__(self, db: Database, *, ca_file: str | None = None, deadlines: Deadlines | None = None) -> None:
        self._db = db
        self._ca_file = ca_file  # only for the demo org's --tls local CA
        self._deadlines = deadlines  # None: the client's defaults (tests use short ones)
        self.active: OrgConnection | None = None
        self.status: ConnectionStatus = NOT_CONNECTED
        self._listeners: list[Callable[[ConnectionStatus], None]] = []
        self._client: SalesforceClient | None = None
        self._access_token: str | None = None
        self._secrets = ConnectionSecrets()  # keyring, or memory for this session only
        self._lock = asyncio.Lock()

    # -- status ----------------------------------------------------------------------------------
    def add_listener(self, callback: Callable[[ConnectionStatus], None]) -> None:
        self._listeners.append(callback)
        callback(self.status)

    def _set_status(self, status: ConnectionStatus) -> None:
        if status == self.status:
            return
        self.status = status
        log.info("connection status: %s %s", status.state, status.reason)
        for callback in list(self._listeners):
            try:
                callback(status)
            except Exception:
                log.exception("connection status listener failed")

    def _attention(self, reason: str, fix: str) -> ConnectionStatus:
        status = ConnectionStatus("needs_attention", reason, fix)
        self._set_status(status)
        return status

    # -- secrets and facts ------------------------------------------------------------------------
    async def saved_consumer_secret(self) -> str | None:
        """The active connection's consumer secret (for signing in again with the same app)."""
        connection = self._require_active()
        try:
            return await self._secrets.load(connection, CONSUMER_SECRET)
        except secrets.SecretStoreUnavailable:
            return None

    @property
    def ca_file(self) -> str | None:
        """The demo org's local CA under --tls; None for real Salesforce."""
        return self._ca_file

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(used, daily limit) as Salesforce last reported it to this connection's client."""
        return self._client.api_usage if self._client is not None else None

    @property
    def session_only(self) -> bool:
        """True when the sign-in is kept in memory only (no keyring): it ends when the app closes."""
        return self._secrets.session_only

    @property
    def keyring_problem(self) -> str:
        """Why the sign-in is session-only, with what to install (advisor words); "" with a keyring."""
        return self._secrets.keyring_problem

    # -- lifecycle -------------------------------------------------------------------------------
    async def _with_slot(self, row: Connection, *, fresh_sign_in: bool = False) -> OrgConnection:
        """The connection with its own keyring slot, moving secrets filed the old way once.

        A fresh sign-in brings its own secrets, so it never takes an old org:user entry: that entry may
        belong to another data folder on the same org user that has not been opened since.
        """
        connection = org_connection(row)
        slot, needs_move = await keyring_slot.slot_of(self._db, connection.connection_id)
        connection = replace(connection, keyring_slot=slot)
        if needs_move and fresh_sign_in:
            await keyring_slot.mark_moved(self._db, connection.connection_id)
        elif needs_move:
            old_key = keyring_slot.legacy_key(connection.org_id, connection.user_id)
            if await keyring_slot.move_legacy(old_key, connection.secret_key, KINDS):
                await keyring_slot.mark_moved(self._db, connection.connection_id)
        return connection

    async def load_active(self) -> OrgConnection | None:
        row = await self._db.run(connection_rows.get_active)
        self.active = await self._with_slot(row) if row is not None else None
        if self.active is None or row is None:
            self._set_status(NOT_CONNECTED)
            return None
        try:
            refresh_token = await self._secrets.load(self.active, REFRESH_TOKEN)
        except secrets.SecretStoreUnavailable as exc:
            self._attention("Notebridge cannot reach the system keyring, where your sign-in is kept.", str(exc))
            return self.active
        if refresh_token is None and row.status == "disconnected":
            self._set_status(DISCONNECTED)
        elif refresh_token is None:  # the workspace says connected, but the keyring has no sign-in for it
            self._attention("Your Salesforce sign-in was not found in the system keyring. "
                            "Your clients and drafts are kept.", "Choose Reconnect to sign in again.")
        else:
            self._set_status(ConnectionStatus("connected"))
        return self.active

    async def save_sign_in(
        self, result: SignInResult, *, login_url: str, consumer_key: str, consumer_secret: str | None,
        org_name: str | None = None,
    ) -> OrgConnection:
        """Persist a fresh sign-in: facts to SQLite, secrets to the keyring, access token to memory."""
        fields: dict[str, Any] = {
            "org_id": result.org_id, "user_id": result.user_id, "username": result.username,
            "display_name": result.display_name, "org_name": org_name, "instance_url": result.instance_url,
            "login_url": login_url, "api_version": result.api_version, "consumer_key": consumer_key,
        }
        row = await self._db.run(lambda session: connection_rows.save_sign_in(session, **fields))
        connection = await self._with_slot(row, fresh_sign_in=True)
        await self._close_client()
        if result.refresh_token:
            await self._secrets.save(connection, REFRESH_TOKEN, result.refresh_token)
        if consumer_secret:
            await self._secrets.save(connection, CONSUMER_SECRET, consumer_secret)
        self.active = connection
        self._access_token = result.access_token
        self._set_status(ConnectionStatus("connected"))
        return connection

    async def update_preferences(self, *, along: Callable[[Any], None] | None = None,
                                 **preferences: object) -> OrgConnection:
        """Change note type, where clients live, … on the active connection.  ``along`` writes the
        settings that go with the change in the same transaction, so a crash never keeps half of it."""
        active = self._require_active()

        def write(session: Any) -> Any:
            row = connection_rows.update(session, active.connection_id, **preferences)
            if along is not None:
                along(session)
            return row

        row = await self._db.run(write)
        self.active = replace(org_connection(row), keyring_slot=active.keyring_slot)
        return self.active

    def _require_active(self) -> OrgConnection:
        if self.active is None:
            raise NotConnected(NOT_CONNECTED)
        return self.active

    async def client(self) -> SalesforceClient:
        """The live client for the active connection (built once; refreshes its own token)."""
        async with self._lock:
            if self._client is not None:
                return self._client
            connection = self._require_active()
            if self.status.state == "needs_attention":
                raise NeedsAttention(self.status)
            try:
                refresh_token = await self._secrets.load(connection, REFRESH_TOKEN)
                consumer_secret = await self._secrets.load(connection, CONSUMER_SECRET)
            except secrets.SecretStoreUnavailable as exc:
                raise NeedsAttention(self._attention(
                    "Notebridge cannot reach the system keyring, where your sign-in is kept.", str(exc))) from exc
            if refresh_token is None and self._access_token is None:
                raise NotConnected(self.status if self.status.state == "not_connected" else NOT_CONNECTED)
            refresher = None
            if refresh_token is not None:
                refresher = TokenRefresher(
                    connection.login_url, connection.consumer_key, refresh_token,
                    consumer_secret=consumer_secret, ca_file=self._ca_file,
                    on_rotated=lambda new: self._secrets.save(connection, REFRESH_TOKEN, new),
                )
            access_token = self._access_token
            if access_token is None:
                assert refresher is not None
                access_token = await self._guarded(refresher())
            self._client = SalesforceClient(
                connection.instance_url, access_token, api_version=connection.api_version,
                refresh=(lambda: self._guarded(refresher())) if refresher else None,
                ca_file=self._ca_file, deadlines=self._deadlines,
            )
            return self._client

    async def _guarded(self, refresh: Awaitable[str]) -> str:
        """Await a token refresh; a refused refresh makes the connection need attention."""
        try:
            token = await refresh
        except OAuthError as exc:
            self._attention(str(exc), exc.fix or "Reconnect Salesforce in Settings.")
            raise
        self._access_token = token
        return token

    async def test_connection(self) -> ConnectionStatus:
        """Ask Salesforce for real (one cheap call) and update the status from the answer."""
        try:
            client = await self.client()
            await client.limits()
        except NotConnected as exc:
            return exc.status
        except OAuthError as exc:
            return self._attention(str(exc), exc.fix or "Reconnect Salesforce in Settings.")
        except RestSessionRefused:  # the app's session policy: a new sign-in is refused the same way
            return self._attention(SESSION_POLICY_REASON, SESSION_POLICY_FIX)
        except ConcurrentLimitExceeded:  # Salesforce answered: busy for a minute, not out of calls
            pass
        except RequestLimitExceeded:
            return self._attention("Your org has used all of today's Salesforce API calls.",
                                   "Notebridge waits and tries again automatically; nothing is lost.")
        except (NetworkError, ServerUnavailable, UnreadableResponse) as exc:  # transient: stay signed in
            status = offline_status(self.status, exc)
            self._set_status(status)
            return status
        except SalesforceError as exc:
            return self._attention(f"Salesforce refused the request: {exc}", "Try Reconnect in Settings.")
        self._set_status(ConnectionStatus("connected"))
        return self.status

    def report_failure(self, exc: BaseException) -> None:
        """Engines call this with errors they saw, so the badge reflects reality between checks."""
        if isinstance(exc, OAuthError):
            self._attention(str(exc), exc.fix or "Reconnect Salesforce in Settings.")
        elif isinstance(exc, RestSessionRefused):
            self._attention(SESSION_POLICY_REASON, SESSION_POLICY_FIX)
        elif isinstance(exc, NetworkError | ServerUnavailable | UnreadableResponse | OutcomeUnknown) \
                and self.status.state == "connected":
            self._set_status(offline_status(self.status, exc))

    def report_success(self) -> None:
        if self.status.state == "connected" and self.status.offline:
            self._set_status(ConnectionStatus("connected"))

    async def disconnect(self) -> None:
        """Revoke and forget the tokens; keep the workspace (contacts and drafts stay, stop updating)."""
        connection = self._require_active()
        try:
            refresh_token = await self._secrets.load(connection, REFRESH_TOKEN)
        except secrets.SecretStoreUnavailable:
            refresh_token = None
        if refresh_token:
            try:
                await revoke(connection.login_url, refresh_token, ca_file=self._ca_file)
            except SalesforceError as exc:  # offline: still forget it locally; it dies when unused
                log.warning("could not revoke the refresh token: %s", exc)
        await self._close_client()
        self._access_token = None
        await self._secrets.delete(connection)
        await self._db.run(lambda session: connection_rows.update(session, connection.connection_id,
                                                                  status="disconnected"))
        self._set_status(DISCONNECTED)

    async def _close_client(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    async def aclose(self) -> None:
        await self._close_client()
