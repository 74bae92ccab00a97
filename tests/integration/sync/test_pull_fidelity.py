"""The pull's words and timing for two refusals real orgs send (issue 20, items 1 and 2): the org's
concurrent long-request limit (busy, try again in a minute — not the daily allowance), and a session
the app's policy keeps from the REST API (no refresh; the admin must change the app)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.demo_org import DemoOrg
from app.store import Database, contacts, sync_log
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import Outcome, PullPreferences
from tests.integration.sync.conftest import add_connection, client_for, signed_in_workspace

PREFS = PullPreferences(include_events=False, include_users=False)


async def test_concurrent_limit_stops_the_pull_as_busy_for_a_minute(org: DemoOrg, db: Database) -> None:
    cid = await add_connection(db, org)
    client, _ = client_for(org, max_retries=2)
    org.concurrent_limit_next(100)
    async with client:
        busy = await PullEngine(client, db, cid, PREFS).run()
        assert busy.outcome is Outcome.BUSY and busy.error_code == "CONCURRENT_REQUEST_LIMIT"
        assert busy.retry_at is not None
        assert timedelta(seconds=30) < busy.retry_at - datetime.now(UTC) <= timedelta(minutes=1)
        assert "busy" in busy.message and "not your daily API allowance" in busy.message
        assert busy.retry_at.astimezone().strftime("%H:%M") in busy.message
        org.faults.clear()
        again = await PullEngine(client, db, cid, PREFS).run()  # the next try is a normal pull
    assert again.outcome is Outcome.OK
    assert await db.run(lambda s: contacts.count(s, cid)) == 300
    assert [e.outcome for e in await db.run(lambda s: sync_log.entries(s, cid))] == ["ok", "busy"]


async def test_concurrent_limit_short_burst_is_absorbed_by_the_client(org: DemoOrg, db: Database) -> None:
    cid = await add_connection(db, org)
    client, _ = client_for(org)
    org.concurrent_limit_next(2, "requests")
    async with client:
        result = await PullEngine(client, db, cid, PREFS).run()
    assert result.outcome is Outcome.OK and client.retry_count == 2


async def test_rest_session_policy_pull_says_what_the_admin_changes(org: DemoOrg, db: Database) -> None:
    cid = await add_connection(db, org)
    client, refresher = client_for(org)
    org.refuse_rest_sessions()
    async with client:
        result = await PullEngine(client, db, cid, PREFS).run()
    assert result.outcome is Outcome.SESSION_POLICY and result.error_code == "REST_SESSION_POLICY"
    assert refresher.attempts == 0
    assert "admin" in result.message and "Manage user data via APIs (api)" in result.message
    assert "sign in again" not in result.message.lower()


async def test_rest_session_policy_marks_the_connection_for_the_admin(tmp_path: Path) -> None:
    """Through the connection manager (as the app runs it): the badge asks for the admin, and a check
    of the connection says the same without refreshing."""
    async with signed_in_workspace(tmp_path / "w.db") as (org, _db, manager):
        org.refuse_rest_sessions()
        status = await manager.test_connection()
        assert status.state == "needs_attention"
        assert "Signing in again will not change that" in (status.reason or "")
        assert "Manage user data via APIs (api)" in (status.fix or "")
        org.refuse_rest_sessions(False)
        assert (await manager.test_connection()).state == "connected"


async def test_concurrent_limit_connection_check_stays_connected(tmp_path: Path) -> None:
    async with signed_in_workspace(tmp_path / "w.db") as (org, _db, manager):
        org.concurrent_limit_next(100)
        status = await manager.test_connection()
        assert status.state == "connected" and not status.offline
