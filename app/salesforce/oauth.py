"""Calls to Salesforce's OAuth endpoints: token exchange, refresh, revoke and identity.

Each returns plain data to the caller; nothing here stores a secret. Tokens live in dataclass fields
excluded from ``repr`` so a stray log line or traceback cannot print them.
Web-server flow: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
Real-world quirks tolerated: ``issued_at`` as a string of epoch milliseconds, ``instance_url`` with a
trailing slash, error bodies as JSON or as form encoding.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from app.salesforce import urls
from app.salesforce.errors import (
    DeadlineExceeded,
    ResponseProblem,
    SalesforceError,
    ServerUnavailable,
)
from app.salesforce.oauth_errors import OAuthFailure, Stage, oauth_error
from app.salesforce.response_check import diagnose, unreadable
from app.salesforce.transport import DEFAULT_DEADLINES, make_http_client, network_error
from app.salesforce.versions import version_from_rest_url

log = logging.getLogger(__name__)

# OAuth ``error`` codes that say "the service hiccupped", not "this sign-in is bad": the same request
# works a moment later.  ``unknown_error`` ("retry your request", HTTP 500) is Salesforce's; the other
# two are RFC 6749's for an authorization server in trouble (§4.1.2.1).  Salesforce's codes:
# https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_flow_errors.htm
TRANSIENT_OAUTH_CODES = frozenset({"unknown_error", "server_error", "temporarily_unavailable"})


@dataclass(frozen=True)
class TokenResponse:
    access_token: str = field(repr=False)
    instance_url: str
    id_url: str | None = None
    refresh_token: str | None = field(default=None, repr=False)
    issued_at: datetime | None = None
    scopes: tuple[str, ...] = ()
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret


@dataclass(frozen=True)
class Identity:
    user_id: str
    org_id: str
    username: str
    display_name: str
    email: str | None = None
    rest_url: str | None = None  # may contain a literal "{version}"
    api_version: str | None = None


def _parse_issued_at(value: Any) -> datetime | None:
    try:
        millis = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def parse_token_response(data: Any) -> TokenResponse:
    if not isinstance(data, dict) or not data.get("access_token") or not data.get("instance_url"):
        raise OAuthFailure(
            "Salesforce's answer to the sign-in was incomplete.", "Try signing in again.",
            error_code="bad_token_response",
        )
    instance_url = str(data["instance_url"]).strip().rstrip("/")
    return TokenResponse(
        access_token=str(data["access_token"]),
        instance_url=instance_url,
        id_url=str(data["id"]) if data.get("id") else None,
        refresh_token=str(data["refresh_token"]) if data.get("refresh_token") else None,
        issued_at=_parse_issued_at(data.get("issued_at")),
        scopes=tuple(str(data.get("scope") or "").split()),
        token_type=str(data.get("token_type") or "Bearer"),
    )


def parse_oauth_error_body(body: bytes, content_type: str = "") -> tuple[str, str]:
    """``(error, error_description)`` from a JSON or form-encoded OAuth error body ('' if neither)."""
    text = body.decode("utf-8", "replace").strip()
    if text.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, list) and data:
            data = data[0]
        if isinstance(data, dict):
            code = data.get("error") or data.get("errorCode") or ""
            return str(code), str(data.get("error_description") or data.get("message") or "")
    if "=" in text and "<" not in text[:200]:
        form = parse_qs(text)
        if "error" in form:
            return form["error"][0], (form.get("error_description") or [""])[0]
    return "", ""


def _error_from(resp: httpx.Response, stage: Stage, *, secret_sent: bool | None, callback_url: str | None
                ) -> SalesforceError:
    code, desc = parse_oauth_error_body(resp.content, resp.headers.get("content-type", ""))
    if stage == "refresh" and code.lower() == "rate_limit_exceeded":
        return ServerUnavailable(
            "Salesforce is refusing sign-ins for a moment because there were too many attempts. "
            "Notebridge tries again by itself; you stay signed in.", status=resp.status_code, error_code=code,
        )
    if resp.status_code >= 500 or resp.status_code == 429 or code.lower() in TRANSIENT_OAUTH_CODES:
        then = ("Notebridge tries again by itself; you stay signed in." if stage == "refresh"
                else "Try again in a few minutes.")
        return ServerUnavailable(
            f"Salesforce's sign-in service is not answering right now (HTTP {resp.status_code}). {then}",
            status=resp.status_code, error_code=code or None,
        )
    if code:
        return oauth_error(code, desc, stage=stage, status=resp.status_code, callback_url=callback_url,
                           secret_sent=secret_sent)
    return OAuthFailure(
        f"Salesforce answered the sign-in with an unexpected page (HTTP {resp.status_code}).",
        "Check the login address (production, sandbox or your My Domain) and try again.",
        error_code=f"HTTP_{resp.status_code}", status=resp.status_code,
    )


async def _post_form(login_url: str, path_url: str, form: dict[str, str], *, ca_file: str | None,
                     deadline: float | None = None) -> httpx.Response:
    """POST a form to an OAuth endpoint, the whole answer within ``deadline`` seconds."""
    deadlines = DEFAULT_DEADLINES
    limit = deadline if deadline is not None else deadlines.call
    async with make_http_client(login_url, ca_file=ca_file, timeout=deadlines.timeout()) as http:
        try:
            async with asyncio.timeout(limit):
                return await http.post(path_url, data=form)
        except TimeoutError:
            raise DeadlineExceeded(
                f"Salesforce's sign-in service did not answer within {limit:g} seconds. "
                "Notebridge tries again by itself."
            ) from None
        except httpx.HTTPError as exc:
            raise network_error(exc, login_url) from None


async def exchange_code(
    login_url: str, consumer_key: str, code: str, redirect_uri: str, code_verifier: str, *,
    consumer_secret: str | None = None, ca_file: str | None = None,
) -> TokenResponse:
    """Trade the one-time code (+ PKCE verifier) for tokens."""
    form = {
        "grant_type": "authorization_code", "code": code, "client_id": consumer_key,
        "redirect_uri": redirect_uri, "code_verifier": code_verifier,
    }
    if consumer_secret:
        form["client_secret"] = consumer_secret
    resp = await _post_form(login_url, urls.token_endpoint(login_url), form, ca_file=ca_file)
    if resp.status_code != 200:
        raise _error_from(resp, "token", secret_sent=bool(consumer_secret), callback_url=redirect_uri)
    return parse_token_response(_json(resp))


async def refresh_access_token(
    login_url: str, consumer_key: str, refresh_token: str, *,
    consumer_secret: str | None = None, ca_file: str | None = None, deadline: float | None = None,
) -> TokenResponse:
    """A new access token. Raises ``SignInExpired`` when the refresh token is dead (sign in again).

    Only an OAuth error about the grant or the app (``invalid_grant``, ``invalid_client``, …) is an
    ``OAuthError``.  A 5xx, ``unknown_error``, a redirect or an unreadable answer is transient
    (``ServerUnavailable`` / ``UnreadableResponse`` / ``NetworkError``): the refresh token still works.
    With refresh-token rotation on, the answer carries a new refresh token and the old one stops
    working: the caller must store ``refresh_token`` when it is present.
    """
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": consumer_key}
    if consumer_secret:
        form["client_secret"] = consumer_secret
    resp = await _post_form(login_url, urls.token_endpoint(login_url), form, ca_file=ca_file, deadline=deadline)
    if resp.is_redirect:  # a captive portal or a proxy's login page: nothing said about the grant
        raise unreadable(ResponseProblem.REDIRECT, f"HTTP {resp.status_code}", status=resp.status_code)
    if resp.status_code != 200:
        raise _error_from(resp, "refresh", secret_sent=bool(consumer_secret), callback_url=None)
    try:
        data = resp.json()
    except ValueError:
        raise diagnose(resp.content, resp.headers.get("content-type", ""), status=200) from None
    if not isinstance(data, dict) or not data.get("access_token") or not data.get("instance_url"):
        raise unreadable(ResponseProblem.WRONG_SHAPE, "no access token in it", status=200)
    return parse_token_response(data)



async def revoke(login_url: str, token: str, *, ca_file: str | None = None) -> bool:
    """Revoke a refresh (or access) token on disconnect.

    Returns False when Salesforce says the token was already invalid — the goal (a dead token) is met
    either way, so that is not an error. Revoke: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm
    (400 with ``invalid_token`` or ``unsupported_token_type``). Real orgs send that error form-encoded
    (``error=unsupported_token_type&error_description=…``, https://github.com/omniphx/forrest/issues/213),
    not as the token endpoint's JSON; ``parse_oauth_error_body`` reads both, and a proxy's page too.
    """
    resp = await _post_form(login_url, urls.revoke_endpoint(login_url), {"token": token}, ca_file=ca_file)
    if resp.status_code == 200:
        return True
    code, _desc = parse_oauth_error_body(resp.content)
    if resp.status_code == 400 and code in ("invalid_token", "unsupported_token_type"):
        return False
    raise _error_from(resp, "revoke", secret_sent=None, callback_url=None)


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _trusted_identity_url(id_url: str, login_url: str | None, instance_url: str | None) -> bool:
    """Only send the access token to the identity URL if it is on a host we already trust."""
    host = urlsplit(id_url).hostname or ""
    if urlsplit(id_url).scheme != "https" and not urls.is_local_host(host):
        return False
    if any(u and urls.same_origin(id_url, u) for u in (login_url, instance_url)):
        return True
    return urls.is_salesforce_host(host)


def parse_identity(data: Any, id_url: str | None = None) -> Identity:
    if not isinstance(data, dict):
        data = {}
    org_id = str(data.get("organization_id") or "")
    user_id = str(data.get("user_id") or "")
    if id_url and (not org_id or not user_id):
        # The identity URL itself is https://login.salesforce.com/id/<org id>/<user id>.
        parts = [p for p in urlsplit(id_url).path.split("/") if p]
        if len(parts) >= 3 and parts[-3] == "id":
            org_id, user_id = org_id or parts[-2], user_id or parts[-1]
    rest = data.get("urls", {}).get("rest") if isinstance(data.get("urls"), dict) else None
    username = str(data.get("username") or data.get("preferred_username") or "")
    return Identity(
        user_id=user_id,
        org_id=org_id,
        username=username,
        display_name=str(data.get("display_name") or data.get("name") or username),
        email=str(data["email"]) if data.get("email") else None,
        rest_url=str(rest) if rest else None,
        api_version=version_from_rest_url(str(rest) if rest else None),
    )


async def fetch_identity(
    access_token: str, *, id_url: str | None = None, instance_url: str | None = None,
    login_url: str | None = None, ca_file: str | None = None,
) -> Identity:
    """Who signed in: the identity URL first, then ``/services/oauth2/userinfo`` on the instance."""
    candidates = []
    if id_url and _trusted_identity_url(id_url, login_url, instance_url):
        candidates.append(id_url)
    if instance_url:
        candidates.append(urls.userinfo_endpoint(instance_url))
    if not candidates:
        raise ValueError("fetch_identity needs id_url or instance_url")
    last_error: SalesforceError | None = None
    for url in candidates:
        async with make_http_client(url, ca_file=ca_file) as http:
            try:
                resp = await http.get(url, headers={"Authorization": f"Bearer {access_token}"})
            except httpx.HTTPError as exc:
                last_error = network_error(exc, url)
                continue
        data = _json(resp)
        if resp.status_code == 200 and isinstance(data, dict):
            identity = parse_identity(data, id_url)
            if identity.user_id and identity.org_id:
                return identity
        log.info("identity lookup at %s answered HTTP %s", urlsplit(url).path, resp.status_code)
        last_error = _error_from(resp, "identity", secret_sent=None, callback_url=None)
    if id_url:
        fallback = parse_identity({}, id_url)
        if fallback.user_id and fallback.org_id:
            return fallback
    assert last_error is not None
    raise last_error
