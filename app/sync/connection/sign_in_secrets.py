"""A connection's secrets (refresh token, consumer secret): in the keyring, or for this session only.

Secrets go to the system keyring (:mod:`app.secrets`).  When no keyring works and the advisor
accepted it, they are kept in memory for this session only and forgotten when the app closes;
``keyring_problem`` then says why, in the advisor's words, with what to install.
"""

from __future__ import annotations

import contextlib
import logging

from app import secrets
from app.sync.connection.org import OrgConnection

log = logging.getLogger(__name__)

# Names of keyring entries (not secrets themselves).
REFRESH_TOKEN = "refresh_token"  # noqa: S105
CONSUMER_SECRET = "consumer_secret"  # noqa: S105
KINDS = (REFRESH_TOKEN, CONSUMER_SECRET)


class ConnectionSecrets:
    """Save, load and forget one connection's secrets, falling back to memory when no keyring works."""

    def __init__(self) -> None:
        self._session: dict[str, str] = {}  # used only when no keyring works
        self.keyring_problem = ""  # why the sign-in is session-only, with what to install (advisor words)

    @property
    def session_only(self) -> bool:
        """True when the sign-in is kept in memory only (no keyring): it ends when the app closes."""
        return bool(self._session)

    async def save(self, connection: OrgConnection, kind: str, value: str) -> None:
        try:
            await secrets.astore_secret(connection.secret_key, kind, value)
        except secrets.SecretStoreUnavailable as exc:
            self._session[f"{connection.secret_key}:{kind}"] = value  # this session only
            self.keyring_problem = str(exc)
            log.warning("no keyring: keeping the %s for this session only", kind)

    async def load(self, connection: OrgConnection, kind: str) -> str | None:
        """The secret, or None when there is none; raises ``SecretStoreUnavailable`` when the keyring
        cannot be asked (unless this session keeps its secrets in memory)."""
        session_value = self._session.get(f"{connection.secret_key}:{kind}")
        if session_value is not None:
            return session_value
        try:
            return await secrets.aload_secret(connection.secret_key, kind)
        except secrets.SecretStoreUnavailable:
            if self.session_only:  # no keyring this session: what was not kept in memory does not exist
                return None
            raise

    async def delete(self, connection: OrgConnection) -> None:
        for kind in KINDS:
            self._session.pop(f"{connection.secret_key}:{kind}", None)
            with contextlib.suppress(secrets.SecretStoreUnavailable):
                await secrets.adelete_secret(connection.secret_key, kind)
