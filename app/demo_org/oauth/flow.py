"""The OAuth endpoints: authorize (login + consent pages), token, revoke, userinfo and identity.

Behaviour follows Salesforce's web-server flow with PKCE:
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm — in particular
the redirect URI must match a registered callback *exactly* (else an error page, never a redirect),
``code_challenge_method`` is S256, codes are single-use, a refresh answers without a new refresh token
unless rotation is on, and errors are ``{"error","error_description"}`` with Salesforce's codes.

The connected app's "Permitted Users" policy can be "Admin approved users are pre-authorized"
(https://help.salesforce.com/s/articleView?id=xcloud.connected_app_manage_oauth.htm; used to skip the
approval page in https://developer.salesforce.com/docs/platform/headless-identity-impl-guide/guide/headless-identity-connected-app-policies.md).
This org has one user, so ``pre_authorized`` means: the org's own advisor is pre-authorized for this
one app and its session is already established, so a valid authorize request for this app is answered
with the code straight away (no login page, no "Allow Access?" page). Any other client still gets the
error page; ``prompt=login``/``prompt=consent`` still show the pages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote, urlencode

from app.demo_org.errors import OAuthError
from app.demo_org.http_types import (
    Request,
    Response,
    html_response,
    json_response,
    oauth_error_response,
    redirect,
)
from app.demo_org.oauth import pages
from app.demo_org.oauth.tokens import TokenStore

AUTHORIZE_PATH = "/services/oauth2/authorize"
KNOWN_SCOPES = frozenset({"api", "refresh_token", "offline_access", "id", "profile", "email", "address", "phone",
                          "openid", "web", "full", "chatter_api", "visualforce", "custom_permissions"})
DEFAULT_SCOPE = "api refresh_token"
OAUTH_PARAMS = ("response_type", "client_id", "redirect_uri", "state", "scope", "code_challenge",
                "code_challenge_method", "prompt", "nonce", "login_hint", "display")
LOGIN_FAILED = ("Please check your username and password. If you still can't log in, contact your Salesforce "
                "administrator.")
_NO_STORE = {"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private", "Pragma": "no-cache"}


def _revoke_error(error: str, description: str) -> Response:
    """A failed revoke: HTTP 400 with a *form-encoded* body, unlike the token endpoint's JSON.

    The docs give only the status and the codes ("For all error conditions, Salesforce returns a 400
    status code" with ``unsupported_token_type`` or ``invalid_token``:
    https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_revoke_token.htm&type=5). The
    shape is from real traffic: ``error=unsupported_token_type&error_description=this%20token%20type%20
    is%20not%20supported`` (https://github.com/omniphx/forrest/issues/213), and jsforce reads revoke
    errors with ``querystring.parse`` (its ``OAuth2.revokeToken``)."""
    body = urlencode({"error": error, "error_description": description}, quote_via=quote)
    return Response(400, body.encode("ascii"), "application/x-www-form-urlencoded;charset=UTF-8", dict(_NO_STORE))


@dataclass
class OAuthConfig:
    consumer_key: str
    consumer_secret: str
    username: str
    password: str
    user_id: str
    org_id: str
    display_name: str
    email: str
    callback_urls: list[str]
    require_secret: bool = False
    rotate_refresh_tokens: bool = False
    secure_cookies: bool = False
    app_name: str = "Notebridge"
    pre_authorized: bool = False  # Permitted Users: "Admin approved users are pre-authorized" (see above)
    extra: dict[str, Any] = field(default_factory=dict)


class _PageError(Exception):
    """Show an error page instead of redirecting (the redirect URI cannot be trusted)."""


class OAuthService:
    def __init__(self, config: OAuthConfig, base_url: Callable[[], str], token_ttl: float | None) -> None:
        self.config = config
        self.base_url = base_url
        self.tokens = TokenStore(config.org_id, token_ttl)
        self._sessions: dict[str, str] = {}  # browser session cookie -> user Id
        self._tickets: dict[str, tuple[dict[str, str], str, float]] = {}  # consent ticket -> (params, user, expiry)
        self._lock = threading.Lock()
        self.code_exchanges: list[dict[str, bool]] = []  # each redeemed code: was a PKCE verifier checked?

    def identity_url(self, user_id: str) -> str:
        return f"{self.base_url()}/id/{self.config.org_id}/{user_id}"

    # -- authorize ---------------------------------------------------------------------------------
    def authorize(self, request: Request) -> Response:
        form = request.form() if request.method == "POST" else {k: v[0] for k, v in request.query.items()}
        params = {k: form[k] for k in OAUTH_PARAMS if form.get(k)}
        try:
            self._check_client(params)
        except _PageError as error:
            err, description = error.args
            return html_response(400, pages.error_page(err, description))
        failure = self._check_request(params)
        if failure is not None:
            return self._back(params, {"error": failure[0], "error_description": failure[1]})
        step = form.get("step") if request.method == "POST" else None
        if step == "login":
            return self._login(params, form)
        if step == "consent":
            return self._consent(form)
        prompts = set(params.get("prompt", "").split())
        if self.config.pre_authorized and not prompts & {"login", "consent", "select_account"}:
            code = self.tokens.issue_code(self.config.user_id, params["client_id"], params["redirect_uri"],
                                          params.get("scope", DEFAULT_SCOPE), params.get("code_challenge"))
            return self._back(params, {"code": code})
        user = self._session_user(request)
        if user is None and "none" in prompts:
            return self._back(params, {"error": "login_required", "error_description": "user must log in"})
        if user is None or "login" in prompts:
            return html_response(200, pages.login_page(AUTHORIZE_PATH, {**params, "step": "login"},
                                                       username=params.get("login_hint", "")))
        return self._consent_page(params, user)

    def _check_client(self, params: dict[str, str]) -> None:
        if params.get("client_id") != self.config.consumer_key:
            raise _PageError("invalid_client_id", "client identifier invalid")
        if params.get("redirect_uri") not in self.config.callback_urls:
            raise _PageError("redirect_uri_mismatch", "redirect_uri must match configuration")

    def _check_request(self, params: dict[str, str]) -> tuple[str, str] | None:
        if params.get("response_type") != "code":
            return "unsupported_response_type", "response type not supported"
        method = params.get("code_challenge_method")
        if method is not None and method != "S256":
            return "invalid_request", "invalid code_challenge_method: only S256 is supported"
        if method is not None and not params.get("code_challenge"):
            return "invalid_request", "missing code_challenge"
        scopes = params.get("scope", DEFAULT_SCOPE).split()
        if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
            return "invalid_scope", "the requested scope is not allowed"
        return None

    def _back(self, params: dict[str, str], values: dict[str, str]) -> Response:
        """Redirect to the (already verified) callback with a result, passing ``state`` through."""
        if params.get("state") is not None:
            values = {**values, "state": params["state"]}
        uri = params["redirect_uri"]
        return redirect(uri + ("&" if "?" in uri else "?") + urlencode(values))

    def _login(self, params: dict[str, str], form: dict[str, str]) -> Response:
        username, password = form.get("username", ""), form.get("password", "")
        good = hmac.compare_digest(username.lower(), self.config.username.lower()) and \
            hmac.compare_digest(password, self.config.password)
        if not good:
            return html_response(200, pages.login_page(AUTHORIZE_PATH, {**params, "step": "login"},
                                                       error=LOGIN_FAILED, username=username))
        session = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[session] = self.config.user_id
        cookie = f"sid={session}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self.config.secure_cookies else "")
        response = self._consent_page(params, self.config.user_id)
        response.headers["Set-Cookie"] = cookie
        return response

    def _consent_page(self, params: dict[str, str], user_id: str) -> Response:
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            self._tickets[ticket] = (params, user_id, time.monotonic() + 600)
        scopes = params.get("scope", DEFAULT_SCOPE).split()
        return html_response(200, pages.consent_page(AUTHORIZE_PATH, {**params, "step": "consent", "ticket": ticket},
                                                     self.config.app_name, scopes, self.config.username))

    def _consent(self, form: dict[str, str]) -> Response:
        with self._lock:
            entry = self._tickets.pop(form.get("ticket", ""), None)
        if entry is None or entry[2] < time.monotonic():
            return html_response(400, pages.error_page("invalid_request", "the authorization request expired; "
                                                                            "start again"))
        params, user_id, _ = entry
        if "approve" in form:
            code = self.tokens.issue_code(user_id, params["client_id"], params["redirect_uri"],
                                          params.get("scope", DEFAULT_SCOPE), params.get("code_challenge"))
            return self._back(params, {"code": code})
        if "deny" in form:
            return self._back(params, {"error": "access_denied", "error_description": "end-user denied authorization"})
        return html_response(400, pages.error_page("invalid_request", "neither approved nor denied"))

    def _session_user(self, request: Request) -> str | None:
        cookie = SimpleCookie()
        try:
            cookie.load(request.header("Cookie") or "")
        except CookieError:  # a malformed cookie header just means "not logged in"
            return None
        morsel = cookie.get("sid")
        with self._lock:
            return self._sessions.get(morsel.value) if morsel else None

    # -- token -------------------------------------------------------------------------------------
    def token(self, request: Request) -> Response:
        if request.method != "POST":
            return oauth_error_response(OAuthError("invalid_request", "must use HTTP POST", 400))
        form = request.form()
        try:
            grant_type = form.get("grant_type")
            if grant_type not in ("authorization_code", "refresh_token"):
                raise OAuthError("unsupported_grant_type", "grant type not supported")
            client_id, secret = self._client_credentials(request, form)
            if client_id != self.config.consumer_key:
                raise OAuthError("invalid_client_id", "client identifier invalid")
            if (secret is not None and not hmac.compare_digest(secret, self.config.consumer_secret)) or \
                    (secret is None and self.config.require_secret):
                raise OAuthError("invalid_client", "invalid client credentials")
            if grant_type == "authorization_code":
                return self._exchange_code(form)
            return self._refresh(form, client_id)
        except OAuthError as error:
            return oauth_error_response(error)

    @staticmethod
    def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
        header = request.header("Authorization") or ""
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:].strip()).decode()
            except ValueError:
                raise OAuthError("invalid_client", "invalid client credentials") from None
            client_id, _, secret = decoded.partition(":")
            return client_id, secret
        return form.get("client_id"), form.get("client_secret") or None

    def _exchange_code(self, form: dict[str, str]) -> Response:
        grant = self.tokens.code(form.get("code", ""))
        if grant.client_id != form.get("client_id", grant.client_id):
            raise OAuthError("invalid_grant", "invalid authorization code")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        if grant.challenge is not None:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if not verifier or not hmac.compare_digest(digest, grant.challenge):
                raise OAuthError("invalid_grant", "invalid code verifier")
        grant.used = True
        with self._lock:
            self.code_exchanges.append({"pkce": grant.challenge is not None})
        scopes = set(grant.scope.split())
        refresh = None
        if scopes & {"refresh_token", "offline_access", "full"}:
            refresh = self.tokens.issue_refresh(grant.user_id, grant.client_id, grant.scope)
        return self._token_response(grant.user_id, grant.scope, refresh, include_refresh=True)

    def _refresh(self, form: dict[str, str], client_id: str | None) -> Response:
        old = form.get("refresh_token", "")
        grant = self.tokens.refresh_grant(old, client_id or "")
        refresh, include = old, False
        if self.config.rotate_refresh_tokens:
            self.tokens.revoke(old)
            refresh, include = self.tokens.issue_refresh(grant.user_id, grant.client_id, grant.scope), True
        return self._token_response(grant.user_id, grant.scope, refresh, include_refresh=include)

    def _token_response(self, user_id: str, scope: str, refresh: str | None, *, include_refresh: bool) -> Response:
        access = self.tokens.issue_access(user_id, scope, refresh)
        issued_at = str(int(time.time() * 1000))
        identity = self.identity_url(user_id)
        signature = base64.b64encode(hmac.new(self.config.consumer_secret.encode(), (identity + issued_at).encode(),
                                              hashlib.sha256).digest()).decode()
        body: dict[str, str] = {"access_token": access}
        if include_refresh and refresh:
            body["refresh_token"] = refresh
        body.update(signature=signature, scope=scope, instance_url=self.base_url(), id=identity,
                    token_type="Bearer", issued_at=issued_at)
        return json_response(200, body, _NO_STORE)

    # -- revoke, userinfo, identity --------------------------------------------------------------
    def revoke(self, request: Request) -> Response:
        token = request.form().get("token", "")
        if not token or not self.tokens.revoke(token):
            return _revoke_error("invalid_token", "invalid token")
        return Response(200, b"", None, dict(_NO_STORE))

    def userinfo(self, request: Request) -> Response:
        return self._identity(request, openid=True)

    def identity(self, request: Request, org_id: str, user_id: str) -> Response:
        if org_id != self.config.org_id[:len(org_id)] or user_id[:15] != self.config.user_id[:15]:
            return Response(404, b"Bad_Id", "text/plain;charset=UTF-8")
        return self._identity(request, openid=False)

    def _identity(self, request: Request, *, openid: bool) -> Response:
        header = request.header("Authorization") or ""
        token = header.partition(" ")[2].strip() if header.lower().startswith(("bearer ", "oauth ")) else \
            (request.param("oauth_token") or "")
        grant = self.tokens.access_grant(token) if token else None
        if grant is None:
            return Response(403, b"Bad_OAuth_Token", "text/plain;charset=UTF-8")
        return json_response(200, self.identity_document(grant.user_id, openid=openid))

    def identity_document(self, user_id: str, *, openid: bool) -> dict[str, Any]:
        base, org, cfg = self.base_url(), self.config.org_id, self.config
        urls = {
            "enterprise": f"{base}/services/Soap/c/{{version}}/{org[:15]}",
            "metadata": f"{base}/services/Soap/m/{{version}}/{org[:15]}",
            "partner": f"{base}/services/Soap/u/{{version}}/{org[:15]}",
            "rest": f"{base}/services/data/v{{version}}/",
            "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
            "search": f"{base}/services/data/v{{version}}/search/",
            "query": f"{base}/services/data/v{{version}}/query/",
            "recent": f"{base}/services/data/v{{version}}/recent/",
            "profile": f"{base}/{user_id}",
            "custom_domain": base,
        }
        first, _, last = cfg.display_name.partition(" ")
        common = {"user_id": user_id, "organization_id": org, "urls": urls, "active": True,
                  "user_type": "STANDARD", "language": "en_US", "locale": "en_US", "utcOffset": -18000000,
                  "is_app_installed": True, "email": cfg.email, "email_verified": True}
        if openid:
            return {"sub": self.identity_url(user_id), "preferred_username": cfg.username, "nickname": "jreyes",
                    "name": cfg.display_name, "given_name": first, "family_name": last,
                    "zoneinfo": "America/New_York", "updated_at": "2024-01-01T00:00:00Z", **common}
        return {"id": self.identity_url(user_id), "asserted_user": True, "username": cfg.username,
                "nick_name": "jreyes", "display_name": cfg.display_name, "first_name": first, "last_name": last,
                "timezone": "America/New_York", "status": {"created_date": None, "body": None},
                "last_modified_date": "2024-01-01T00:00:00.000+0000", **common}

    # -- controls ----------------------------------------------------------------------------------
    def mint(self, scope: str = "api refresh_token") -> dict[str, str]:
        """Tokens without the browser dance (for tests that exercise REST, not sign-in)."""
        refresh = self.tokens.issue_refresh(self.config.user_id, self.config.consumer_key, scope)
        response = self._token_response(self.config.user_id, scope, refresh, include_refresh=True)
        return json.loads(response.body)
