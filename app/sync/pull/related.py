"""Pulling what surrounds the people: the org's active users and the meetings (Events) of people
in the workspace, from N days back to N days ahead (90 unless the advisor chose otherwise)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from app.salesforce.results import QueryPage
from app.store import sync_state
from app.store.sync_state import CursorState
from app.sync.pull import queries as q
from app.sync.pull.base import PullContext, key_of
from app.sync.pull.pages import PAGE_SIZE
from app.sync.pull.records import RecordKey
from app.sync.pull.writes import CursorPlan, PageResult, events_page, max_key, users_page

EVENT_WINDOW = timedelta(days=90)  # the default; ``PullPreferences.event_window_days`` decides
USERS_EVERY = timedelta(hours=24)
EVENT_CURSOR = "Event"
WINDOW_CURSOR = "Event.window"
USER_CURSOR = "User"


class RelatedPulls:
    """The org's active users and the meetings of the people in the workspace."""

    def __init__(self, ctx: PullContext) -> None:
        self.ctx = ctx

    @property
    def event_window(self) -> timedelta:
        return timedelta(days=self.ctx.prefs.event_window_days)

    async def pull_users(self, *, force: bool) -> None:
        cid = self.ctx.connection_id
        cursor = await self.ctx.db.run(lambda s: sync_state.get_cursor(s, cid, USER_CURSOR))
        if cursor is not None and not force and self.ctx.now() - cursor.updated_at < USERS_EVERY:
            return
        page = await self.ctx.client.query_page(q.active_users(), batch_size=PAGE_SIZE)
        seen: list[str] = []

        async def write(page: QueryPage, last: bool) -> PageResult:
            plan = CursorPlan(USER_CURSOR if last else None, phase="incremental")
            result = await self.ctx.db.run(users_page(cid, page.records, plan, active_ids=seen if last else None))
            seen.extend(result.seen_ids)
            self.ctx.tally.add("User.written", result.written)
            self.ctx.tally.add("User.deactivated", result.deleted)
            return result

        await self.ctx.walk(page, write)

    # ----------------------------------------------------------------------------------- events
    async def pull_events(self, *, full: bool) -> None:
        cid = self.ctx.connection_id
        now = self.ctx.now()
        window_size = self.event_window
        start, end = now - window_size, now + window_size

        def read(session: Any) -> tuple[CursorState | None, CursorState | None, list[str]]:
            return (sync_state.get_cursor(session, cid, EVENT_CURSOR),
                    sync_state.get_cursor(session, cid, WINDOW_CURSOR),
                    sync_state.picked_ids(session, cid) if self.ctx.prefs.pick_mode else [])

        cursor, window, picked = await self.ctx.db.run(read)
        if self.ctx.prefs.pick_mode:
            if full or cursor is None:
                newest = await self.events_for(picked, start, end)
                # No meeting seen: start the change feed a day back rather than trust this
                # computer's clock to agree with Salesforce's.
                await self._save_event_cursor(newest or RecordKey(now - timedelta(days=1), ""), end)
                return
        elif full or cursor is None or cursor.phase == "full" or cursor.last_modstamp is None:
            resume = key_of(cursor) if cursor is not None and cursor.phase == "full" and not full else None
            await self._events_window(start, end, resume)
            return
        assert cursor is not None
        since = (cursor.last_modstamp or now) - self.ctx.overlap
        old_end = window.last_modstamp if window and window.last_modstamp else end
        hwm = key_of(cursor)
        page = await self.ctx.client.query_page(q.events_changed(since, min(old_end, end), end),
                                                include_deleted=True, batch_size=PAGE_SIZE)

        async def write(page: QueryPage, last: bool) -> PageResult:
            nonlocal hwm
            result = await self.ctx.db.run(events_page(cid, page.records, CursorPlan(EVENT_CURSOR, floor=hwm)))
            hwm = max_key(hwm, result.last_key)
            self.ctx.tally.page("Event", result)
            return result

        await self.ctx.walk(page, write)
        await self._save_event_cursor(hwm, end, only_window=True)
        new_people = [i for i in self.ctx.tally.new_people if not self.ctx.prefs.pick_mode]
        if new_people:
            await self.events_for(new_people, start, end)

    async def _events_window(self, start: datetime, end: datetime, resume: RecordKey | None) -> None:
        cid = self.ctx.connection_id
        page = await self.ctx.client.query_page(q.events_in_window(start, end, resume=resume), batch_size=PAGE_SIZE)
        position, done, total = resume, 0, page.total_size

        async def write(page: QueryPage, last: bool) -> PageResult:
            nonlocal position, done
            done += len(page.records)
            plan = CursorPlan(EVENT_CURSOR, phase="incremental" if last else "full", floor=position)
            result = await self.ctx.db.run(events_page(cid, page.records, plan))
            position = result.last_key or position
            self.ctx.tally.page("Event", result)
            self.ctx.progress("Event", done, max(total, done), f"{done:,} of {max(total, done):,} meetings")
            return result

        self.ctx.progress("Event", 0, total or None, "Fetching meetings…")
        await self.ctx.walk(page, write)
        await self._save_event_cursor(position, end, only_window=True)

    async def events_for(self, people_ids: Sequence[str], start: datetime, end: datetime) -> RecordKey | None:
        """The meeting window of specific people (pick mode, people new to the workspace)."""
        step = q.IDS_PER_QUERY // 2  # the Ids appear twice (WhoId and WhatId)
        newest: RecordKey | None = None
        for first in range(0, len(people_ids), step):
            chunk = list(people_ids[first : first + step])
            page = await self.ctx.client.query_page(q.events_in_window(start, end, people_ids=chunk),
                                                    batch_size=PAGE_SIZE)

            async def write(page: QueryPage, last: bool) -> PageResult:
                nonlocal newest
                result = await self.ctx.db.run(events_page(self.ctx.connection_id, page.records, CursorPlan(None)))
                newest = max_key(newest, result.last_key)
                self.ctx.tally.page("Event", result)
                return result

            await self.ctx.walk(page, write)
        return newest

    async def _save_event_cursor(self, key: RecordKey | None, end: datetime, *, only_window: bool = False) -> None:
        cid = self.ctx.connection_id

        def save(session: Any) -> None:
            if not only_window:
                sync_state.save_cursor(session, cid, EVENT_CURSOR, phase="incremental",
                                       last_modstamp=key.modstamp if key else None,
                                       last_id=(key.sf_id or None) if key else None)
            sync_state.save_cursor(session, cid, WINDOW_CURSOR, phase="incremental", last_modstamp=end, last_id=None)

        await self.ctx.db.run(save)

