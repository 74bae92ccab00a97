"""Sync down: people (Contacts or Accounts, optionally Leads), their meetings, and the org's users.

How a pull stays correct and cheap:

* **Full pull** — ``query … ORDER BY SystemModstamp, Id``, 2000 records a page.  Each page is
  written together with the cursor (query locator + the (SystemModstamp, Id) of its last record) in
  one transaction.  A crash or kill resumes at the last committed page: with the locator if
  Salesforce still has it, else with "records after (stamp, id)".  Nothing is skipped, nothing
  doubled (rows are upserted by Id anyway).  While page *n* is being written, page *n+1* is already
  on its way, so the network and the disk work at the same time.
* **Incremental pull** — ``queryAll … WHERE SystemModstamp >= last - overlap``.  ``queryAll``
  returns deleted records too (``IsDeleted = true``), so changes and deletions cost one call.  The
  overlap re-reads the last few minutes because a long Salesforce transaction can commit records
  stamped *before* the newest one we saw (``latestDateCovered`` in
  https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_getupdated_getupdatedresult.htm);
  equal timestamps are ordered by ``Id``.  Deleted records leave the recycle bin after 15 days
  (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm),
  so a workspace idle longer than that gets a full pull that also sweeps out records Salesforce no
  longer returns.
* **Meetings** — Events from 90 days back to 90 days ahead, kept when they belong to someone in the
  workspace.  Incrementally: changed events plus the slice the sliding window newly covers, in one
  query; people new to the workspace get their window fetched by Id.
* **Faults** — 401 → the client refreshes and replays; 5xx and dropped connections → the client
  retries with backoff, and if Salesforce stays away the pull stops with everything committed so far
  and resumes next time; ``REQUEST_LIMIT_EXCEEDED`` stops at once, keeps the data, and the result
  says when the next try is; a malformed record is skipped and its Id logged.
* **Preferences** — the contact sync toggle (off: people stay, stop updating) and pick mode (only
  records the advisor imported from a Salesforce search are kept up to date; see ``pull_pick``).

Every run writes one sync-log entry (start, end, counts, API calls, errors).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    InvalidQuery,
    NetworkError,
    NotFound,
    RequestLimitExceeded,
    SalesforceError,
    ServerUnavailable,
    SessionExpired,
)
from app.salesforce.oauth_errors import OAuthError
from app.salesforce.results import QueryPage
from app.store import Database, sync_state
from app.store.sync_state import CursorState
from app.store.types import utcnow
from app.sync import pull_queries as q
from app.sync import pull_records as rec
from app.sync.progress import ProgressCallback, SyncProgress, ignore_progress
from app.sync.pull_pages import FETCH_AHEAD, PAGE_SIZE, PageWalker, PullCancelled
from app.sync.pull_records import RecordKey, RowMapper
from app.sync.pull_types import PullPreferences, PullResult, SkippedRecord
from app.sync.pull_writes import CursorPlan, PageResult, events_page, max_key, people_page, users_page

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=5)
EVENT_WINDOW = timedelta(days=90)
USERS_EVERY = timedelta(hours=24)
STALE_AFTER = timedelta(days=14)  # a day's margin inside the recycle bin's 15 days
LIMIT_RETRY = timedelta(hours=1)  # the daily allowance is a rolling 24 h window
OFFLINE_RETRY = timedelta(minutes=5)
EVENT_CURSOR = "Event"
WINDOW_CURSOR = "Event.window"
USER_CURSOR = "User"


class _ApiExhausted(RequestLimitExceeded):
    pass


@dataclass(frozen=True)
class PeopleSpec:
    sobject: str
    label: str
    fields: tuple[str, ...]
    mapper: RowMapper
    mirror_accounts: bool = False

    def cursor_key(self, pick: bool, owner_id: str | None = None) -> str:
        """One position per way of choosing records: switching between all / mine / pick must
        start a fresh pull, not continue another selection's."""
        if pick:
            return f"{self.sobject}:pick"
        return f"{self.sobject}:mine:{owner_id}" if owner_id else self.sobject


@dataclass
class _Tally:
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


