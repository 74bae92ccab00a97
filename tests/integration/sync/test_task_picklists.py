"""Item 11: the org's Task Status/Priority values (and defaults) arrive with the first sync and are
re-read with every sync, so a connection's first task has filled dropdowns before anything is pushed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.services.drafts import Drafts
from app.services.first_sync import pull_first_sync
from app.store import Database, tasks
from app.sync.connection import ConnectionManager
from app.sync.progress import SyncProgress
from app.sync.pull.scheduler import PullScheduler
from tests.integration.sync.conftest import signed_in_workspace


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[DemoOrg, Database, ConnectionManager]]:
    async with signed_in_workspace(tmp_path / "picklists.db", contacts=20, seed=3) as made:
        yield made


def _org_values(org: DemoOrg, sobject: str) -> tuple[list[str], str]:
    rows = sorted(org.records(sobject), key=lambda r: r["SortOrder"])
    return [r["ApiName"] for r in rows], next(r["ApiName"] for r in rows if r["IsDefault"])


async def test_task_picklists_arrive_with_the_first_sync_and_refresh_each_sync(
    env: tuple[DemoOrg, Database, ConnectionManager],
) -> None:
    org, db, manager = env
    assert manager.active is not None
    cid = manager.active.connection_id
    assert (await db.run(lambda s: tasks.picklists(s, cid))).statuses == ()

    org.reset_stats()
    progress: list[SyncProgress] = []
    first = await pull_first_sync(db, manager)(progress.append, asyncio.Event())
    assert first.outcome == "ok", first.message
    # people, users, meetings — one query each for TaskStatus and TaskPriority, and the Task describe
    # (whether the org shows the reminder fields), nothing more.
    assert first.api_calls == 6 == org.stats()["api_calls"]
    assert (await db.run(lambda s: tasks.picklists(s, cid))).reminders is True

    statuses, default_status = _org_values(org, "TaskStatus")
    priorities, default_priority = _org_values(org, "TaskPriority")
    drafts = Drafts(db)
    task = await drafts.new_task(cid)
    context = await drafts.task_context(task.id)
    assert list(context.picklists.statuses) == statuses and list(context.picklists.priorities) == priorities
    assert (task.status, task.priority) == (default_status, default_priority)

    # The org's admin changes the default: the next sync (the scheduler's) brings it, for two calls.
    rows = sorted(org.records("TaskStatus"), key=lambda r: r["SortOrder"])
    org.update_record("TaskStatus", rows[0]["Id"], {"IsDefault": False})
    org.update_record("TaskStatus", rows[1]["Id"], {"IsDefault": True})
    scheduler = PullScheduler(db, manager)
    before = org.stats()["api_calls"]
    again = await scheduler.sync_now()
    assert again.outcome == "ok", again.message
    history = scheduler.last_history  # then the meeting-prep history, counted apart
    assert history is not None
    assert org.stats()["api_calls"] - before == again.api_calls + history.api_calls
    lists = await db.run(lambda s: tasks.picklists(s, cid))
    assert lists.default_status == rows[1]["ApiName"] != default_status
    second = await drafts.new_task(cid)
    assert second.status == rows[1]["ApiName"]
