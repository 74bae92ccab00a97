""""First sync": one pull of the connection the wizard just made, with its progress and a cancel.

Returns the engine's ``PullResult``, whose ``outcome`` the wizard's page turns into "done", "paused"
(cancelled: the cursors keep the position) or a problem to show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from app.sync.progress import SyncProgress
from app.sync.pull.engine import PullEngine
from app.sync.pull.scheduler import saved_preferences
from app.sync.pull.types import PullResult

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

__all__ = ["FirstSync", "PullResult", "SyncProgress", "pull_first_sync"]

FirstSync = Callable[[Callable[[SyncProgress], None], asyncio.Event], Awaitable[PullResult]]


def pull_first_sync(db: Database, connections: ConnectionManager) -> FirstSync:
    async def first_sync(on_progress: Callable[[SyncProgress], None], cancel: asyncio.Event) -> PullResult:
        client = await connections.client()
        active = connections.active
        if active is None:
            raise RuntimeError("no Salesforce connection to sync")
        # The saved choices with any filter rules and field mappings (a firm's presets are set by now).
        prefs = await db.run(lambda session: saved_preferences(session, active.connection_id))
        engine = PullEngine(client, db, active.connection_id, prefs, on_progress=on_progress, cancel=cancel)
        return await engine.run()

    return first_sync