class PullEngine:
    """One org's pull.  Build it per run or keep it; ``run()`` is not re-entrant (the scheduler
    makes sure only one pull runs at a time)."""

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
        self._tally = _Tally()
        self._person_accounts: bool | None = None

    # ------------------------------------------------------------------------------ entry point
    async def run(self, *, full: bool = False) -> PullResult:
        """Pull everything the preferences ask for.  ``full`` re-reads everything (and sweeps out
        what Salesforce no longer has); otherwise only changes since the last pull."""
        return await self._logged(self._run_all(full=full), ",".join(self.prefs.people_objects))

    async def import_picked(self, sf_ids: Sequence[str]) -> PullResult:
        """Pick mode: bring the chosen records (Contact/Lead/Account Ids) into the workspace, with
        their meetings, and remember them so later pulls keep exactly these up to date."""
        return await self._logged(self._import(list(dict.fromkeys(i for i in sf_ids if i))), "pick")

    async def _logged(self, work: Awaitable[str], what: str) -> PullResult:
        self._tally = _Tally()
        cid = self.connection_id

        def begin(session: Any) -> int:
            sync_state.close_abandoned_logs(session, cid)
            return sync_state.start_log(session, cid, "pull", what)

        log_id = await self.db.run(begin)
        calls_before = self.client.api_calls
        try:
            result = await self._guarded(work)
        except BaseException as exc:  # a bug or a broken disk: still close the log entry
            crashed = PullResult("failed", f"The sync failed unexpectedly ({type(exc).__name__}).",
                                 api_calls=self.client.api_calls - calls_before,
                                 counts=dict(self._tally.counts), error_code="INTERNAL")
            try:
                await self._finish_log(log_id, crashed)
            except Exception:
                log.exception("could not record the failed sync in the sync log")
            raise
        result = PullResult(
            outcome=result.outcome, message=result.message, api_calls=self.client.api_calls - calls_before,
            counts=dict(self._tally.counts), skipped=tuple(self._tally.skipped), retry_at=result.retry_at,
            error_code=result.error_code, log_id=log_id, api_usage=self.client.api_usage,
        )
        await self._finish_log(log_id, result)
        log.info("pull %s: %s, %d API calls, %s", what, result.outcome, result.api_calls, result.counts)
        return result

    async def _import(self, sf_ids: list[str]) -> str:
        self._check_budget()
        cid = self.connection_id
        specs = {spec.sobject: spec for spec in await self._people_specs(all_objects=True)}
        imported: list[str] = []
        for sobject, spec in specs.items():
            wanted = [i for i in sf_ids if _is_type(i, sobject)]
            for start in range(0, len(wanted), q.IDS_PER_QUERY):
                chunk = wanted[start : start + q.IDS_PER_QUERY]
                page = await self.client.query_page(q.people(sobject, spec.fields, sf_ids=chunk),
                                                    batch_size=PAGE_SIZE)

                async def write(page: QueryPage, last: bool, spec: PeopleSpec = spec) -> PageResult:
                    result = await self.db.run(people_page(
                        cid, spec.sobject, page.records, spec.mapper, CursorPlan(None),
                        mirror_accounts=spec.mirror_accounts, picked=[r.get("Id") for r in page.records
                                                                      if isinstance(r.get("Id"), str)]))
                    imported.extend(result.seen_ids)
                    self._tally.page(spec.sobject, result)
                    return result

                await self._walk(page, write)
        if imported and self.prefs.include_events:
            now = self.now()
            await self._events_for(imported, now - EVENT_WINDOW, now + EVENT_WINDOW)
        missing = len(sf_ids) - len(imported)
        if missing > 0:
            return f"{missing} of the chosen records could not be found in Salesforce any more."
        return f"Added {len(imported)} record{'s' if len(imported) != 1 else ''} to your workspace."

    async def _run_all(self, *, full: bool) -> str:
        self._check_budget()
        if self.prefs.contacts_enabled:
            for spec in await self._people_specs():
                await self._pull_people(spec, full=full)
        if self.prefs.include_users:
            await self._pull_users(force=full)
        if self.prefs.include_events:
            await self._pull_events(full=full)
        if not self.prefs.contacts_enabled:
            return "Contact sync is off: the clients already in Notebridge are kept but not updated."
        return ""

    async def _guarded(self, work: Awaitable[str]) -> PullResult:
        """Turn the ways a pull can stop into a result the advisor can read."""
        now = self.now()
        try:
            note = await work
        except PullCancelled:
            return PullResult("cancelled", "Sync stopped. Everything synced so far is kept.")
        except RequestLimitExceeded as exc:
            retry = now + LIMIT_RETRY
            return PullResult(
                "limit",
                "Your org has used its Salesforce API allowance for today. Everything synced so far is "
                f"kept; Notebridge will try again at {_local_time(retry)}.",
                retry_at=retry, error_code=exc.error_code,
            )
        except (NetworkError, ServerUnavailable) as exc:
            retry = now + OFFLINE_RETRY
            return PullResult(
                "offline",
                f"Salesforce could not be reached ({exc.message}). Everything synced so far is kept; "
                f"the sync continues where it stopped at {_local_time(retry)}.",
                retry_at=retry, error_code=exc.error_code,
            )
        except (SessionExpired, OAuthError) as exc:
            return PullResult(
                "needs_attention", f"Salesforce needs you to sign in again ({exc.message}).",
                error_code=exc.error_code,
            )
        except SalesforceError as exc:
            return PullResult("failed", f"Salesforce refused the sync: {exc.message}", error_code=exc.error_code)
        skipped = len(self._tally.skipped)
        if skipped:
            note = (note + " " if note else "") + (
                f"{skipped} record{'s' if skipped != 1 else ''} could not be read and "
                f"{'were' if skipped != 1 else 'was'} skipped (see the sync log)."
            )
            return PullResult("partial", note)
        if not self.prefs.contacts_enabled:
            return PullResult("off", note)
        return PullResult("ok", note or "Up to date.")

    async def _finish_log(self, log_id: int, result: PullResult) -> None:
        ids = [s.sf_id for s in result.skipped if s.sf_id]

        def finish(session: Any) -> None:
            sync_state.finish_log(
                session, log_id, outcome=result.outcome, api_calls=result.api_calls, counts=result.counts,
                error_code=result.error_code,
                error_message=None if result.outcome in ("ok", "off") else result.message, record_ids=ids,
            )

        await asyncio.shield(self.db.run(finish))

    def _check_budget(self) -> None:
        usage = self.client.api_usage
        if usage is not None and usage[1] and usage[0] >= usage[1]:
            raise _ApiExhausted("The org's daily API allowance is used up.")

    # ----------------------------------------------------------------------------------- people
    async def _people_specs(self, *, all_objects: bool = False) -> list[PeopleSpec]:
        """The objects to pull (``all_objects``: every kind pick mode can import)."""
        specs = []
        if self.prefs.client_object == "Account":
            fields = q.ACCOUNT_FIELDS
            if await self._has_person_accounts():
                fields = (*fields, *q.PERSON_ACCOUNT_FIELDS)
            specs.append(PeopleSpec("Account", "households", fields, rec.account_person_row, mirror_accounts=True))
        else:
            specs.append(PeopleSpec("Contact", "contacts", q.CONTACT_FIELDS, rec.contact_row))
        if self.prefs.include_leads or all_objects:
            specs.append(PeopleSpec("Lead", "leads", q.LEAD_FIELDS, rec.lead_row))
        return specs

    async def _has_person_accounts(self) -> bool:
        if self._person_accounts is None:
            describe = await self.client.describe("Account")  # cached by the client
            names = {f.get("name") for f in describe.get("fields", []) if isinstance(f, dict)}
            self._person_accounts = "IsPersonAccount" in names
        return self._person_accounts

    async def _pull_people(self, spec: PeopleSpec, *, full: bool) -> None:
        if self.prefs.pick_mode:
            await self._pull_picked(spec, full=full)
            return
        key = spec.cursor_key(False, self.prefs.owner_id)
        cursor = await self.db.run(lambda s: sync_state.get_cursor(s, self.connection_id, key))
        stale = (
            cursor is not None and cursor.phase == "incremental" and cursor.last_modstamp is not None
            and self.now() - cursor.updated_at > STALE_AFTER
        )
        if cursor is not None and cursor.phase == "full" and not full:
            await self._full_people(spec, resume=cursor)
        elif full or cursor is None or stale:
            await self._full_people(spec, resume=None)
        else:
            await self._incremental_people(spec, cursor)

    async def _full_people(self, spec: PeopleSpec, *, resume: CursorState | None) -> None:
        cid, key = self.connection_id, spec.cursor_key(False, self.prefs.owner_id)
        started_key = f"{key}#started"
        if resume is None:
            started = self.now()

            def mark(session: Any) -> None:
                sync_state.save_cursor(session, cid, started_key, phase="full", last_modstamp=started, last_id=None)
                sync_state.save_cursor(session, cid, key, phase="full", last_modstamp=None, last_id=None)

            await self.db.run(mark)
            position, done = None, 0
            page = await self.client.query_page(q.people(spec.sobject, spec.fields, owner_id=self.prefs.owner_id),
                                                batch_size=PAGE_SIZE)
            total = page.total_size
        else:
            marker = await self.db.run(lambda s: sync_state.get_cursor(s, cid, started_key))
            started = marker.last_modstamp if marker and marker.last_modstamp else None
            position = _key_of(resume)
            done = resume.record_offset or 0
            page, total = await self._resume_page(spec, resume, position, done)
            log.info("resuming the full %s pull after %d records", spec.sobject, done)

        async def write(page: QueryPage, last: bool) -> PageResult:
            nonlocal position, done
            done += len(page.records)
            plan = CursorPlan(
                key, phase="incremental" if last else "full", floor=position,
                next_records_url=None if last else page.next_records_url,
                record_offset=None if last else done,
                sweep_source=spec.sobject if last and started else None, sweep_since=started if last else None,
                drop_keys=(started_key,) if last else (),
            )
            result = await self.db.run(people_page(
                cid, spec.sobject, page.records, spec.mapper, plan, mirror_accounts=spec.mirror_accounts))
            position = result.last_key or position
            self._tally.page(spec.sobject, result)
            self._progress(spec.sobject, done, max(total, done), f"{done:,} of {max(total, done):,} {spec.label}")
            return result

        self._progress(spec.sobject, done, total or None, f"Fetching {spec.label}…")
        await self._walk(page, write)

    async def _resume_page(
        self, spec: PeopleSpec, cursor: CursorState, position: RecordKey | None, done: int
    ) -> tuple[QueryPage, int]:
        """Continue a full pull: the saved query locator if Salesforce still has it, else a fresh
        query for the records after the last committed one."""
        if cursor.next_records_url:
            try:
                page = await self.client.query_more(cursor.next_records_url, batch_size=PAGE_SIZE)
                return page, page.total_size
            except (InvalidQuery, NotFound, ValueError) as exc:
                log.info("query locator expired (%s); resuming by position", getattr(exc, "error_code", exc))
        page = await self.client.query_page(q.people(spec.sobject, spec.fields, resume=position,
                                                     owner_id=self.prefs.owner_id),
                                            batch_size=PAGE_SIZE)
        return page, done + page.total_size

    async def _incremental_people(self, spec: PeopleSpec, cursor: CursorState) -> None:
        cid, key = self.connection_id, spec.cursor_key(False, self.prefs.owner_id)
        hwm = _key_of(cursor)
        since = cursor.last_modstamp - self.overlap if cursor.last_modstamp else None
        soql = q.people(spec.sobject, spec.fields, since=since, owner_id=self.prefs.owner_id)
        page = await self.client.query_page(soql, include_deleted=True, batch_size=PAGE_SIZE)
        total, done = page.total_size, 0

        async def write(page: QueryPage, last: bool) -> PageResult:
            nonlocal hwm, done
            done += len(page.records)
            plan = CursorPlan(key, phase="incremental", floor=hwm)
            result = await self.db.run(people_page(
                cid, spec.sobject, page.records, spec.mapper, plan, mirror_accounts=spec.mirror_accounts,
                detect_new=True))
            hwm = max_key(hwm, result.last_key)
            self._tally.page(spec.sobject, result)
            self._progress(spec.sobject, done, max(total, done), f"{done:,} changed {spec.label}")
            return result

        await self._walk(page, write)

    async def _pull_picked(self, spec: PeopleSpec, *, full: bool) -> None:
        """Pick mode: only the imported records, by Id.  ``queryAll`` so deletions show up."""
        cid, key = self.connection_id, spec.cursor_key(True)

        def read(session: Any) -> tuple[CursorState | None, list[str]]:
            return sync_state.get_cursor(session, cid, key), sync_state.picked_ids(session, cid)

        cursor, picked = await self.db.run(read)
        wanted = [i for i in picked if _is_type(i, spec.sobject)]
        if not wanted:
            return
        hwm = _key_of(cursor) if cursor else None
        since = None if full or cursor is None or cursor.last_modstamp is None else cursor.last_modstamp - self.overlap
        newest = hwm
        for start in range(0, len(wanted), q.IDS_PER_QUERY):
            chunk = wanted[start : start + q.IDS_PER_QUERY]
            soql = q.people(spec.sobject, spec.fields, since=since, sf_ids=chunk)
            page = await self.client.query_page(soql, include_deleted=True, batch_size=PAGE_SIZE)

            async def write(page: QueryPage, last: bool) -> PageResult:
                nonlocal newest
                result = await self.db.run(people_page(
                    cid, spec.sobject, page.records, spec.mapper, CursorPlan(None),
                    mirror_accounts=spec.mirror_accounts))
                newest = max_key(newest, result.last_key)
                self._tally.page(spec.sobject, result)
                return result

            await self._walk(page, write)
        # The position moves only once every chunk is in: chunks interleave in time.
        await self.db.run(lambda s: sync_state.save_cursor(
            s, cid, key, phase="incremental", last_modstamp=newest.modstamp if newest else None,
            last_id=newest.sf_id if newest else None))

    # ------------------------------------------------------------------------------------ users
    async def _pull_users(self, *, force: bool) -> None:
        cid = self.connection_id
        cursor = await self.db.run(lambda s: sync_state.get_cursor(s, cid, USER_CURSOR))
        if cursor is not None and not force and self.now() - cursor.updated_at < USERS_EVERY:
            return
        page = await self.client.query_page(q.active_users(), batch_size=PAGE_SIZE)
        seen: list[str] = []

        async def write(page: QueryPage, last: bool) -> PageResult:
            plan = CursorPlan(USER_CURSOR if last else None, phase="incremental")
            result = await self.db.run(users_page(cid, page.records, plan, active_ids=seen if last else None))
            seen.extend(result.seen_ids)
            self._tally.add("User.written", result.written)
            self._tally.add("User.deactivated", result.deleted)
            return result

        await self._walk(page, write)

    # ----------------------------------------------------------------------------------- events
    async def _pull_events(self, *, full: bool) -> None:
        cid = self.connection_id
        now = self.now()
        start, end = now - EVENT_WINDOW, now + EVENT_WINDOW

        def read(session: Any) -> tuple[CursorState | None, CursorState | None, list[str]]:
            return (sync_state.get_cursor(session, cid, EVENT_CURSOR),
                    sync_state.get_cursor(session, cid, WINDOW_CURSOR),
                    sync_state.picked_ids(session, cid) if self.prefs.pick_mode else [])

        cursor, window, picked = await self.db.run(read)
        if self.prefs.pick_mode:
            if full or cursor is None:
                newest = await self._events_for(picked, start, end)
                # No meeting seen: start the change feed a day back rather than trust this
                # computer's clock to agree with Salesforce's.
                await self._save_event_cursor(newest or RecordKey(now - timedelta(days=1), ""), end)
                return
        elif full or cursor is None or cursor.phase == "full" or cursor.last_modstamp is None:
            resume = _key_of(cursor) if cursor is not None and cursor.phase == "full" and not full else None
            await self._events_window(start, end, resume)
            return
        assert cursor is not None
        since = (cursor.last_modstamp or now) - self.overlap
        old_end = window.last_modstamp if window and window.last_modstamp else end
        hwm = _key_of(cursor)
        page = await self.client.query_page(q.events_changed(since, min(old_end, end), end),
                                            include_deleted=True, batch_size=PAGE_SIZE)

        async def write(page: QueryPage, last: bool) -> PageResult:
            nonlocal hwm
            result = await self.db.run(events_page(cid, page.records, CursorPlan(EVENT_CURSOR, floor=hwm)))
            hwm = max_key(hwm, result.last_key)
            self._tally.page("Event", result)
            return result

        await self._walk(page, write)
        await self._save_event_cursor(hwm, end, only_window=True)
        new_people = [i for i in self._tally.new_people if not self.prefs.pick_mode]
        if new_people:
            await self._events_for(new_people, start, end)

    async def _events_window(self, start: datetime, end: datetime, resume: RecordKey | None) -> None:
        cid = self.connection_id
        page = await self.client.query_page(q.events_in_window(start, end, resume=resume), batch_size=PAGE_SIZE)
        position, done, total = resume, 0, page.total_size

        async def write(page: QueryPage, last: bool) -> PageResult:
            nonlocal position, done
            done += len(page.records)
            plan = CursorPlan(EVENT_CURSOR, phase="incremental" if last else "full", floor=position)
            result = await self.db.run(events_page(cid, page.records, plan))
            position = result.last_key or position
            self._tally.page("Event", result)
            self._progress("Event", done, max(total, done), f"{done:,} of {max(total, done):,} meetings")
            return result

        self._progress("Event", 0, total or None, "Fetching meetings…")
        await self._walk(page, write)
        await self._save_event_cursor(position, end, only_window=True)

    async def _events_for(self, people_ids: Sequence[str], start: datetime, end: datetime) -> RecordKey | None:
        """The meeting window of specific people (pick mode, people new to the workspace)."""
        step = q.IDS_PER_QUERY // 2  # the Ids appear twice (WhoId and WhatId)
        newest: RecordKey | None = None
        for first in range(0, len(people_ids), step):
            chunk = list(people_ids[first : first + step])
            page = await self.client.query_page(q.events_in_window(start, end, people_ids=chunk),
                                                batch_size=PAGE_SIZE)

            async def write(page: QueryPage, last: bool) -> PageResult:
                nonlocal newest
                result = await self.db.run(events_page(self.connection_id, page.records, CursorPlan(None)))
                newest = max_key(newest, result.last_key)
                self._tally.page("Event", result)
                return result

            await self._walk(page, write)
        return newest

    async def _save_event_cursor(self, key: RecordKey | None, end: datetime, *, only_window: bool = False) -> None:
        cid = self.connection_id

        def save(session: Any) -> None:
            if not only_window:
                sync_state.save_cursor(session, cid, EVENT_CURSOR, phase="incremental",
                                       last_modstamp=key.modstamp if key else None,
                                       last_id=(key.sf_id or None) if key else None)
            sync_state.save_cursor(session, cid, WINDOW_CURSOR, phase="incremental", last_modstamp=end, last_id=None)

        await self.db.run(save)

    # ----------------------------------------------------------------------------------- paging
    async def _walk(self, page: QueryPage, write: Callable[[QueryPage, bool], Awaitable[PageResult]]) -> None:
        await PageWalker(self.client, self.cancel, fetch_ahead=self.fetch_ahead).walk(page, write)

    def _progress(self, sobject: str, done: int, total: int | None, message: str) -> None:
        try:
            self.on_progress(SyncProgress("pull", sobject, done, total, self.client.api_calls, message))
        except Exception:  # a progress listener must never break the sync
            log.exception("progress listener failed")


def _key_of(cursor: CursorState | None) -> RecordKey | None:
    if cursor is None or cursor.last_modstamp is None or not cursor.last_id:
        return None
    return RecordKey(cursor.last_modstamp, cursor.last_id)


_PREFIXES = {"Contact": "003", "Lead": "00Q", "Account": "001"}


def _is_type(sf_id: str, sobject: str) -> bool:
    return sf_id[:3] == _PREFIXES.get(sobject, "")


def _local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")
