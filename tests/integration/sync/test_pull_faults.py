"""The pull under the faults a real org produces: 503s, dropped connections, expired tokens, a
malformed record, and the daily API limit."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.store import Database, contacts, sync_log, sync_state
from app.store.types import utcnow
from app.sync.progress import SyncProgress
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from tests.integration.sync.conftest import add_connection, client_for

PREFS = PullPreferences(include_events=False, include_users=False)
# One page fetched ahead (not the default three), so "after the first page" is a point in the sync
# where there is still something left to fetch when the fault strikes.
CONTACTS = 4100


@pytest.fixture(scope="module")
def shared_org() -> Iterator[DemoOrg]:
    with DemoOrg(contacts=CONTACTS, seed=4, api_limit=5000) as running:
        yield running


@pytest.fixture
def big_org(shared_org: DemoOrg) -> Iterator[DemoOrg]:
    """The module's org with no faults pending and a fresh daily allowance, whatever ran before."""
    shared_org.faults.clear()
    shared_org.set_api_usage(0)
    yield shared_org
    shared_org.faults.clear()
    shared_org.set_api_usage(0)


async def committed(db: Database, cid: int) -> int:
    """Rows on disk after an interrupted pull — always exactly the cursor's position.

    The page after the one being written is fetched ahead, so a fault injected after page 1 may
    already find page 2 on its way: 2000 or 4000 records are committed, never a partial page.
    """
    count = await db.run(lambda s: contacts.count(s, cid))
    cursor = await db.run(lambda s: sync_state.get_cursor(s, cid, "Contact"))
    assert cursor is not None and cursor.phase == "full" and cursor.record_offset == count
    assert count in (2000, 4000)
    return count


def after_first_page(action: object) -> object:
    fired = False

    def progress(p: SyncProgress) -> None:
        nonlocal fired
        if p.object == "Contact" and p.done >= 2000 and not fired:
            fired = True
            action()  # type: ignore[operator]

    return progress


def live_count(org: DemoOrg) -> int:
    return sum(1 for r in org.records("Contact") if not r["IsDeleted"])


async def test_503s_mid_sync_are_retried_and_the_sync_completes(big_org: DemoOrg, db: Database) -> None:
    cid = await add_connection(db, big_org)
    client, _ = client_for(big_org)
    async with client:
        engine = PullEngine(client, db, cid, PREFS, fetch_ahead=1,
                            on_progress=after_first_page(lambda: big_org.faults.fail_next(2, status=503)))  # type: ignore[arg-type]
        result = await engine.run()
    assert result.outcome == "ok", result.message
    assert client.retry_count >= 2
    assert await db.run(lambda s: contacts.count(s, cid)) == live_count(big_org)


async def test_salesforce_staying_down_stops_cleanly_and_the_next_run_resumes(
    big_org: DemoOrg, db: Database
) -> None:
    cid = await add_connection(db, big_org)
    client, _ = client_for(big_org, max_retries=2)
    async with client:
        engine = PullEngine(client, db, cid, PREFS, fetch_ahead=1,
                            on_progress=after_first_page(lambda: big_org.faults.fail_next(10, status=503)))  # type: ignore[arg-type]
        down = await engine.run()
        assert down.outcome == "offline"
        assert down.retry_at is not None and down.retry_at > utcnow()
        assert "kept" in down.message
        done = await committed(db, cid)  # the committed pages stay
        big_org.faults.clear()
        back = await PullEngine(client, db, cid, PREFS).run()
    assert back.outcome == "ok"
    assert back.counts["Contact.written"] == CONTACTS - done
    assert await db.run(lambda s: contacts.count(s, cid)) == live_count(big_org)
    logs = await db.run(lambda s: sync_log.entries(s, cid))
    assert logs[1].outcome == "offline" and logs[1].error_code == "SERVER_UNAVAILABLE"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_network_drop_mid_sync_resumes_when_the_org_is_back(tmp_path: Path) -> None:
    org = DemoOrg(contacts=CONTACTS, seed=5, port=_free_port()).start()
    db = await Database.open(tmp_path / "drop.db")
    try:
        cid = await add_connection(db, org)
        client, _ = client_for(org, max_retries=1)
        async with client:
            dropped = await PullEngine(client, db, cid, PREFS, fetch_ahead=1,
                                       on_progress=after_first_page(org.stop)).run()  # type: ignore[arg-type]
            assert dropped.outcome == "offline", dropped.message
            assert dropped.error_code == "NETWORK_ERROR"
            await committed(db, cid)
            org.start()  # same port: the laptop is back online
            back = await PullEngine(client, db, cid, PREFS).run()
        assert back.outcome == "ok", back.message
        assert await db.run(lambda s: contacts.count(s, cid)) == live_count(org)
    finally:
        org.stop()
        await db.close()


