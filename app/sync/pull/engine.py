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
  and resumes next time; ``REQUEST_LIMIT_EXCEEDED`` for the daily total stops at once, keeps the data,
  and the result says when the next try is (an hour); the org's concurrent long-request limit is not
  the allowance: the client retries it briefly, and if it persists the pull stops as ``BUSY`` and
  tries again in a minute; a session the app's policy keeps from the REST API stops as
  ``SESSION_POLICY`` (an admin must change the app); a malformed record is skipped and its Id logged.
* **Households** — where the org has AccountContactRelation (global describe), its rows too, so a
  person's household lists members whose Contact sits under another Account (``households``).
* **Preferences** — the contact sync toggle (off: people stay, stop updating) and pick mode (only
  records the advisor imported from a Salesforce search are kept up to date; see ``pull_pick``).

Every run writes one sync-log entry (start, end, counts, API calls, errors), the step
``SyncStep.PULL_CLIENTS``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    SESSION_POLICY_FIX,
    SESSION_POLICY_REASON,
    ConcurrentLimitExceeded,
    NetworkError,
    RequestLimitExceeded,
    RestSessionRefused,
    SalesforceError,
    ServerUnavailable,
    SessionExpired,
)
from app.salesforce.oauth_errors import OAuthError
from app.store import Database, sync_state
from app.store.sync_steps import SyncStep
from app.store.types import utcnow
from app.sync import picklists
from app.sync.gc_pause import collector_paused
from app.sync.progress import ProgressCallback, ignore_progress
from app.sync.pull.base import OVERLAP, PullContext, Tally
from app.sync.pull.filtered import FilteredPulls
from app.sync.pull.filters import FilterError
from app.sync.pull.households import HouseholdPulls
from app.sync.pull.pages import FETCH_AHEAD, PAGE_SIZE, PullCancelled
from app.sync.pull.people import PeoplePulls, PeopleSpec
from app.sync.pull.related import RelatedPulls
from app.sync.pull.types import Outcome, PullPreferences, PullResult
from app.wording import counted, plural

__all__ = ["OVERLAP", "PAGE_SIZE", "PeopleSpec", "PullCancelled", "PullEngine"]

log = logging.getLogger(__name__)

LIMIT_RETRY = timedelta(hours=1)  # the daily allowance is a rolling 24 h window
OFFLINE_RETRY = timedelta(minutes=5)
BUSY_RETRY = timedelta(minutes=1)  # long requests in the org finish within minutes


class _ApiExhausted(RequestLimitExceeded):
    pass


