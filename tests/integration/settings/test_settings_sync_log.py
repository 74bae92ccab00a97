"""The sync log store: push items with their local item, pull runs from the pull engine, filters,
90-day pruning, and the CSV support export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.store import Database, sync_state
from app.store import sync_log as log_rows
from app.store.sync_log import PushLogItem
from app.store.types import utcnow
from app.sync.connection import ConnectionManager
from app.ui.settings import log_export
from tests.integration.settings.settings_env import connect, make_org, pull


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[Database, ConnectionManager, int]]:
    with make_org(contacts=15, seed=6) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, connection = await connect(org, db)
        try:
            await pull(manager, db)  # writes the pull's own log entry
            yield db, manager, connection.connection_id
        finally:
            await manager.aclose()
            await db.close()


def _items(now: Any) -> list[PushLogItem]:
    return [
        PushLogItem("note", 1, "ContentNote", "pushed", "069000000000001AAA", api_calls=2,
                    at=now - timedelta(hours=1)),
        PushLogItem("task", 2, "Task", "needs_attention", None, "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "=HYPERLINK(\"x\") is not a valid subject", 1, at=now - timedelta(days=3)),
        PushLogItem("note", 3, "Event", "waiting", "00U000000000001AAA", "NETWORK_ERROR", "Offline", 0,
                    at=now - timedelta(days=20)),
    ]


async def test_pull_runs_and_push_items_share_one_log_with_filters(
    env: tuple[Database, ConnectionManager, int],
) -> None:
    db, _manager, cid = env
    now = utcnow()
    assert await db.run(lambda s: log_rows.record_push(s, cid, _items(now))) == 3
    rows = await db.run(lambda s: log_rows.entries(s, cid))
    assert [r.direction for r in rows] == ["pull", "push", "push", "push"]  # newest first
    pulled = rows[0]
    assert pulled.outcome == "ok" and pulled.api_calls > 0 and pulled.item_kind is None
    pushed = rows[1]
    assert (pushed.item_kind, pushed.item_id, pushed.record_id) == ("note", 1, "069000000000001AAA")
    assert pushed.counts == {"note": 1}

    week = await db.run(lambda s: log_rows.entries(s, cid, since=now - timedelta(days=7)))
    assert len(week) == 3
    failed = await db.run(lambda s: log_rows.entries(s, cid, outcome="needs_attention"))
    assert [r.item_id for r in failed] == [2] and failed[0].error_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    events = await db.run(lambda s: log_rows.entries(s, cid, object_="Event", direction="push"))
    assert [r.item_id for r in events] == [3]
    window = await db.run(lambda s: log_rows.entries(s, cid, since=now - timedelta(days=30),
                                                     until=now - timedelta(days=2)))
    assert [r.item_id for r in window] == [2, 3]
    outcomes, objects = await db.run(lambda s: log_rows.choices(s, cid))
    assert outcomes == ["needs_attention", "ok", "pushed", "waiting"]
    assert {"ContentNote", "Task", "Event"} <= set(objects)
    assert await db.run(lambda s: log_rows.calls_since(s, cid, now - timedelta(days=1))) == pulled.api_calls + 2


async def test_entries_older_than_90_days_are_pruned(env: tuple[Database, ConnectionManager, int]) -> None:
    db, _manager, cid = env
    now = utcnow()
    old = [PushLogItem("note", 9, "ContentNote", "pushed", "069000000000009AAA", at=now - timedelta(days=91)),
           PushLogItem("note", 8, "ContentNote", "pushed", "069000000000008AAA", at=now - timedelta(days=89))]
    await db.run(lambda s: log_rows.record_push(s, cid, old))
    log_id = await db.run(lambda s: sync_state.start_log(s, cid, "pull", "Contact"))
    assert await db.run(lambda s: log_rows.prune(s, now=now)) == 1
    left = await db.run(lambda s: log_rows.entries(s, cid))
    assert 9 not in [r.item_id for r in left] and 8 in [r.item_id for r in left]
    assert log_id in [r.id for r in left]
    assert await db.run(lambda s: log_rows.prune(s, now=now)) == 0


async def test_csv_export_has_full_times_links_and_no_formulas(env: tuple[Database, ConnectionManager, int]) -> None:
    db, manager, cid = env
    now = utcnow()
    await db.run(lambda s: log_rows.record_push(s, cid, _items(now)))
    rows = await db.run(lambda s: log_rows.entries(s, cid, direction="push"))
    assert manager.active is not None
    instance = manager.active.instance_url
    parsed = list(csv.reader(io.StringIO(log_export.csv_text(rows, instance + "/"))))
    assert tuple(parsed[0]) == log_export.CSV_HEADER
    assert len(parsed) == 4
    first = dict(zip(parsed[0], parsed[1], strict=True))
    assert first["record_url"] == f"{instance}/069000000000001AAA" and first["local_item"] == "Note #1"
    assert first["time_utc"].endswith("+00:00")
    second = dict(zip(parsed[0], parsed[2], strict=True))
    assert second["error_message"].startswith("'=HYPERLINK")  # a spreadsheet shows it, never runs it
    assert second["record_url"] == ""


def test_words_for_rows() -> None:
    assert log_export.outcome_words("needs_attention") == "Needs attention"
    assert log_export.outcome_words("some_new_state") == "Some new state"
    assert log_export.direction_words("pull") == "From Salesforce"
    assert log_export.sobject_words("ContentNote") == "Note"
    assert log_export.record_url("", "003") == "" and log_export.record_url("https://x", None) == ""
