""""Sign in": the one sign-in sequence the setup wizard and ``notebridge connect`` both run.

Authorize URL, loopback callback and token exchange, identity (all in ``app.salesforce.auth``), then
the org's name (one optional query), then the connection saved — facts to SQLite, refresh token and
consumer secret to the keyring (``ConnectionManager.save_sign_in``).  Publishes ``SignedIn``.

The CLI's whole job is to keep the sign-in, so it asks for ``must_keep``: a workspace that cannot be
written, or a keyring that refuses the secrets, becomes ``SignInNotKept`` with the advisor's words
(and a session-only sign-in is undone).  The wizard can go on with a sign-in kept for this session
only, so it does not ask.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app import secrets
from app.salesforce import auth
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import SalesforceError
from app.salesforce.oauth import revoke
from app.services.events import Events, SignedIn

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync.connection import ConnectionManager, OrgConnection

log = logging.getLogger(__name__)

SIGN_IN_TIMEOUT = 300.0  # seconds the advisor has in the browser
ORG_NAME_SOQL = "SELECT Name FROM Organization LIMIT 1"
DEFAULT_CALLBACK_URLS = auth.DEFAULT_CALLBACK_URLS

__all__ = ["DEFAULT_CALLBACK_URLS", "SIGN_IN_TIMEOUT", "NotThisConnection", "SignInNotKept", "SignInRequest",
           "reconnect", "sign_in"]


@dataclass(frozen=True)
class SignInRequest:
    """Where and as which connected app to sign in."""

    login_url: str
    consumer_key: str
    consumer_secret: str | None = field(default=None, repr=False)
    callback_urls: tuple[str, ...] = auth.DEFAULT_CALLBACK_URLS
    timeout: float = SIGN_IN_TIMEOUT
    ca_file: str | None = None  # only for the demo org's --tls local CA


class SignInNotKept(Exception):
    """The advisor signed in, but the sign-in could not be kept; nothing is left saved."""

    def __init__(self, why: str, what_to_do: str) -> None:
        super().__init__(why)
        self.why = why
        self.what_to_do = what_to_do


class NotThisConnection(ValueError):
    """Reconnecting signed in to another org or as another user; nothing was saved. Advisor words."""

    def __init__(self, why: str, what_to_do: str) -> None:
        super().__init__(why)
        self.why = why
        self.what_to_do = what_to_do


async def sign_in(
    db: Database, connections: ConnectionManager, request: SignInRequest,
    open_browser: Callable[[str], object], *, must_keep: bool = False, events: Events | None = None,
) -> OrgConnection:
    """Browser sign-in, then save the connection and make it the active one.

    Raises ``OAuthError`` (with ``.message``/``.fix``), ``SalesforceError`` or ``ValueError`` when the
    sign-in fails, and (``must_keep``) ``SignInNotKept`` when it could not be saved.
    """
    result = await auth.sign_in(
        request.login_url, request.consumer_key, request.consumer_secret, request.callback_urls,
        open_browser=open_browser, timeout=request.timeout, ca_file=request.ca_file,
    )
    return await _keep(db, connections, request, result, must_keep=must_keep, events=events)


async def reconnect(
    db: Database, connections: ConnectionManager, open_browser: Callable[[str], object], *,
    callback_urls: tuple[str, ...] = auth.DEFAULT_CALLBACK_URLS, events: Events | None = None,
) -> OrgConnection:
    """Sign in again to the active connection: the same org, app key and preferences — only the browser step.

    The wizard is for a new org; an expired or revoked sign-in needs nothing but a fresh one. The
    saved row is kept (its id, so the workspace, and every preference: leads, note type, where clients
    live), the consumer secret comes from the keyring. Signing in to another org or as another user
    saves nothing and raises ``NotThisConnection``; otherwise raises what ``sign_in`` raises.
    """
    active = connections.active or await connections.load_active()
    if active is None:
        raise ValueError("There is no Salesforce connection to sign in to again.")
    request = SignInRequest(active.login_url, active.consumer_key, await connections.saved_consumer_secret(),
                            callback_urls, SIGN_IN_TIMEOUT, ca_file=connections.ca_file)
    result = await auth.sign_in(
        request.login_url, request.consumer_key, request.consumer_secret, request.callback_urls,
        open_browser=open_browser, timeout=request.timeout, ca_file=request.ca_file,
    )
    if result.org_id[:15] != active.org_id[:15] or result.user_id[:15] != active.user_id[:15]:
        await _revoke_quietly(result, request.ca_file)
        theirs = active.org_name or active.instance_url
        raise NotThisConnection(
            f"You signed in as {result.username}, but this workspace belongs to {active.username} at {theirs}.",
            f"Sign in again as {active.username}. To use another org, choose Forget this org first.")
    return await _keep(db, connections, request, result, must_keep=False, events=events)


async def _revoke_quietly(result: auth.SignInResult, ca_file: str | None) -> None:
    try:
        await revoke(result.login_url, result.refresh_token or result.access_token, ca_file=ca_file)
    except SalesforceError as exc:
        log.info("could not revoke the unwanted sign-in: %s", exc)


async def _keep(
    db: Database, connections: ConnectionManager, request: SignInRequest, result: auth.SignInResult, *,
    must_keep: bool, events: Events | None,
) -> OrgConnection:
    """Save a sign-in as the active connection (facts to SQLite, secrets to the keyring) and say so."""
    org_name = await read_org_name(result, request.ca_file)
    try:
        connection = await connections.save_sign_in(
            result, login_url=result.login_url, consumer_key=request.consumer_key.strip(),
            consumer_secret=request.consumer_secret, org_name=org_name,
        )
    except Exception as exc:
        problem = db.explain_failure(exc) if must_keep else None
        if problem is None:
            raise
        raise SignInNotKept("you signed in, but the workspace could not be written.", str(problem)) from exc
    if must_keep and connections.session_only:  # the keyring worked a minute ago and refused now
        await connections.disconnect()
        raise SignInNotKept("you signed in, but the system keyring refused to store the sign-in.",
                            (await secrets.astatus()).message)
    if events is not None:
        events.publish(SignedIn(connection))
    return connection


async def read_org_name(result: auth.SignInResult, ca_file: str | None = None) -> str | None:
    """The org's name for "Signed in to Acme Wealth" (one query; None if it fails)."""
    client = SalesforceClient(result.instance_url, result.access_token, api_version=result.api_version,
                              ca_file=ca_file, max_retries=1)
    try:
        rows = await client.query_list(ORG_NAME_SOQL)
    except SalesforceError as exc:
        log.info("could not read the organisation name: %s", exc)
        return None
    finally:
        await client.aclose()
    return (str(rows[0].get("Name") or "") or None) if rows else None
