"""A full pull interrupted part-way resumes at the last committed page: nothing skipped, nothing doubled."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.store import Database, contacts, people, sync_log, sync_state
from app.sync.progress import SyncProgress
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from tests.integration.sync.conftest import add_connection, client_for

ROOT = Path(__file__).resolve().parents[3]
CONTACTS = 4100  # three pages: 2000, 2000, 100


@pytest.fixture(scope="module")
def big_org() -> Iterator[DemoOrg]:
    with DemoOrg(contacts=CONTACTS, seed=2) as running:
        yield running


def live_contacts(org: DemoOrg) -> set[str]:
    return {r["Id"] for r in org.records("Contact") if not r["IsDeleted"]}


async def assert_complete(db: Database, cid: int, org: DemoOrg) -> None:
    expected = live_contacts(org)
    assert await db.run(lambda s: contacts.count(s, cid)) == len(expected)
    assert await db.run(lambda s: people.existing_sf_ids(s, cid, expected)) == expected
    assert await db.run(lambda s: people.live_count(s, cid, "Contact")) == len(expected)


def stop_after_first_page(cancel: asyncio.Event) -> object:
    def progress(p: SyncProgress) -> None:
        if p.object == "Contact" and p.done >= 2000:
            cancel.set()

    return progress


async def test_cancel_between_pages_keeps_the_page_and_the_cursor_and_resumes(
    big_org: DemoOrg, db: Database
) -> None:
    cid = await add_connection(db, big_org)
    cancel = asyncio.Event()
    client, _ = client_for(big_org)
    async with client:
        first = await PullEngine(client, db, cid, PullPreferences(include_events=False, include_users=False),
                                 on_progress=stop_after_first_page(cancel), cancel=cancel).run()  # type: ignore[arg-type]
        assert first.outcome == "cancelled"
        assert "kept" in first.message
        assert await db.run(lambda s: contacts.count(s, cid)) == 2000
        cursor = await db.run(lambda s: sync_state.get_cursor(s, cid, "Contact"))
        assert cursor is not None and cursor.phase == "full" and cursor.record_offset == 2000
        assert cursor.next_records_url and cursor.last_id and cursor.last_modstamp

        big_org.reset_stats()
        second = await PullEngine(client, db, cid, PullPreferences(include_events=False, include_users=False)
                                  ).run()
    assert second.outcome == "ok"
    assert second.api_calls == 2 == big_org.stats()["api_calls"]  # pages 2 and 3 only, via the saved locator
    assert second.counts["Contact.written"] == CONTACTS - 2000
    await assert_complete(db, cid, big_org)
    logs = await db.run(lambda s: sync_log.entries(s, cid))
    assert [e.outcome for e in logs] == ["ok", "cancelled"]


async def test_resume_after_the_query_locator_expired_continues_after_the_last_record(
    big_org: DemoOrg, db: Database
) -> None:
    cid = await add_connection(db, big_org)
    cancel = asyncio.Event()
    prefs = PullPreferences(include_events=False, include_users=False)
    client, _ = client_for(big_org)
    async with client:
        await PullEngine(client, db, cid, prefs, on_progress=stop_after_first_page(cancel),  # type: ignore[arg-type]
                         cancel=cancel).run()
        # Salesforce expires a query cursor idle for 15 minutes (the org's clock moves; nothing sleeps).
        big_org.advance_clock(16 * 60)
        big_org.reset_stats()
        result = await PullEngine(client, db, cid, prefs).run()
    assert result.outcome == "ok"
    # 1 refused locator + a fresh query for the 2100 records after the cursor (2 pages).
    assert result.api_calls == 3
    assert result.counts["Contact.written"] == CONTACTS - 2000
    await assert_complete(db, cid, big_org)


async def test_killed_process_resumes_at_the_last_committed_page(big_org: DemoOrg, tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    db = await Database.open(path)
    cid = await add_connection(db, big_org)
    await db.close()
    tokens = big_org.mint_tokens()
    big_org.faults.set_latency(400)  # slow pages, so the kill lands mid-sync
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.sync.pull_child", str(path), tokens["instance_url"],
         tokens["access_token"], str(cid)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert child.stdout is not None
        line = await asyncio.to_thread(child.stdout.readline)
        assert line.startswith("committed 2000"), line
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        big_org.faults.set_latency(0)
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    db = await Database.open(path)  # SQLite recovers the WAL; the committed pages are intact
    try:
        done = await db.run(lambda s: contacts.count(s, cid))
        cursor = await db.run(lambda s: sync_state.get_cursor(s, cid, "Contact"))
        assert cursor is not None and cursor.phase == "full" and cursor.record_offset == done
        assert done in (2000, 4000)
        client, _ = client_for(big_org)
        big_org.reset_stats()
        async with client:
            result = await PullEngine(client, db, cid, PullPreferences(include_events=False,
                                                                       include_users=False)).run()
        assert result.outcome == "ok"
        assert result.counts["Contact.written"] == CONTACTS - done  # nothing fetched twice
        await assert_complete(db, cid, big_org)
        logs = await db.run(lambda s: sync_log.entries(s, cid))
        assert [e.outcome for e in logs] == ["ok", "interrupted"]
    finally:
        await db.close()
