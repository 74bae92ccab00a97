"""The pull scheduler with a real, signed-in ConnectionManager: sync now, one pull at a time,
preferences from the workspace, periodic runs, and disconnecting (which keeps the workspace)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.store import Database, contacts, search_index, settings, sync_state
from app.sync.connection import ConnectionManager
from app.sync.pull.scheduler import PullScheduler
from app.sync.pull.types import PullResult
from tests.integration.sync.conftest import signed_in_workspace


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[DemoOrg, Database, ConnectionManager]]:
    async with signed_in_workspace(tmp_path / "scheduler.db", contacts=250, seed=9) as made:
        yield made


def live_contacts(org: DemoOrg) -> int:
    return sum(1 for r in org.records("Contact") if not r["IsDeleted"])


async def test_sync_now_runs_one_pull_even_when_asked_twice(env: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    org, db, manager = env
    results: list[PullResult] = []
    scheduler = PullScheduler(db, manager, on_result=results.append)
    org.reset_stats()
    first, second = await asyncio.gather(scheduler.sync_now(), scheduler.sync_now())
    assert first is second and first.outcome == "ok"
    assert len(results) == 1
    # people, users, meetings + the two task picklists and the Task describe (the reminder fields)
    assert first.api_calls == 6
    # Then the meeting-prep history of the coming meetings' clients: one batch, six queries at most.
    history = scheduler.last_history
    assert history is not None and history.clients > 0 and history.api_calls <= 6
    assert org.stats()["api_calls"] == first.api_calls + history.api_calls
    cid = manager.active.connection_id  # type: ignore[union-attr]
    assert await db.run(lambda s: contacts.count(s, cid)) == live_contacts(org)
    assert not scheduler.busy


async def test_settings_in_the_workspace_drive_the_pull(env: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    org, db, manager = env
    scheduler = PullScheduler(db, manager)
    await scheduler.sync_now()
    changed = await scheduler.change_settings(contacts_enabled=False, interval_minutes=30)
    assert changed.contacts_enabled is False and changed.interval_minutes == 30
    off = await scheduler.sync_now()
    assert off.outcome == "off"
    with pytest.raises(ValueError, match="interval"):
        await scheduler.change_settings(interval_minutes=0)
    with pytest.raises(ValueError, match="unknown"):
        await scheduler.change_settings(colour="blue")

    # "Only my records", as the wizard saves it.
    cid = manager.active.connection_id  # type: ignore[union-attr]
    await scheduler.change_settings(contacts_enabled=True)
    await db.run(lambda s: settings.put(s, cid, sync_state.RECORD_SCOPE_KEY, "mine"))
    user_id = manager.active.user_id  # type: ignore[union-attr]
    mine = sum(1 for r in org.records("Contact") if r["OwnerId"] == user_id and not r["IsDeleted"])
    await scheduler.sync_now(full=True)
    assert await db.run(lambda s: contacts.count(s, cid)) == mine  # a full pull sweeps out the others


async def test_periodic_sync_runs_by_itself_and_stops_cleanly(env: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    _org, db, manager = env
    done: asyncio.Future[PullResult] = asyncio.get_running_loop().create_future()
    scheduler = PullScheduler(db, manager, first_delay=timedelta(0),
                              on_result=lambda r: done.done() or done.set_result(r))
    scheduler.start()
    result = await asyncio.wait_for(done, timeout=60)
    assert result.outcome == "ok"
    assert scheduler.next_run_at is not None
    await scheduler.aclose()
    assert not scheduler.busy


async def test_disconnect_keeps_the_workspace_and_sync_says_why_it_stopped(
    env: tuple[DemoOrg, Database, ConnectionManager]
) -> None:
    org, db, manager = env
    scheduler = PullScheduler(db, manager)
    await scheduler.sync_now()
    cid = manager.active.connection_id  # type: ignore[union-attr]
    before = await db.run(lambda s: contacts.count(s, cid))
    await manager.disconnect()
    assert await db.run(lambda s: contacts.count(s, cid)) == before
    hits = await db.run(lambda s: contacts.search(s, cid, "a"))
    assert hits  # still searchable offline
    org.reset_stats()
    result = await scheduler.sync_now()
    assert result.outcome == "needs_attention" and "disconnected" in result.message.lower()
    assert org.stats()["api_calls"] == 0


async def test_a_big_sync_is_followed_by_a_search_index_tidy_up_a_small_one_is_not(
    env: tuple[DemoOrg, Database, ConnectionManager], monkeypatch: pytest.MonkeyPatch
) -> None:
    _org, db, manager = env
    scheduler = PullScheduler(db, manager)
    first = await scheduler.sync_now()  # 250 contacts: under the threshold
    assert first.ok and scheduler._tidy is None
    monkeypatch.setattr("app.sync.pull.scheduler.TIDY_AFTER_ROWS", 100)
    again = await scheduler.sync_now(full=True)
    assert again.ok and scheduler._tidy is not None
    assert await scheduler._tidy >= 1
    assert await db.run(lambda s: search_index.merge_step(s, 64, first=True)) is False  # merged
    await scheduler.aclose()
