"""Signing in to Salesforce: OAuth 2.0 web-server flow with PKCE and a loopback redirect.

``sign_in`` is what the wizard and the ``connect`` command call. It returns the tokens and who signed
in; it stores nothing — the caller puts the refresh token (and consumer secret) in the keyring and
keeps the access token in memory.
PKCE: RFC 7636 (S256 only; ``code_challenge_method`` sent explicitly). Salesforce's flow:
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import inspect
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from app.salesforce import urls
from app.salesforce.errors import (
    NetworkError,
    SalesforceError,
    ServerUnavailable,
    TlsError,
    UnreadableResponse,
)
from app.salesforce.loopback import DEFAULT_TIMEOUT, LoopbackReceiver
from app.salesforce.oauth import (
    Identity,
    TokenResponse,
    exchange_code,
    fetch_identity,
    refresh_access_token,
    revoke,
)
from app.salesforce.oauth_errors import oauth_error
from app.salesforce.response_check import diagnose
from app.salesforce.transport import DEFAULT_DEADLINES, backoff_delay, make_http_client, network_error
from app.salesforce.versions import MAX_API_VERSION, pick_version, version_key

__all__ = [
    "DEFAULT_CALLBACK_URLS",
    "DEFAULT_SCOPES",
    "Identity",
    "SignInResult",
    "TokenRefresher",
    "TokenResponse",
    "build_authorize_url",
    "code_challenge",
    "discover_api_version",
    "exchange_code",
    "fetch_identity",
    "generate_code_verifier",
    "generate_state",
    "preflight_authorize",
    "refresh_access_token",
    "revoke",
    "sign_in",
]

log = logging.getLogger(__name__)

# The wizard shows these for the admin to register; Salesforce matches them exactly.
DEFAULT_CALLBACK_URLS = ("http://localhost:18347/callback", "http://localhost:18348/callback")
# api: REST; refresh_token: stay connected; id: the identity URL (user and org names).
DEFAULT_SCOPES = ("api", "refresh_token", "id")
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def generate_code_verifier() -> str:
    """86 characters from the RFC 7636 unreserved set (64 random bytes, base64url)."""
    return secrets.token_urlsafe(64)


def code_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(ASCII(verifier)))`` without padding (RFC 7636 §4.2, S256)."""
    if not _VERIFIER.match(verifier):
        raise ValueError("a PKCE code verifier is 43–128 characters of A–Z a–z 0–9 - . _ ~")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def generate_state() -> str:
    return secrets.token_urlsafe(32)


def build_authorize_url(
    login_url: str, consumer_key: str, redirect_uri: str, *, challenge: str, state: str,
    scopes: Sequence[str] = DEFAULT_SCOPES, prompt: str | None = None,
) -> str:
    params = {
        "response_type": "code",
        "client_id": consumer_key,
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
        "scope": " ".join(scopes),
    }
    if prompt:
        params["prompt"] = prompt
    return urls.authorize_endpoint(login_url) + "?" + urlencode(params)


async def preflight_authorize(authorize_url: str, redirect_uri: str, *, ca_file: str | None = None) -> None:
    """Ask the authorize endpoint once, without a browser, to catch set-up mistakes early.

    An unknown consumer key or an unregistered callback never reaches our loopback (Salesforce shows
    an error page instead of redirecting), so without this the advisor would stare at an error page
    while Notebridge waits. Redirects are not followed: the login page is all we need to see.
    """
    async with make_http_client(authorize_url, ca_file=ca_file) as http:
        try:
            resp = await http.get(authorize_url, headers={"Accept": "text/html"})
        except httpx.HTTPError as exc:
            raise network_error(exc, authorize_url) from None
    if resp.is_redirect:
        location = resp.headers.get("location", "")
        query = parse_qs(urlsplit(location).query)
        if "error" in query:
            raise oauth_error(query["error"][0], (query.get("error_description") or [""])[0],
                              stage="authorize", status=resp.status_code, callback_url=redirect_uri)
        return
    if resp.status_code >= 400:
        text = resp.text[:20000]
        m = re.search(r"(redirect_uri_mismatch|invalid_client_id|OAUTH_EC_APP_NOT_FOUND|inactive_org)", text)
        if m:
            raise oauth_error(m.group(1), "", stage="authorize", status=resp.status_code,
                              callback_url=redirect_uri)
        log.info("authorize pre-check answered HTTP %s; leaving it to the browser", resp.status_code)