class PullEngine:
    """One org's pull: ``PullEngine(client, db, connection_id, preferences, on_progress=, cancel=)``.

    Build it per run or keep it; ``run()`` is not re-entrant (the scheduler makes sure only one
    pull runs at a time).  Composed, not inherited: one ``PullContext`` (what every part shares)
    and one part per job — filters, people, related records (users, meetings), households."""

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
        ctx = PullContext(client, db, connection_id, preferences, on_progress=on_progress, cancel=cancel,
                          now=now, overlap=overlap, fetch_ahead=fetch_ahead)
        self.ctx = ctx
        self._filters = FilteredPulls(ctx)
        self._people = PeoplePulls(ctx, self._filters)
        self._related = RelatedPulls(ctx)
        self._households = HouseholdPulls(ctx)

    @property
    def cancel(self) -> asyncio.Event:
        """Set it to stop the pull at the next page (the scheduler's and the wizard's Stop)."""
        return self.ctx.cancel

    # ------------------------------------------------------------------------------ entry point
    async def run(self, *, full: bool = False) -> PullResult:
        """Pull everything the preferences ask for.  ``full`` re-reads everything (and sweeps out
        what Salesforce no longer has); otherwise only changes since the last pull."""
        return await self._logged(self._run_all(full=full), ",".join(self.ctx.prefs.people_objects))

    async def import_picked(self, sf_ids: Sequence[str]) -> PullResult:
        """Pick mode: bring the chosen records (Contact/Lead/Account Ids) into the workspace, with
        their meetings, and remember them so later pulls keep exactly these up to date."""
        return await self._logged(self._import(list(dict.fromkeys(i for i in sf_ids if i))), "pick")

    async def _import(self, sf_ids: list[str]) -> str:
        self._check_budget()
        imported = await self._people.import_records(sf_ids)
        if imported and self.ctx.prefs.include_events:
            now = self.ctx.now()
            await self._related.events_for(imported, now - timedelta(days=self.ctx.prefs.event_window_days),
                                           now + timedelta(days=self.ctx.prefs.event_window_days))
        missing = len(sf_ids) - len(imported)
        if missing > 0:
            return f"{missing} of the chosen records could not be found in Salesforce any more."
        return f"Added {counted(len(imported), 'record')} to your workspace."

    async def _logged(self, work: Awaitable[str], what: str) -> PullResult:
        self.ctx.tally = Tally()
        cid = self.ctx.connection_id

        def begin(session: Any) -> int:
            sync_state.close_abandoned_logs(session, cid)
            return sync_state.start_log(session, cid, "pull", what, SyncStep.PULL_CLIENTS)

        log_id = await self.ctx.db.run(begin)
        calls_before = self.ctx.client.api_calls
        try:
            with collector_paused():
                result = await self._guarded(work)
        except BaseException as exc:  # a bug or a broken disk: still close the log entry
            crashed = PullResult(Outcome.FAILED, f"The sync failed unexpectedly ({type(exc).__name__}).",
                                 api_calls=self.ctx.client.api_calls - calls_before,
                                 counts=dict(self.ctx.tally.counts), error_code="INTERNAL")
            try:
                await self._finish_log(log_id, crashed)
            except Exception:
                log.exception("could not record the failed sync in the sync log")
            raise
        result = PullResult(
            outcome=result.outcome, message=result.message, api_calls=self.ctx.client.api_calls - calls_before,
            counts=dict(self.ctx.tally.counts), skipped=tuple(self.ctx.tally.skipped), retry_at=result.retry_at,
            error_code=result.error_code, log_id=log_id, api_usage=self.ctx.client.api_usage,
        )
        await self._finish_log(log_id, result)
        log.info("pull %s: %s, %d API calls, %s", what, result.outcome, result.api_calls, result.counts)
        return result

    async def _run_all(self, *, full: bool) -> str:
        self._check_budget()
        if self.ctx.prefs.contacts_enabled:
            if not self.ctx.prefs.pick_mode:
                await self._filters.prepare()
            for spec in await self._people.people_specs():
                await self._people.pull_people_mapped(spec, full=full)
            if self.ctx.prefs.include_households:  # where the org has AccountContactRelation
                await self._households.pull_account_relations(full=full)
        if self.ctx.prefs.include_users:
            await self._related.pull_users(force=full)
        if self.ctx.prefs.include_events:
            await self._related.pull_events(full=full)
        if self.ctx.prefs.include_task_picklists:
            await self._pull_task_picklists()
        if not self.ctx.prefs.contacts_enabled:
            return "Contact sync is off: the clients already in Notebridge are kept but not updated."
        return ""

    async def _guarded(self, work: Awaitable[str]) -> PullResult:
        """Turn the ways a pull can stop into a result the advisor can read."""
        now = self.ctx.now()
        try:
            note = await work
        except PullCancelled:
            return PullResult(Outcome.CANCELLED, "Sync stopped. Everything synced so far is kept.")
        except FilterError as exc:
            return PullResult(Outcome.FAILED, f"Your sync filter can't be used: {exc} Change it in Settings → Sync → "
                              "What to sync. Nothing was removed.")
        except ConcurrentLimitExceeded as exc:
            retry = now + BUSY_RETRY
            return PullResult(Outcome.BUSY,
                "Salesforce is busy: too many long requests are running in your org at once. This is not "
                f"your daily API allowance. Everything synced so far is kept; Notebridge tries again at "
                f"{_local_time(retry)}.", retry_at=retry, error_code=exc.error_code,
            )
        except RestSessionRefused as exc:
            return PullResult(Outcome.SESSION_POLICY, f"{SESSION_POLICY_REASON} {SESSION_POLICY_FIX}",
                              error_code=exc.error_code)
        except RequestLimitExceeded as exc:
            retry = now + LIMIT_RETRY
            return PullResult(Outcome.LIMIT,
                "Your org has used its Salesforce API allowance for today. Everything synced so far is "
                f"kept; Notebridge will try again at {_local_time(retry)}.",
                retry_at=retry, error_code=exc.error_code,
            )
        except (NetworkError, ServerUnavailable) as exc:
            retry = now + OFFLINE_RETRY
            return PullResult(Outcome.OFFLINE,
                f"Salesforce could not be reached ({exc.message}). Everything synced so far is kept; "
                f"the sync continues where it stopped at {_local_time(retry)}.",
                retry_at=retry, error_code=exc.error_code,
            )
        except (SessionExpired, OAuthError) as exc:
            return PullResult(Outcome.NEEDS_ATTENTION, f"Salesforce needs you to sign in again ({exc.message}).",
                error_code=exc.error_code,
            )
        except SalesforceError as exc:
            if exc.error_code == "INVALID_QUERY_LOCATOR":  # released or idle cursor, not a refusal
                retry = now + BUSY_RETRY
                return PullResult(Outcome.BUSY,
                    "Salesforce let go of its place in a long list part-way (it keeps only a few open per "
                    f"user). Everything synced so far is kept; the sync continues at {_local_time(retry)}.",
                    retry_at=retry, error_code=exc.error_code)
            return PullResult(Outcome.FAILED, f"Salesforce refused the sync: {exc.message}", error_code=exc.error_code)
        dropped = self.ctx.tally.counts.get("fields_dropped", 0)
        skipped = len(self.ctx.tally.skipped) - dropped
        if dropped:
            note = (note + " " if note else "") + (
                f"{counted(dropped, 'field')} you chose {plural(dropped, 'is', 'are')} no "
                "longer in Salesforce and left your field choices (see the sync log).")
        if skipped:
            note = (note + " " if note else "") + (
                f"{counted(skipped, 'record')} could not be read and "
                f"{plural(skipped, 'was', 'were')} skipped (see the sync log)."
            )
            return PullResult(Outcome.PARTIAL, note)
        if dropped:
            return PullResult(Outcome.PARTIAL, note)
        if not self.ctx.prefs.contacts_enabled:
            return PullResult(Outcome.OFF, note)
        return PullResult(Outcome.OK, note or "Up to date.")

    async def _finish_log(self, log_id: int, result: PullResult) -> None:
        ids = [s.sf_id for s in result.skipped if s.sf_id]

        def finish(session: Any) -> None:
            sync_state.finish_log(
                session, log_id, outcome=result.outcome, api_calls=result.api_calls, counts=result.counts,
                error_code=result.error_code,
                error_message=None if result.outcome in (Outcome.OK, Outcome.OFF) else result.message, record_ids=ids,
            )

        await asyncio.shield(self.ctx.db.run(finish))

    async def _pull_task_picklists(self) -> None:
        """Cache the org's Task Status/Priority values (and defaults) for the task editor.

        An org that refuses the objects (no access to ``TaskStatus``) keeps the old cache and the pull
        goes on; being offline, signed out or out of API calls stops the pull as anywhere else."""
        try:
            lists = await picklists.refresh(self.ctx.client, self.ctx.db, self.ctx.connection_id)
        except (NetworkError, ServerUnavailable, SessionExpired, RequestLimitExceeded, ConcurrentLimitExceeded,
                RestSessionRefused):
            raise
        except SalesforceError as exc:
            log.warning("task picklists not refreshed: %s", exc.error_code)
            return
        self.ctx.tally.add("TaskPicklist.values", len(lists.statuses) + len(lists.priorities))

    def _check_budget(self) -> None:
        usage = self.ctx.client.api_usage
        if usage is not None and usage[1] and usage[0] >= usage[1]:
            raise _ApiExhausted("The org's daily API allowance is used up.")



def _local_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M")
