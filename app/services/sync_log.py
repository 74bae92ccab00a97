""""Sync log": what the pull and push did lately, for the Settings page's log tab and its export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from app.store import sync_log as log_rows
from app.store.sync_log import KEEP_DAYS, LogRow
from app.store.sync_log_names import with_names
from app.store.types import utcnow

if TYPE_CHECKING:
    from app.store.db import Database

__all__ = ["KEEP_DAYS", "LogPage", "LogRow", "SyncLog"]


@dataclass(frozen=True)
class LogPage:
    rows: list[LogRow]
    outcomes: list[str]  # every outcome in the log, for the filter
    objects: list[str]   # every object list in the log ("Note,Task" …), for the filter


class SyncLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def recent(self, connection_id: int, period: timedelta) -> LogPage:
        """Entries of the last ``period``, each with its item's title and client's name (the log keeps
        only Ids); drops those older than the log keeps, in the same transaction."""
        since = utcnow() - period

        def read(session: Any) -> LogPage:
            log_rows.prune(session)
            outcomes, objects = log_rows.choices(session, connection_id)
            rows = log_rows.entries(session, connection_id, since=since)
            return LogPage(with_names(session, connection_id, rows), outcomes, objects)

        return await self.db.run(read)
