"""Migration 0012: the sync log's entries written before it get their step from what they say."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from app.store.migrate import alembic_config
from app.store.sync_steps import SyncStep, step_for_kind
from tests.unit.store.test_store_fuzzy_search import insert


def test_sync_steps_migration_names_the_step_of_older_entries(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0011_fuzzy_names")  # the revision before the step
        insert(conn, "connection", id=1)
        insert(conn, "sync_log", connection_id=1, direction="pull", object="Contact", outcome="ok")
        insert(conn, "sync_log", connection_id=1, direction="pull", object="pick", outcome="ok")
        for kind in ("note", "task", "call", "meeting", "email", "opportunity", "person"):
            insert(conn, "sync_log", connection_id=1, direction="push", object="Task", outcome="pushed",
                   item_kind=kind, item_id=1)
        insert(conn, "sync_log", connection_id=1, direction="push", outcome="done")  # a run's own row
        command.upgrade(alembic_config(conn), "0012_sync_log_step")
    engine.dispose()
    raw = sqlite3.connect(path)
    try:
        rows = raw.execute("SELECT direction, item_kind, step FROM sync_log ORDER BY id").fetchall()
    finally:
        raw.close()
    assert rows[:2] == [("pull", None, SyncStep.PULL_CLIENTS.value)] * 2
    assert [(kind, step) for _d, kind, step in rows[2:-1]] == [
        (kind, str(step_for_kind(kind))) for _d, kind, _s in rows[2:-1]]
    assert {step for _d, _k, step in rows[2:-1]} == {s.value for s in SyncStep if not s.is_pull}
    assert rows[-1] == ("push", None, None)
