"""Authorization codes, access tokens and refresh tokens, with the lifetimes and failure modes clients
must handle: codes are single-use and expire (Salesforce: 15 minutes), access tokens expire after the
session timeout (``token_ttl``) or when an admin ends sessions, refresh tokens can be revoked.

Token values are random (``secrets``) and never logged; their shapes imitate Salesforce's
(``00D…!…`` access tokens, ``5Aep…`` refresh tokens, authorization codes ending in ``==`` so that
clients must URL-decode the ``code`` parameter).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from app.demo_org.errors import OAuthError

CODE_TTL_SECONDS = 15 * 60
REST_SCOPES = frozenset({"api", "full", "web"})
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _random(length: int, extra: str = "") -> str:
    alphabet = _ALPHABET + extra
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class CodeGrant:
    user_id: str
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None
    expires: float
    used: bool = False


@dataclass
class AccessGrant:
    user_id: str
    scope: str
    expires: float | None
    refresh: str | None


@dataclass
class RefreshGrant:
    user_id: str
    client_id: str
    scope: str
    revoked: bool = False


class TokenStore:
    def __init__(self, org_id: str, token_ttl: float | None) -> None:
        self.org_id = org_id
        self.token_ttl = token_ttl
        self.codes: dict[str, CodeGrant] = {}
        self.access: dict[str, AccessGrant] = {}
        self.refresh: dict[str, RefreshGrant] = {}
        self._issued: list[str] = []  # every value ever handed out, for leak checks (never pruned)
        self._lock = threading.Lock()

    def issued(self) -> list[str]:
        """Every code, access token and refresh token issued so far, revoked and expired ones included."""
        with self._lock:
            return list(self._issued)

    # -- codes -----------------------------------------------------------------------------------
    def issue_code(self, user_id: str, client_id: str, redirect_uri: str, scope: str,
                   challenge: str | None) -> str:
        code = "aPrx" + _random(80, ".") + "=="
        with self._lock:
            self.codes[code] = CodeGrant(user_id, client_id, redirect_uri, scope, challenge,
                                         time.monotonic() + CODE_TTL_SECONDS)
            self._issued.append(code)
        return code

    def code(self, code: str) -> CodeGrant:
        """A redeemable code, or invalid_grant (unknown / already used / expired)."""
        with self._lock:
            grant = self.codes.get(code)
        if grant is None:
            raise OAuthError("invalid_grant", "invalid authorization code")
        if grant.used or grant.expires < time.monotonic():
            raise OAuthError("invalid_grant", "expired authorization code")
        return grant

    def expire_codes(self) -> None:
        with self._lock:
            for grant in self.codes.values():
                grant.expires = 0.0

    # -- access / refresh ------------------------------------------------------------------------
    def issue_access(self, user_id: str, scope: str, refresh: str | None) -> str:
        token = f"{self.org_id[:15]}!AQ" + _random(94, "._")
        expires = time.monotonic() + self.token_ttl if self.token_ttl else None
        with self._lock:
            self.access[token] = AccessGrant(user_id, scope, expires, refresh)
            self._issued.append(token)
        return token

    def issue_refresh(self, user_id: str, client_id: str, scope: str) -> str:
        token = "5Aep861" + _random(80, "._")
        with self._lock:
            self.refresh[token] = RefreshGrant(user_id, client_id, scope)
            self._issued.append(token)
        return token

    def access_grant(self, token: str) -> AccessGrant | None:
        with self._lock:
            grant = self.access.get(token)
            if grant is None:
                return None
            if grant.expires is not None and grant.expires < time.monotonic():
                del self.access[token]
                return None
            return grant

    def scope_keeps_from_rest(self, token: str) -> bool:
        """A live token whose scopes do not include the REST API (Salesforce: "This session is not valid
        for use with the REST API", not "Session expired")."""
        grant = self.access_grant(token)
        return grant is not None and not REST_SCOPES & set(grant.scope.split())

    def rest_user(self, token: str) -> str | None:
        """The user an access token acts as — only if its scopes allow the REST API."""
        grant = self.access_grant(token)
        if grant is None or not REST_SCOPES & set(grant.scope.split()):
            return None
        return grant.user_id

    def refresh_grant(self, token: str, client_id: str) -> RefreshGrant:
        with self._lock:
            grant = self.refresh.get(token)
        if grant is None or grant.revoked or grant.client_id != client_id:
            raise OAuthError("invalid_grant", "expired access/refresh token")
        return grant

    def revoke(self, token: str) -> bool:
        """Revoke an access or refresh token (a refresh token takes its access tokens with it)."""
        with self._lock:
            if self.access.pop(token, None) is not None:
                return True
            grant = self.refresh.get(token)
            if grant is None or grant.revoked:
                return False
            grant.revoked = True
            for key in [k for k, v in self.access.items() if v.refresh == token]:
                del self.access[key]
            return True

    def expire_all_access(self) -> None:
        with self._lock:
            self.access.clear()

    def revoke_all_refresh(self) -> None:
        with self._lock:
            for grant in self.refresh.values():
                grant.revoked = True
