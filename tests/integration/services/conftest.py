"""A real workspace file signed in to the demo org and pulled with the real engine, for the use cases."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.store import Database
from app.sync.connection import ConnectionManager
from tests.integration.settings.settings_env import connect, make_org, pull


@dataclasses.dataclass
class Env:
    db: Database
    manager: ConnectionManager
    cid: int
    org: DemoOrg


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    with make_org(contacts=15, seed=8) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, connection = await connect(org, db)
        try:
            await pull(manager, db)
            yield Env(db, manager, connection.connection_id, org)
        finally:
            await manager.aclose()
            await db.close()
