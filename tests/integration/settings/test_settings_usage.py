"""API usage samples: one row per five-minute slot, pruning, and the recorder fed by a real client
talking to the demo org (usage from Sforce-Limit-Info, own calls from the client's counter)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.store import Database
from app.store import api_usage as usage_rows
from app.sync.connection import ConnectionManager
from app.sync.usage_recorder import UsageRecorder
from tests.integration.settings.settings_env import connect, make_org

T0 = datetime(2026, 5, 10, 12, 0, 30, tzinfo=UTC)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[DemoOrg, Database, ConnectionManager]]:
    with make_org(contacts=5, seed=2, api_limit=20_000) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, _ = await connect(org, db)
        try:
            yield org, db, manager
        finally:
            await manager.aclose()
            await db.close()


async def _cid(manager: ConnectionManager) -> int:
    assert manager.active is not None
    return manager.active.connection_id


async def test_one_row_per_slot_latest_reading_wins_and_own_calls_add(
    env: tuple[DemoOrg, Database, ConnectionManager],
) -> None:
    _org, db, manager = env
    cid = await _cid(manager)

    def write(session: Any) -> None:
        usage_rows.record(session, cid, 100, 20_000, own_calls=2, at=T0)
        usage_rows.record(session, cid, 140, 20_000, own_calls=3, at=T0 + timedelta(minutes=2))
        usage_rows.record(session, cid, 150, 20_000, own_calls=1, at=T0 + timedelta(minutes=5))

    await db.run(write)
    rows = await db.run(lambda s: usage_rows.samples(s, cid, T0 - timedelta(hours=1)))
    assert [(r.used, r.own_calls) for r in rows] == [(140, 5), (150, 1)]
    assert await db.run(lambda s: usage_rows.own_calls_since(s, cid, T0 - timedelta(hours=1))) == 6
    latest = await db.run(lambda s: usage_rows.latest(s, cid))
    assert latest is not None and latest.used == 150 and latest.share == 150 / 20_000


async def test_old_samples_are_pruned_and_bad_readings_refused(
    env: tuple[DemoOrg, Database, ConnectionManager],
) -> None:
    _org, db, manager = env
    cid = await _cid(manager)

    def write(session: Any) -> None:
        usage_rows.record(session, cid, 10, 100, at=T0 - timedelta(hours=50))
        usage_rows.record(session, cid, 20, 100, at=T0 - timedelta(hours=47))
        usage_rows.record(session, cid, 30, 100, at=T0)  # writing prunes what is older than 48 h

    await db.run(write)
    rows = await db.run(lambda s: usage_rows.samples(s, cid, T0 - timedelta(days=10)))
    assert [r.used for r in rows] == [20, 30]
    assert await db.run(lambda s: usage_rows.prune(s, T0)) == 1
    for used, limit, own in ((-1, 100, 0), (1, 0, 0), (1, 100, -2)):
        with pytest.raises(ValueError, match="non-negative count"):
            await db.run(lambda s, u=used, m=limit, o=own: usage_rows.record(s, cid, u, m, own_calls=o, at=T0))


async def test_recorder_reads_the_live_client_without_spending_calls(
    env: tuple[DemoOrg, Database, ConnectionManager],
) -> None:
    org, db, manager = env
    cid = await _cid(manager)
    recorder = UsageRecorder(db, cid)
    assert not await recorder.observe(None)
    client = await manager.client()
    assert not await recorder.observe(client)  # no response yet: usage unknown, nothing written

    org.set_api_usage(5_000)
    await client.limits()
    await client.query_list("SELECT Id FROM Contact LIMIT 2")
    calls = org.stats()["api_calls"]
    assert await recorder.observe(client)
    summary = await recorder.summary(0.1)
    assert summary.limit == 20_000 and summary.used is not None and summary.used >= 5_000
    assert summary.own_today == client.api_calls == 2
    assert summary.pause_at == 18_000 and summary.share == summary.used / 20_000
    assert org.stats()["api_calls"] == calls  # observing and summarising cost nothing

    assert not await recorder.observe(client)  # nothing changed: no write
    assert recorder.writes == 1
    await client.query_list("SELECT Id FROM Contact LIMIT 1")
    assert await recorder.observe(client)
    assert (await recorder.summary(0.1)).own_today == 3

    # A new client (reconnect / restart) counts from zero, so no call is counted twice.
    await manager.disconnect()
    manager2, _ = await connect(org, db)
    client2 = await manager2.client()
    await client2.limits()
    assert await recorder.observe(client2)
    assert (await recorder.summary(0.1)).own_today == 4
    await manager2.aclose()