async def test_expired_token_mid_sync_is_refreshed_and_the_sync_continues(big_org: DemoOrg, db: Database) -> None:
    cid = await add_connection(db, big_org)
    client, refresher = client_for(big_org)
    async with client:
        result = await PullEngine(client, db, cid, PREFS, fetch_ahead=1,
                                  on_progress=after_first_page(big_org.expire_access_tokens)).run()  # type: ignore[arg-type]
    assert result.outcome == "ok"
    assert client.refresh_count == refresher.refresh_count == 1
    assert await db.run(lambda s: contacts.count(s, cid)) == live_count(big_org)


async def test_a_malformed_record_is_skipped_and_logged_not_fatal(tmp_path: Path) -> None:
    with DemoOrg(contacts=200, seed=6) as org:
        victim = org.records("Contact")[17]["Id"]
        # The fake org's storage is poked directly: no real API can produce a broken record on
        # purpose, but a real org behind a misbehaving proxy or a buggy managed package can.
        org._core.store.table("Contact")[victim]["Email"] = {"unexpected": "object"}
        db = await Database.open(tmp_path / "malformed.db")
        try:
            cid = await add_connection(db, org)
            client, _ = client_for(org)
            async with client:
                result = await PullEngine(client, db, cid, PREFS).run()
            assert result.outcome == "partial"
            assert [s.sf_id for s in result.skipped] == [victim]
            assert "skipped" in result.message
            assert await db.run(lambda s: contacts.count(s, cid)) == 199
            assert await db.run(lambda s: contacts.get_by_sf_id(s, cid, victim)) is None
            entry = (await db.run(lambda s: sync_log.entries(s, cid)))[0]
            assert entry.outcome == "partial" and entry.record_ids == (victim,) and entry.counts["skipped"] == 1
            assert "object" not in (entry.error_message or "")  # ids and reasons only, no field values
        finally:
            await db.close()


async def test_request_limit_exceeded_stops_keeps_data_and_says_when_it_retries(
    big_org: DemoOrg, db: Database
) -> None:
    cid = await add_connection(db, big_org)
    client, _ = client_for(big_org)
    big_org.set_api_usage(0)
    async with client:
        engine = PullEngine(client, db, cid, PREFS, fetch_ahead=1,
                            on_progress=after_first_page(lambda: big_org.set_api_usage(5000)))  # type: ignore[arg-type]
        limited = await engine.run()
        assert limited.outcome == "limit"
        assert limited.error_code == "REQUEST_LIMIT_EXCEEDED"
        assert limited.retry_at is not None
        assert timedelta(minutes=30) < limited.retry_at - datetime.now(UTC) <= timedelta(hours=1)
        assert limited.retry_at.astimezone().strftime("%H:%M") in limited.message
        await committed(db, cid)
        # While the allowance is spent, no further calls are made at all.
        big_org.reset_stats()
        again = await PullEngine(client, db, cid, PREFS).run()
        assert again.outcome == "limit" and again.api_calls == 0 == big_org.stats()["api_calls"]

        big_org.set_api_usage(0)
        await client.limits()  # the next day: usage is read fresh
        resumed = await PullEngine(client, db, cid, PREFS).run()
    assert resumed.outcome == "ok"
    assert await db.run(lambda s: contacts.count(s, cid)) == live_count(big_org)
    outcomes = [e.outcome for e in await db.run(lambda s: sync_log.entries(s, cid))]
    assert outcomes == ["ok", "limit", "limit"]


async def test_cancel_event_set_before_start_stops_after_the_first_page(big_org: DemoOrg, db: Database) -> None:
    cid = await add_connection(db, big_org)
    cancel = asyncio.Event()
    cancel.set()
    client, _ = client_for(big_org)
    async with client:
        result = await PullEngine(client, db, cid, PREFS, fetch_ahead=1, cancel=cancel).run()
    assert result.outcome == "cancelled"
    assert await db.run(lambda s: contacts.count(s, cid)) == 2000
