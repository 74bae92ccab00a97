"""The OS keyring, with an explicit "unavailable" state and never a plaintext fallback.

Refresh tokens and consumer secrets live here and nowhere else. keyring is a blocking API (D-Bus on
Linux, the Security framework on macOS): the async helpers run it on a worker thread so the UI thread
never waits on it. When no secure backend works we say so plainly (and, on Linux, what to install);
the app then offers a session-only sign-in that persists nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import uuid
from dataclasses import dataclass

import keyring
import keyring.backend
import keyring.errors
from keyring.backends.chainer import ChainerBackend

from app import APP_ID
from app.logs import register_secret

log = logging.getLogger(__name__)

SERVICE = APP_ID

# Which backends Notebridge uses on its own: keyring's own OS backends (Secret Service, KWallet,
# libsecret, macOS Keychain, Windows Credential Locker) — never one that stores nothing, and never a
# backend that some other package registered (keyrings.alt's plain-text file, which the test extras
# install into the same venv; any third-party plugin). Those are used only when chosen explicitly
# through keyring's own configuration (PYTHON_KEYRING_BACKEND / keyringrc.cfg), as the test run does.
# So installing the test extras changes nothing the app sees, and doctor reports this machine's keyring.
# (CONTRIBUTING.md, "Keyring: what the app uses, what the tests use".)
_NEVER_BACKENDS = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}
_OWN_BACKENDS_PREFIX = "keyring.backends."


class SecretStoreUnavailable(RuntimeError):
    """No secure place to keep secrets on this machine. `str()` is advisor-readable, with the fix;
    ``ignored`` names the backends that were found but are not used unless chosen explicitly."""

    def __init__(self, message: str, ignored: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.ignored = ignored


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    backend: str  # the backend used; "none" when no secure one was found
    message: str  # advisor-readable; says what to do when unavailable
    ignored: tuple[str, ...] = ()  # found, but not used unless configured explicitly (e.g. a plain-text file)


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _explicitly_configured() -> bool:
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    try:
        from keyring.core import load_config  # keyring's own config file (keyringrc.cfg)

        return load_config() is not None
    except Exception:
        return False


def _fix_hint() -> str:
    if sys.platform.startswith("linux"):
        return (
            "Notebridge keeps your Salesforce sign-in in the system keyring, and none is running. "
            "Install and unlock one: on Ubuntu/Debian `sudo apt install gnome-keyring` (or use KDE Wallet), "
            "then sign out and back in."
        )
    if sys.platform == "darwin":
        return "Notebridge could not open your macOS Keychain. Unlock the login keychain in Keychain Access."
    return "Notebridge could not open Windows Credential Manager. Check that your Windows profile is loaded."


def _is_own_secure_backend(backend: keyring.backend.KeyringBackend) -> bool:
    name = _backend_name(backend)
    return (name.startswith(_OWN_BACKENDS_PREFIX) and name not in _NEVER_BACKENDS
            and not isinstance(backend, ChainerBackend))


def _usable_backend() -> keyring.backend.KeyringBackend:
    backend = keyring.get_keyring()
    name = _backend_name(backend)
    if _explicitly_configured():
        if name in _NEVER_BACKENDS:
            raise SecretStoreUnavailable(_fix_hint())
        return backend  # chosen on purpose (the test run's file keyring, a plugin): used as configured
    # keyring chains every backend with a priority of 1 or more, and where nothing better is viable it
    # picks whatever is (keyrings.alt's plain-text file, where the test extras are installed). Of that,
    # keep only keyring's own secure backends: the best alone, or none.
    links = list(backend.backends) if isinstance(backend, ChainerBackend) else [backend]
    secure = [link for link in links if _is_own_secure_backend(link)]
    if not secure:
        ignored = tuple(_backend_name(link) for link in links if _backend_name(link) not in _NEVER_BACKENDS)
        raise SecretStoreUnavailable(_fix_hint(), ignored)
    return backend if len(secure) == len(links) else secure[0]


def status() -> KeyringStatus:
    """Probe the keyring for real: write, read back and delete an entry. Blocking; use `astatus()`."""
    try:
        backend = _usable_backend()
        name = _backend_name(backend)
        probe_user = f"probe-{uuid.uuid4().hex}"
        probe_value = uuid.uuid4().hex
        backend.set_password(SERVICE, probe_user, probe_value)
        try:
            read_back = backend.get_password(SERVICE, probe_user)
        finally:
            backend.delete_password(SERVICE, probe_user)
        if read_back != probe_value:
            return KeyringStatus(False, name, "The system keyring did not give back what was stored. " + _fix_hint())
        return KeyringStatus(True, name, f"keyring works ({name})")
    except SecretStoreUnavailable as exc:
        return KeyringStatus(False, "none", str(exc), exc.ignored)
    except Exception as exc:  # locked keyring, D-Bus errors, denied access
        log.warning("keyring probe failed: %s", type(exc).__name__)
        return KeyringStatus(False, _safe_backend_name(), f"The system keyring refused access. {_fix_hint()}")


def _safe_backend_name() -> str:
    try:
        return _backend_name(keyring.get_keyring())
    except Exception:
        return "none"


def _account(connection_key: str, kind: str) -> str:
    return f"{connection_key}:{kind}"


def store_secret(connection_key: str, kind: str, value: str) -> None:
    """Save e.g. kind="refresh_token" or "consumer_secret" for a connection. Blocking."""
    register_secret(value)
    try:
        _usable_backend().set_password(SERVICE, _account(connection_key, kind), value)
    except SecretStoreUnavailable:
        raise
    except Exception as exc:
        raise SecretStoreUnavailable(f"The system keyring refused to save your sign-in. {_fix_hint()}") from exc


def load_secret(connection_key: str, kind: str) -> str | None:
    """Blocking; returns None when nothing is stored."""
    try:
        value = _usable_backend().get_password(SERVICE, _account(connection_key, kind))
    except SecretStoreUnavailable:
        raise
    except Exception as exc:
        raise SecretStoreUnavailable(f"The system keyring refused access. {_fix_hint()}") from exc
    register_secret(value)
    return value


def delete_secret(connection_key: str, kind: str) -> None:
    """Blocking; deleting something that is not there is fine."""
    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        _usable_backend().delete_password(SERVICE, _account(connection_key, kind))


async def astatus() -> KeyringStatus:
    return await asyncio.to_thread(status)


async def astore_secret(connection_key: str, kind: str, value: str) -> None:
    await asyncio.to_thread(store_secret, connection_key, kind, value)


async def aload_secret(connection_key: str, kind: str) -> str | None:
    return await asyncio.to_thread(load_secret, connection_key, kind)


async def adelete_secret(connection_key: str, kind: str) -> None:
    await asyncio.to_thread(delete_secret, connection_key, kind)
