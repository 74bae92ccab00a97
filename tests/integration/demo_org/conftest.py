"""Fixtures for the demo org's own tests: small orgs over real HTTP(S) on 127.0.0.1."""

from __future__ import annotations

import ssl
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from app.demo_org import DemoOrg

# ``tests`` is a package at the repository root; make sure the root is importable however pytest was
# started (``python -m pytest`` adds it, the ``pytest`` script does not).
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@pytest.fixture(scope="module")
def org() -> Iterator[DemoOrg]:
    """A plain-HTTP org shared by a module's read-mostly tests (each test makes its own records)."""
    with DemoOrg(contacts=120, seed=7) as running:
        yield running


@pytest.fixture
def fresh_org() -> Iterator[DemoOrg]:
    """A private org for tests that change org-wide state (faults, limits, rules, tokens)."""
    with DemoOrg(contacts=40, seed=3) as running:
        yield running


def _client(org: DemoOrg, token: str | None = None) -> httpx.Client:
    token = token or org.mint_tokens()["access_token"]
    return httpx.Client(base_url=f"{org.base_url}/services/data/v62.0", headers={"Authorization": f"Bearer {token}"},
                        trust_env=False, verify=ssl.create_default_context(cafile=org.ca_file) if org.ca_file else True,
                        timeout=20)


@pytest.fixture
def client_for() -> Iterator[Callable[..., httpx.Client]]:
    """Factory: ``client_for(org, token=None)`` -> httpx client rooted at ``/services/data/v62.0``."""
    clients: list[httpx.Client] = []

    def make(org: DemoOrg, token: str | None = None) -> httpx.Client:
        clients.append(_client(org, token))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def api(org: DemoOrg, client_for: Callable[..., httpx.Client]) -> httpx.Client:
    return client_for(org)


@pytest.fixture
def fresh_api(fresh_org: DemoOrg, client_for: Callable[..., httpx.Client]) -> httpx.Client:
    return client_for(fresh_org)


def _errors_of(response: httpx.Response) -> list[str]:
    body = response.json()
    assert isinstance(body, list), body
    return [e["errorCode"] for e in body]


@pytest.fixture
def errors_of() -> Callable[[httpx.Response], list[str]]:
    """``errors_of(response)`` -> the errorCodes of a REST error body (always a JSON array)."""
    return _errors_of
