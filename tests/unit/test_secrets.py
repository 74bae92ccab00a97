"""The keyring wrapper against real backends: a file keyring chosen explicitly, and none at all."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.core
import pytest
from keyring.backends import fail
from keyring.backends.chainer import ChainerBackend
from keyring.backends.SecretService import Keyring as SecretServiceKeyring
from keyrings.alt.file import PlaintextKeyring

from app import secrets


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_round_trip_in_configured_backend() -> None:
    secrets.store_secret("org-1", "refresh_token", "5Aep-refresh-value-123")
    assert secrets.load_secret("org-1", "refresh_token") == "5Aep-refresh-value-123"
    secrets.delete_secret("org-1", "refresh_token")
    assert secrets.load_secret("org-1", "refresh_token") is None
    secrets.delete_secret("org-1", "refresh_token")  # deleting twice is fine


def test_status_probes_for_real_and_leaves_nothing_behind() -> None:
    state = secrets.status()
    assert state.available, state.message
    assert "PlaintextKeyring" in state.backend
    stored = PlaintextKeyring()
    config = stored._read_config() if hasattr(stored, "_read_config") else None
    if config is not None and config.has_section(secrets.SERVICE):
        assert not [k for k in config.options(secrets.SERVICE) if k.startswith("probe")]


def test_unavailable_keyring_is_explicit_and_says_what_to_install(no_keyring: None) -> None:
    state = secrets.status()
    assert not state.available
    assert "gnome-keyring" in state.message
    with pytest.raises(secrets.SecretStoreUnavailable, match="keyring"):
        secrets.store_secret("org-1", "refresh_token", "value")


def test_plaintext_backend_is_refused_when_only_auto_detected(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plaintext file is acceptable only when chosen explicitly — never as a silent fallback."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setattr("keyring.core.load_config", lambda: None)
    state = secrets.status()
    assert not state.available
    assert state.backend == "none"
    assert state.ignored == ("keyrings.alt.file.PlaintextKeyring",)


async def test_async_helpers_do_not_block_loop() -> None:
    await secrets.astore_secret("org-2", "consumer_secret", "ABCDEF0123456789")
    assert await secrets.aload_secret("org-2", "consumer_secret") == "ABCDEF0123456789"
    await secrets.adelete_secret("org-2", "consumer_secret")


def _chain(*backends: keyring.backend.KeyringBackend) -> ChainerBackend:
    class Chain(ChainerBackend):  # keyring's chain, with the links an auto-detection could give
        pass

    Chain.backends = list(backends)  # type: ignore[misc]  # replaces the discovered list
    return Chain()


def test_plaintext_link_in_an_auto_detected_chain_is_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """With keyrings.alt installed, keyring chains its plain-text file behind the Secret Service:
    reads would fall through to it. Only the secure backend is used."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    monkeypatch.setattr("keyring.core.load_config", lambda: None)
    secret_service = SecretServiceKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", _chain(secret_service, PlaintextKeyring()))
    assert secrets._usable_backend() is secret_service

    monkeypatch.setattr(keyring.core, "_keyring_backend", _chain(PlaintextKeyring()))
    with pytest.raises(secrets.SecretStoreUnavailable, match="gnome-keyring"):
        secrets._usable_backend()


def test_explicitly_configured_chain_is_used_as_configured() -> None:
    chain = _chain(PlaintextKeyring())
    previous = keyring.get_keyring()
    keyring.set_keyring(chain)
    try:
        assert secrets._usable_backend() is chain
    finally:
        keyring.set_keyring(previous)
