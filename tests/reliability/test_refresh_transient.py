"""Defect 4: one transient 5xx on the token endpoint must not sign the advisor out.

Real parts: the demo org over HTTP (its token endpoint made to answer 503 with a maintenance page or
500 ``unknown_error`` "retry your request"), the real refresh-token grant, a real SQLite workspace and
the real push engine.  Only ``invalid_grant`` means signed out.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.salesforce.auth import TokenRefresher
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    DeadlineExceeded,
    SalesforceError,
    ServerUnavailable,
    SessionExpired,
    UnreadableResponse,
)
from app.salesforce.oauth_errors import OAuthError, SignInExpired
from app.store import Database
from app.store import outbox as outbox_repo
from app.sync.connection import ConnectionManager
from app.sync.push.base import SIGNED_OUT_REASON
from tests.integration.push.conftest import PushEnv, workspace_env
from tests.integration.salesforce.sf_org import make_org, signed_in
from tests.reliability.hostile_server import Hostile, HostileServer

QUERY = "SELECT Id FROM Contact LIMIT 1"


def quick_refresher(org: DemoOrg, refresh_token: str, **options: object) -> TokenRefresher:
    options.setdefault("retry_backoff", 0.01)
    options.setdefault("retry_backoff_max", 0.05)
    options.setdefault("deadline", 20.0)
    return TokenRefresher(org.login_url, org.consumer_key, refresh_token, ca_file=org.ca_file, **options)  # type: ignore[arg-type]


@pytest.fixture
def org() -> AsyncIterator[DemoOrg]:
    with DemoOrg(contacts=6, seed=3) as running:
        yield running


def client_with(org: DemoOrg, refresher: TokenRefresher, access_token: str) -> SalesforceClient:
    return SalesforceClient(org.base_url, access_token, api_version="66.0", refresh=refresher,
                            ca_file=org.ca_file, retry_backoff=0.01, retry_backoff_max=0.05)


@pytest.mark.parametrize("status", [503, 500])
async def test_refresh_transient_error_is_retried_and_the_call_succeeds(org: DemoOrg, status: int) -> None:
    tokens = org.mint_tokens()
    refresher = quick_refresher(org, tokens["refresh_token"])
    async with client_with(org, refresher, tokens["access_token"]) as client:
        org.expire_access_tokens()
        org.faults.fail_token_next(1, status=status)
        rows = await client.query_list(QUERY)
    assert len(rows) == 1
    assert refresher.attempts == 2  # the failed one and the retry
    assert refresher.transient_failures == 1
    assert refresher.refresh_count == 1
    assert client.refresh_count == 1


@pytest.mark.parametrize("status", [503, 500])
async def test_refresh_transient_outage_raises_server_unavailable_not_signed_out(org: DemoOrg, status: int) -> None:
    tokens = org.mint_tokens()
    refresher = quick_refresher(org, tokens["refresh_token"], max_retries=1)
    async with client_with(org, refresher, tokens["access_token"]) as client:
        org.expire_access_tokens()
        org.faults.fail_token_next(10, status=status)
        with pytest.raises(ServerUnavailable) as caught:
            await client.query_list(QUERY)
        assert not isinstance(caught.value, OAuthError | SessionExpired)
        assert "stay signed in" in str(caught.value)
        assert refresher.attempts == 2  # bounded: max_retries=1
        # A moment later the same refresh token works: the session did not remember it as dead.
        org.faults.clear()
        assert len(await client.query_list(QUERY)) == 1
    assert refresher.refresh_count == 1


async def test_refresh_transient_invalid_grant_still_means_signed_out(org: DemoOrg) -> None:
    tokens = org.mint_tokens()
    refresher = quick_refresher(org, tokens["refresh_token"])
    async with client_with(org, refresher, tokens["access_token"]) as client:
        org.expire_access_tokens()
        org.revoke_refresh_tokens()
        with pytest.raises(SignInExpired):
            await client.query_list(QUERY)
    assert refresher.attempts == 1  # a refused grant is not retried


@pytest.fixture
async def env(org: DemoOrg, tmp_path: Path) -> AsyncIterator[PushEnv]:
    async with workspace_env(org, tmp_path / "workspace.db") as pushed:
        pushed.refresher.retry_backoff, pushed.refresher.retry_backoff_max = 0.01, 0.05
        pushed.refresher.max_retries = 1
        yield pushed


async def test_refresh_transient_push_waits_then_sends_with_the_same_sign_in(env: PushEnv) -> None:
    task = await env.task(subject="Call about the rollover")
    [row] = await env.queue("task", task.id)
    env.org.expire_access_tokens()
    env.org.faults.fail_token_next(10, status=500)

    report = await env.push()

    assert report.status == "offline", report  # waiting and retrying, not signed out
    assert report.reason != SIGNED_OUT_REASON
    held = await env.outbox(row.id)
    assert held.state == "waiting" and held.last_error_code != "SIGNED_OUT"
    assert env.live("Task") == [] or all(t["Subject"] != "Call about the rollover" for t in env.live("Task"))

    env.org.faults.clear()
    await env.db.run(lambda s: outbox_repo.settle_waiting(s, [row.id], code="X", reason="now", next_try_at=None))
    report = await env.push()
    assert report.status == "done" and report.pushed == 1
    assert [t["Subject"] for t in env.live("Task")].count("Call about the rollover") == 1


async def test_refresh_transient_connection_badge_says_offline_not_needs_attention(tmp_path: Path) -> None:
    """The status badge: a token endpoint outage is "Offline" (Notebridge retries), and only a
    refused refresh token is "Needs attention"."""
    with make_org(contacts=5) as org:
        db = await Database.open(tmp_path / "ws.sqlite3")
        try:
            first = ConnectionManager(db)
            result = await signed_in(org)
            await first.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                                     consumer_secret=None)
            await first.aclose()
            manager = ConnectionManager(db)  # a restart: the access token must come from a refresh
            await manager.load_active()
            org.faults.fail_token_next(10, status=503)
            status = await manager.test_connection()
            assert status.state == "connected" and status.offline, status
            assert status.label == "Offline"

            org.faults.clear()
            status = await manager.test_connection()
            assert status.state == "connected" and not status.offline

            org.expire_access_tokens()
            org.faults.fail_token_next(10, status=500)
            status = await manager.test_connection()
            assert status.state == "connected" and status.offline, status

            org.faults.clear()
            org.revoke_refresh_tokens()
            status = await manager.test_connection()
            assert status.state == "needs_attention"
            await manager.aclose()
        finally:
            await db.close()


@pytest.mark.parametrize("mode", [Hostile.HTML, Hostile.TRUNCATED, Hostile.EMPTY_OBJECT, Hostile.LOGIN_REDIRECT,
                                  Hostile.INVALID_UTF8, Hostile.SILENT, Hostile.DRIP])
async def test_refresh_transient_hostile_token_endpoint_is_never_a_sign_out(mode: Hostile) -> None:
    """A token endpoint behind a captive portal or a broken proxy says nothing about the refresh
    token: a transient error after a bounded number of attempts, never an ``OAuthError``."""
    async with HostileServer(mode) as server:
        refresher = TokenRefresher(server.url, "consumer-key", "5Aep-refresh", max_retries=1,
                                   retry_backoff=0.01, retry_backoff_max=0.02, deadline=2.0)
        started = time.monotonic()
        with pytest.raises(SalesforceError) as caught:
            await refresher()
    assert isinstance(caught.value, UnreadableResponse | DeadlineExceeded), repr(caught.value)
    assert not isinstance(caught.value, OAuthError | SessionExpired)
    assert 1 <= len(server.requests) <= 2 and refresher.attempts == len(server.requests)
    assert time.monotonic() - started < 20
