"""Meeting prep, offline: which clients' history the background sync fetches, and fetching it.

The clients with a meeting in the next ``window_days`` (7, 14 or 30; from the synced Events) and,
unless turned off, the clients the advisor owns.  They go to :class:`HistoryPuller` as one set, so
the cost is a handful of queries per few hundred clients, and only changes after the first time.
The preferences are one workspace setting per connection.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
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
from app.store import connections as connection_rows
from app.store import history as store
from app.store import settings as settings_repo
from app.store.sync_steps import SyncStep
from app.store.types import utcnow
from app.sync.pull.history import HistoryPuller, HistoryReport
from app.sync.pull.types import Outcome
from app.sync.push import preferences as push_preferences

log = logging.getLogger(__name__)

SETTING_KEY = "history_prefetch"
HISTORY_OBJECT = "history"  # the sync log's object for a prefetch run (its Type filter says "Client history")
WINDOWS = (7, 14, 30)


@dataclass(frozen=True)
class PrefetchPreferences:
    window_days: int = 14
    owned_clients: bool = True

    @classmethod
    def from_json(cls, values: Any) -> PrefetchPreferences:
        if not isinstance(values, dict):
            return cls()
        window = values.get("window_days")
        owned = values.get("owned_clients")
        return cls(window if window in WINDOWS else 14, owned if isinstance(owned, bool) else True)


async def load(db: Database, connection_id: int) -> PrefetchPreferences:
    return await db.run(lambda s: PrefetchPreferences.from_json(settings_repo.get(s, connection_id, SETTING_KEY)))


async def save(db: Database, connection_id: int, prefs: PrefetchPreferences) -> None:
    if prefs.window_days not in WINDOWS:
        raise ValueError("the meeting window is 7, 14 or 30 days")
    await db.run(lambda s: settings_repo.put(s, connection_id, SETTING_KEY, asdict(prefs)))


async def clients_to_prefetch(db: Database, connection_id: int, prefs: PrefetchPreferences,
                              now: datetime | None = None) -> list[str]:
    moment = now or utcnow()

    def read(session: Any) -> list[str]:
        row = connection_rows.get(session, connection_id)
        owner = row.user_id if row is not None and prefs.owned_clients else None
        return store.owned_and_meeting_clients(session, connection_id, owner_id=owner, meeting_from=moment,
                                               meeting_to=moment + timedelta(days=prefs.window_days))

    return await db.run(read)


async def prefetch(client: SalesforceClient, db: Database, connection_id: int, *,
                   reserve_fraction: float, prefs: PrefetchPreferences | None = None) -> HistoryReport:
    """Fetch (or bring up to date) the history of the clients meeting prep needs."""
    prefs = prefs or await load(db, connection_id)
    clients = await clients_to_prefetch(db, connection_id, prefs)
    if not clients:
        return HistoryReport()
    return await HistoryPuller(client, db, connection_id, reserve_fraction=reserve_fraction).fetch(clients)


async def prefetch_after_pull(client: SalesforceClient, db: Database, connection_id: int) -> HistoryReport:
    """The background sync's meeting-prep step: never raises (a failure waits for the next sync).

    Each run leaves one sync-log entry, the step ``SyncStep.PULL_HISTORY`` (object ``history``), so
    Settings → Sync steps shows when it last ran, for how many clients, and why it stopped."""
    log_id = await db.run(lambda s: sync_state.start_log(s, connection_id, "pull", HISTORY_OBJECT,
                                                         SyncStep.PULL_HISTORY))
    calls_before = client.api_calls
    outcome, code, report = Outcome.CANCELLED, None, HistoryReport(paused="The sync was stopped.")
    try:
        reserve = (await push_preferences.load(db, connection_id)).api_reserve_percent / 100
        report = await prefetch(client, db, connection_id, reserve_fraction=min(0.99, max(0.0, reserve)))
        outcome = Outcome.PARTIAL if report.paused else Outcome.OK
    except Exception as exc:  # offline, signed out, a bad answer: the timeline keeps what it has
        log.info("history prefetch stopped: %s", type(exc).__name__)
        outcome, reason = _stopped(exc)
        code = getattr(exc, "error_code", None) or "INTERNAL"
        report = HistoryReport(paused=f"The history of upcoming meetings could not be fetched this time: {reason}.",
                               api_calls=client.api_calls - calls_before)
    finally:
        counts = {"clients": report.clients, "written": report.written, "deleted": report.deleted,
                  "skipped": report.skipped}
        error = report.paused if outcome is not Outcome.OK else None
        try:
            await asyncio.shield(db.run(lambda s: sync_state.finish_log(
                s, log_id, outcome=outcome, api_calls=client.api_calls - calls_before,
                counts={k: v for k, v in counts.items() if v}, error_code=code if error else None,
                error_message=error)))
        except Exception:
            log.exception("could not record the history prefetch in the sync log")
    if report.clients or report.paused:
        log.info("history prefetch: %d clients, %d calls%s", report.clients, report.api_calls,
                 f" ({report.paused})" if report.paused else "")
    return report


def _stopped(exc: Exception) -> tuple[Outcome, str]:
    """How the prefetch ended when ``exc`` stopped it, and why, in the advisor's words."""
    if isinstance(exc, NetworkError | ServerUnavailable):
        return Outcome.OFFLINE, "Salesforce could not be reached"
    if isinstance(exc, SessionExpired | OAuthError):
        return Outcome.NEEDS_ATTENTION, "Salesforce needs you to sign in again"
    if isinstance(exc, ConcurrentLimitExceeded):
        return Outcome.BUSY, "Salesforce was busy with too many long requests in your org at once"
    if isinstance(exc, RestSessionRefused):
        return Outcome.SESSION_POLICY, "your org's settings for this app keep it from Salesforce's API"
    if isinstance(exc, RequestLimitExceeded):
        return Outcome.LIMIT, "your org has used its Salesforce API allowance for today"
    if isinstance(exc, SalesforceError):
        return Outcome.FAILED, f"Salesforce refused it ({exc.message})"
    return Outcome.FAILED, f"something went wrong in Notebridge ({type(exc).__name__})"