async def discover_api_version(
    instance_url: str, *, ca_file: str | None = None, max_version: str = MAX_API_VERSION,
) -> str:
    """The newest REST version the org offers, capped at the pinned maximum."""
    async with make_http_client(instance_url, ca_file=ca_file) as http:
        try:
            resp = await http.get(urls.versions_endpoint(instance_url))
        except httpx.HTTPError as exc:
            raise network_error(exc, instance_url) from None
    listed = None
    if resp.status_code == 200:
        try:
            listed = resp.json()
        except ValueError:  # a proxy's page or a cut-off answer: say so instead of a JSONDecodeError
            raise diagnose(resp.content, resp.headers.get("content-type", ""), status=200) from None
    version = pick_version(listed, max_version)
    if version is None:
        raise SalesforceError(
            "This Salesforce org does not offer an API version Notebridge can use.",
            error_code="NO_API_VERSION", status=resp.status_code,
        )
    return version


@dataclass(frozen=True)
class SignInResult:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    instance_url: str
    login_url: str
    identity: Identity
    api_version: str
    redirect_uri: str
    issued_at: datetime | None = None
    scopes: tuple[str, ...] = ()

    @property
    def user_id(self) -> str:
        return self.identity.user_id

    @property
    def org_id(self) -> str:
        return self.identity.org_id

    @property
    def username(self) -> str:
        return self.identity.username

    @property
    def display_name(self) -> str:
        return self.identity.display_name


async def sign_in(
    login_url: str,
    consumer_key: str,
    consumer_secret: str | None = None,
    callback_urls: Sequence[str] = DEFAULT_CALLBACK_URLS,
    open_browser: Callable[[str], object] | None = None,
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - how long the advisor has in the browser
    *,
    scopes: Sequence[str] = DEFAULT_SCOPES,
    ca_file: str | None = None,
    preflight: bool = True,
    max_api_version: str = MAX_API_VERSION,
) -> SignInResult:
    """Run the whole browser sign-in and return tokens plus identity.

    ``open_browser(url)`` is called once the loopback listens (it may be a coroutine function). Cancel
    the task running this coroutine to abort; the listener is always closed. Raises an ``OAuthError``
    subclass with ``.message`` / ``.fix`` for every sign-in problem.
    """
    login_url = urls.normalize_instance_url(login_url, allow_custom=True)
    consumer_key = consumer_key.strip()
    consumer_secret = consumer_secret.strip() if consumer_secret else None
    if not consumer_key:
        raise ValueError("Enter the app's Consumer Key.")
    if open_browser is None:
        raise TypeError("sign_in needs open_browser: something must show the advisor the sign-in page")
    verifier, state = generate_code_verifier(), generate_state()
    async with LoopbackReceiver(callback_urls, state, timeout=timeout) as receiver:
        redirect_uri = receiver.redirect_uri
        authorize_url = build_authorize_url(
            login_url, consumer_key, redirect_uri, challenge=code_challenge(verifier), state=state,
            scopes=scopes,
        )
        if preflight:
            await preflight_authorize(authorize_url, redirect_uri, ca_file=ca_file)
        opened = open_browser(authorize_url)
        if inspect.isawaitable(opened):
            await opened
        callback = await receiver.wait()
    tokens = await exchange_code(
        login_url, consumer_key, callback.code, redirect_uri, verifier,
        consumer_secret=consumer_secret, ca_file=ca_file,
    )
    identity = await fetch_identity(
        tokens.access_token, id_url=tokens.id_url, instance_url=tokens.instance_url,
        login_url=login_url, ca_file=ca_file,
    )
    try:
        api_version = await discover_api_version(tokens.instance_url, ca_file=ca_file,
                                                 max_version=max_api_version)
    except SalesforceError:
        if not identity.api_version:
            raise
        api_version = min(identity.api_version, max_api_version, key=version_key)
    log.info("signed in to org %s as user %s (API v%s)", identity.org_id, identity.user_id, api_version)
    return SignInResult(
        access_token=tokens.access_token, refresh_token=tokens.refresh_token,
        instance_url=tokens.instance_url, login_url=login_url, identity=identity,
        api_version=api_version, redirect_uri=redirect_uri, issued_at=tokens.issued_at,
        scopes=tokens.scopes,
    )


