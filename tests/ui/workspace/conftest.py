"""Workspace page tests: Qt and asyncio on one qasync loop (as in the app), a real workspace file
filled by the real pull from a demo org over HTTP, and a real signed-in ConnectionManager."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.store import Database
from app.sync.connection import ConnectionManager
from app.sync.pull.scheduler import PullScheduler
from app.ui import aio
from app.ui.workspace import WorkspacePage
from tests.integration.salesforce.sf_org import make_org, signed_in
from tests.support.qt_loop import until

__all__ = ["Env", "until"]



@dataclass
class Env:
    org: DemoOrg
    db: Database
    connections: ConnectionManager
    scheduler: PullScheduler
    page: WorkspacePage

    @property
    def connection_id(self) -> int:
        assert self.connections.active is not None
        return self.connections.active.connection_id


@asynccontextmanager
async def make_env(tmp_path: Path, qtbot: Any, *, contacts: int = 300, sync: bool = True,
                   **org_options: Any) -> AsyncIterator[Env]:
    with make_org(contacts=contacts, seed=11, **org_options) as org:
        db = await Database.open(tmp_path / "workspace.db")
        connections = ConnectionManager(db)
        result = await signed_in(org)
        await connections.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                                       consumer_secret=None)
        scheduler = PullScheduler(db, connections)
        page = WorkspacePage(db, connections, scheduler=scheduler)
        qtbot.addWidget(page)
        page.resize(1100, 700)
        page.show()
        env = Env(org, db, connections, scheduler, page)
        try:
            await page.initialise()
            if sync:
                await page.sync_now()
                await until(lambda: page.model.total > 0 and not page.syncing, "first sync shown")
            yield env
        finally:
            await page.aclose()
            await aio.cancel_all()
            await connections.aclose()
            await db.close()


@pytest.fixture
async def env(tmp_path: Path, qtbot: Any) -> AsyncIterator[Env]:
    async with make_env(tmp_path, qtbot) as value:
        yield value
