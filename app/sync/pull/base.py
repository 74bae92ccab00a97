"""What every part of the pull shares (``PullContext``): the org, the workspace, the preferences, counters, paging."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.salesforce.client import SalesforceClient
from app.salesforce.results import QueryPage
from app.store import Database
from app.store.sync_state import CursorState
from app.store.types import utcnow
from app.sync.progress import ProgressCallback, SyncProgress, ignore_progress
from app.sync.pull.pages import FETCH_AHEAD, PageWalker
from app.sync.pull.records import RecordKey
from app.sync.pull.types import PullPreferences, SkippedRecord
from app.sync.pull.writes import PageResult

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=5)


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[SkippedRecord] = field(default_factory=list)
    new_people: list[str] = field(default_factory=list)

    def add(self, key: str, n: int) -> None:
        if n:
            self.counts[key] = self.counts.get(key, 0) + n

    def page(self, sobject: str, result: PageResult) -> None:
        self.add(f"{sobject}.written", result.written)
        self.add(f"{sobject}.deleted", result.deleted)
        self.add(f"{sobject}.swept", result.swept)
        self.add("skipped", len(result.skipped))
        self.skipped.extend(result.skipped)
        self.new_people.extend(result.new_ids)


class PullContext:
    """What every part of one org's pull shares: the org, the workspace, the preferences, the clock,
    the tally of the run, paging and progress.

    :class:`app.sync.pull.engine.PullEngine` builds one and hands it to each of its parts (people,
    filters, related records, households), so a part reads only these public names, never another
    part's state.  It lives as long as the engine; the engine gives it a fresh ``tally`` at the start
    of every run."""

    def __init__(
        self,
        client: SalesforceClient,
        db: Database,
        connection_id: int,
        preferences: PullPreferences,
        *,
        on_progress: ProgressCallback = ignore_progress,
        cancel: asyncio.Event | None = None,
        now: Callable[[], datetime] = utcnow,
        overlap: timedelta = OVERLAP,
        fetch_ahead: int = FETCH_AHEAD,
    ) -> None:
        self.client = client
        self.db = db
        self.connection_id = connection_id
        self.prefs = preferences
        self.on_progress = on_progress
        self.cancel = cancel or asyncio.Event()
        self.now = now
        self.overlap = overlap
        self.fetch_ahead = fetch_ahead
        self.tally = Tally()

    # ----------------------------------------------------------------------------------- paging
    async def walk(self, page: QueryPage, write: Callable[[QueryPage, bool], Awaitable[PageResult]]) -> None:
        await PageWalker(self.client, self.cancel, fetch_ahead=self.fetch_ahead).walk(page, write)

    async def walk_prepared(
        self, page: QueryPage, prepare: Callable[[QueryPage], Any],
        write: Callable[[QueryPage, bool, Any], Awaitable[PageResult]],
    ) -> None:
        """``walk`` with ``prepare`` run on each page in a worker thread as it arrives: the Python
        work on page *n+1* then overlaps the database thread writing page *n* (SQLite works without
        the GIL).  Measured on the 100,000-contact benchmark: ~12% faster than preparing on the
        database thread, in A/B runs on the same machine."""
        executor = ThreadPoolExecutor(1, thread_name_prefix="notebridge-pull-prepare")
        finished = False
        try:
            await PageWalker(self.client, self.cancel, fetch_ahead=self.fetch_ahead,
                             executor=executor).walk_prepared(page, prepare, write)
            finished = True
        finally:
            # Never wait here (this is the event loop).  After the last page the worker still frees
            # it and then stops; when stopped early, a page still being prepared is just dropped.
            executor.shutdown(wait=False, cancel_futures=not finished)

    def progress(self, sobject: str, done: int, total: int | None, message: str) -> None:
        try:
            self.on_progress(SyncProgress("pull", sobject, done, total, self.client.api_calls, message))
        except Exception:  # a progress listener must never break the sync
            log.exception("progress listener failed")


def key_of(cursor: CursorState | None) -> RecordKey | None:
    if cursor is None or cursor.last_modstamp is None or not cursor.last_id:
        return None
    return RecordKey(cursor.last_modstamp, cursor.last_id)


PREFIXES = {"Contact": "003", "Lead": "00Q", "Account": "001"}


def is_type(sf_id: str, sobject: str) -> bool:
    return sf_id[:3] == PREFIXES.get(sobject, "")