def _transient(exc: SalesforceError) -> bool:
    """A refresh failure that says nothing about the sign-in: the same refresh token works later."""
    if isinstance(exc, TlsError):
        return False  # an untrusted certificate does not fix itself
    return isinstance(exc, ServerUnavailable | UnreadableResponse | NetworkError)


class TokenRefresher:
    """The ``refresh=`` hook for ``SalesforceClient``: trades the stored refresh token for a new
    access token. ``on_rotated`` receives a new refresh token when the org rotates them, so the caller
    can replace the one in the keyring before the old one stops working.

    A transient failure (a 5xx, ``unknown_error`` "retry your request", a timeout, an unreadable
    answer) is retried ``max_retries`` times with backoff, all within ``deadline`` seconds, and then
    raised as it is — a ``ServerUnavailable``/``NetworkError``, so callers wait and retry.  Only an
    ``OAuthError`` (``invalid_grant`` and friends) means the advisor must sign in again.
    """

    def __init__(
        self, login_url: str, consumer_key: str, refresh_token: str, *,
        consumer_secret: str | None = None, ca_file: str | None = None,
        on_rotated: Callable[[str], Awaitable[None] | None] | None = None,
        max_retries: int = 2, retry_backoff: float = 1.0, retry_backoff_max: float = 8.0,
        deadline: float = DEFAULT_DEADLINES.attempt,
    ) -> None:
        self.login_url = login_url
        self.consumer_key = consumer_key
        self._refresh_token = refresh_token
        self._consumer_secret = consumer_secret
        self._ca_file = ca_file
        self._on_rotated = on_rotated
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.retry_backoff_max = retry_backoff_max
        self.deadline = deadline
        self.refresh_count = 0  # successful refreshes
        self.attempts = 0  # calls to the token endpoint, successful or not
        self.transient_failures = 0
        self.last: TokenResponse | None = None

    def __repr__(self) -> str:
        return f"TokenRefresher(login_url={self.login_url!r}, refreshes={self.refresh_count})"

    async def __call__(self) -> str:
        loop = asyncio.get_running_loop()
        ends = loop.time() + self.deadline
        retry = 0
        while True:
            self.attempts += 1
            try:
                tokens = await refresh_access_token(
                    self.login_url, self.consumer_key, self._refresh_token,
                    consumer_secret=self._consumer_secret, ca_file=self._ca_file,
                    deadline=max(0.1, ends - loop.time()),
                )
                break
            except SalesforceError as exc:
                if not _transient(exc):
                    raise
                self.transient_failures += 1
                delay = backoff_delay(retry, self.retry_backoff, self.retry_backoff_max)
                if retry >= self.max_retries or loop.time() + delay >= ends:
                    log.warning("token refresh failed for now (%s); the sign-in is kept", exc.error_code)
                    raise
                retry += 1
                log.info("token refresh: %s; retry %d/%d in %.2fs", exc.error_code, retry, self.max_retries, delay)
                await asyncio.sleep(delay)
        self.refresh_count += 1
        self.last = tokens
        if tokens.refresh_token and tokens.refresh_token != self._refresh_token:
            self._refresh_token = tokens.refresh_token
            if self._on_rotated is not None:
                result = self._on_rotated(tokens.refresh_token)
                if inspect.isawaitable(result):
                    await result
        return tokens.access_token
