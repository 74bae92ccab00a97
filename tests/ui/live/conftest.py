"""A signed-in app's parts against the demo org, on the qasync loop: one event bus, the real push
loop (``OutboxSync``), the real editor windows and client view — what the shell composes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.demo_org import DemoOrg
from app.services.events import Events
from app.services.outbox_sync import OutboxSync
from app.store import Database
from app.sync.connection import ConnectionManager
from app.sync.pull.scheduler import PullScheduler
from tests.integration.salesforce.sf_org import make_org, signed_in
from tests.support.qt_loop import qasync_loop_factories as pytest_asyncio_loop_factories

__all__ = ["LiveApp", "live_app", "pytest_asyncio_loop_factories"]


@dataclass
class LiveApp:
    org: DemoOrg
    db: Database
    manager: ConnectionManager
    events: Events
    push: OutboxSync
    connection_id: int


@asynccontextmanager
async def live_app(tmp_path: Path, *, follow_connection: bool = False, pull: bool = True,
                   **org_options: Any) -> AsyncIterator[LiveApp]:
    """Entered inside the test (not a fixture) so the push loop starts and stops on the test's own qasync
    loop: a fixture's teardown ran on another loop once, and the loop's asyncio.Event refused it.

    ``follow_connection``: the push hears the connection's status, as in the app (back online wakes it).
    ``pull``: False leaves the workspace as right after signing in (nothing synced, nothing cached).
    ``org_options``: the demo org's settings (``task_reminders=False`` …)."""
    with make_org(contacts=15, seed=5, **org_options) as org:
        db = await Database.open(tmp_path / "live.db")
        manager = ConnectionManager(db)
        result = await signed_in(org)
        saved = await manager.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                                           consumer_secret=None)
        if pull:
            pulled = await PullScheduler(db, manager).sync_now()
            assert pulled.outcome == "ok", pulled.message
        events = Events()
        push = await OutboxSync.for_connection(db, saved.connection_id, manager.client, events,
                                               manager if follow_connection else None)
        push.start()
        try:
            yield LiveApp(org, db, manager, events, push, saved.connection_id)
        finally:
            await push.aclose()
            await manager.aclose()
            await db.close()
