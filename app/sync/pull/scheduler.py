"""When pulls happen: "Sync now", every N minutes, and again after a fault — one pull at a time.

The scheduler owns the only running pull.  A "Sync now" while one runs joins it instead of
starting a second (two pulls writing the same cursors would fight).  After a fault the engine's
``retry_at`` decides the next attempt (the daily API limit waits an hour; a network drop a few
minutes, growing while the drops continue); otherwise the advisor's interval does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from app.salesforce.client import SalesforceClient
from app.salesforce.errors import NetworkError, RestSessionRefused
from app.store import Database, sync_state
from app.store import settings as store_settings
from app.store.types import utcnow
from app.sync.connection import ConnectionManager, NotConnected
from app.sync.progress import ProgressCallback, SyncProgress, ignore_progress
from app.sync.pull.engine import PullEngine
from app.sync.pull.field_map import MAPPINGS_KEY, mappings_from_json
from app.sync.pull.filters import FILTERS_KEY, filters_from_json
from app.sync.pull.history import HistoryReport
from app.sync.pull.history_prefetch import prefetch_after_pull
from app.sync.pull.pick import search_salesforce
from app.sync.pull.search_upkeep import TIDY_AFTER_ROWS, rows_written, tidy_search_index
from app.sync.pull.types import Outcome, PullPreferences, PullResult, RemoteMatch

log = logging.getLogger(__name__)

MAX_OFFLINE_BACKOFF = timedelta(hours=1)
FIRST_RUN_DELAY = timedelta(seconds=2)

ResultCallback = Callable[[PullResult], None]
HistoryCallback = Callable[[HistoryReport], None]


def preferences_from(settings: sync_state.PullSettings) -> PullPreferences:
    return PullPreferences(
        client_object=settings.client_object, include_leads=settings.include_leads,
        contacts_enabled=settings.contacts_enabled, pick_mode=settings.pick_mode,
        include_events=settings.include_events, event_window_days=settings.event_window_days,
        include_task_picklists=True, include_households=True,
        owner_id=settings.user_id if settings.record_scope == "mine" and not settings.pick_mode else None,
    )


def saved_preferences(session: Any, cid: int) -> PullPreferences:
    """What a pull of ``cid`` syncs: the saved choices, field mappings and (unless picking) filter rules.
    The first sync uses it too, so a filter set before it (a firm's preset) is never pulled past."""
    settings = sync_state.pull_settings(session, cid)
    prefs = replace(preferences_from(settings),
                    field_mappings=mappings_from_json(store_settings.get(session, cid, MAPPINGS_KEY)))
    if not prefs.pick_mode:
        prefs = replace(prefs, filters=filters_from_json(store_settings.get(session, cid, FILTERS_KEY)),
                        user_id=settings.user_id)
    return prefs


class PullScheduler:
    def __init__(
        self,
        db: Database,
        connections: ConnectionManager,
        *,
        on_progress: ProgressCallback = ignore_progress,
        on_result: ResultCallback | None = None,
        first_delay: timedelta = FIRST_RUN_DELAY,
    ) -> None:
        self.db = db
        self.connections = connections
        self.progress_listeners: list[ProgressCallback] = [on_progress]
        self.result_listeners: list[ResultCallback] = [on_result] if on_result is not None else []
        self.last_result: PullResult | None = None
        self.next_run_at: datetime | None = None
        self._running: asyncio.Task[PullResult] | None = None
        self._cancel = asyncio.Event()
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._tidy: asyncio.Task[int] | None = None  # the search index's tidy-up after a big sync
        # Meeting prep after a good sync: history of clients meeting soon / owned (history_prefetch.py).
        self.last_history: HistoryReport | None = None
        self.history_listeners: list[HistoryCallback] = []  # told when that step ends (its log entry is written)
        self._offline_streak = 0
        self._first_delay = first_delay

    # -------------------------------------------------------------------------------- controls
    @property
    def busy(self) -> bool:
        return self._running is not None and not self._running.done()

    async def settings(self) -> sync_state.PullSettings | None:
        active = self.connections.active
        if active is None:
            return None
        return await self.db.run(lambda s: sync_state.pull_settings(s, active.connection_id))

    async def change_settings(self, **changes: object) -> sync_state.PullSettings:
        active = self.connections.active
        if active is None:
            raise NotConnected(self.connections.status)
        settings = await self.db.run(lambda s: sync_state.set_pull_settings(s, active.connection_id, **changes))
        self._wake.set()  # a new interval or a toggle turned on takes effect now
        return settings

    async def sync_now(self, *, full: bool = False) -> PullResult:
        """Run a pull now, or wait for the one already running."""
        if self.busy:
            assert self._running is not None
            return await asyncio.shield(self._running)
        self._cancel = asyncio.Event()
        self._running = asyncio.ensure_future(self._pull(full=full))
        return await asyncio.shield(self._running)

    def wake(self) -> None:
        """Settings changed elsewhere (Settings → Sync): the periodic pull runs now, with them."""
        self._wake.set()

    def cancel(self) -> None:
        """Stop the running pull after the page being written (nothing is lost)."""
        self._cancel.set()

    async def search_salesforce(self, text: str) -> list[RemoteMatch]:
        engine_parts = await self._engine_parts()
        if engine_parts is None:
            return []
        client, cid, prefs = engine_parts
        return await search_salesforce(client, self.db, cid, prefs, text)

    async def import_picked(self, sf_ids: list[str]) -> PullResult:
        while self.busy:  # never two writers of the same rows and cursors
            assert self._running is not None
            await asyncio.shield(self._running)
        parts = await self._engine_parts()
        if parts is None:
            return PullResult(Outcome.NEEDS_ATTENTION, self.connections.status.reason or "Salesforce is not connected.")
        client, cid, prefs = parts
        engine = PullEngine(client, self.db, cid, prefs, on_progress=self._progress, cancel=self._cancel)
        self._running = asyncio.ensure_future(engine.import_picked(sf_ids))
        result = await asyncio.shield(self._running)
        self._publish(result)
        return result

    # ---------------------------------------------------------------------------------- periodic
    def start(self) -> None:
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = asyncio.ensure_future(self._periodic())

    async def stop(self) -> None:
        self._cancel.set()
        for task in (self._loop_task, self._running, self._tidy):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._loop_task = None

    async def aclose(self) -> None:
        """Shutdown: stop the timer and any running pull (what it committed stays)."""
        await self.stop()

    async def _periodic(self) -> None:
        delay = self._first_delay
        while True:
            self.next_run_at = utcnow() + delay
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay.total_seconds())
            if self.busy:
                assert self._running is not None
                await asyncio.shield(self._running)
            else:
                await self.sync_now()
            delay = await self._next_delay()

    async def _next_delay(self) -> timedelta:
        settings = await self.settings()
        interval = timedelta(minutes=settings.interval_minutes if settings else 15)
        result = self.last_result
        if result is not None and result.retry_at is not None:
            wait = result.retry_at - utcnow()
            if result.outcome is Outcome.OFFLINE:
                wait = min(MAX_OFFLINE_BACKOFF, wait * (2 ** max(0, self._offline_streak - 1)))
            return max(timedelta(seconds=5), wait)
        return interval

    # -------------------------------------------------------------------------------- internals
    async def _engine_parts(self) -> tuple[SalesforceClient, int, PullPreferences] | None:
        active = self.connections.active
        if active is None:
            return None
        try:
            client = await self.connections.client()
        except NotConnected:
            return None
        cid = active.connection_id
        return client, cid, await self.db.run(lambda s: saved_preferences(s, cid))

    async def _pull(self, *, full: bool) -> PullResult:
        try:
            parts = await self._engine_parts()
        except Exception as exc:  # keyring trouble, refused refresh: the status badge explains
            log.warning("cannot start a sync: %s", exc)
            parts = None
        if parts is None:
            status = self.connections.status
            result = PullResult(Outcome.NEEDS_ATTENTION, status.reason or "Salesforce is not connected.")
            self._publish(result)
            return result
        client, cid, prefs = parts
        engine = PullEngine(client, self.db, cid, prefs,
                            on_progress=self._progress, cancel=self._cancel)
        result = await engine.run(full=full)
        self._publish(result)
        if rows_written(result.counts) >= TIDY_AFTER_ROWS and (self._tidy is None or self._tidy.done()):
            self._tidy = asyncio.ensure_future(tidy_search_index(self.db, cancel=self._cancel))
        if result.ok and prefs.include_events:
            # Part of the run (so stopping the sync stops it too), after the result is out: the list is
            # already up to date while the history of the coming meetings is fetched.
            self.last_history = await prefetch_after_pull(client, self.db, cid)
            for listener in list(self.history_listeners):
                try:
                    listener(self.last_history)
                except Exception:
                    log.exception("history listener failed")
        return result

    def _publish(self, result: PullResult) -> None:
        self.last_result = result
        if result.outcome is Outcome.OFFLINE:
            self._offline_streak += 1
            # The code keeps "no answer in time" (DEADLINE_EXCEEDED) apart from "cannot be reached".
            self.connections.report_failure(NetworkError(result.message, error_code=result.error_code))
        else:
            self._offline_streak = 0
            if result.outcome is Outcome.SESSION_POLICY:  # the badge says what the admin changes
                self.connections.report_failure(RestSessionRefused(result.message, error_code=result.error_code))
            if result.ok:
                self.connections.report_success()
        for listener in list(self.result_listeners):
            try:
                listener(result)
            except Exception:
                log.exception("sync result listener failed")

    def _progress(self, progress: SyncProgress) -> None:
        for listener in list(self.progress_listeners):
            try:
                listener(progress)
            except Exception:
                log.exception("sync progress listener failed")
