"""Background pushing: wake on new work, probe when offline with backoff, resume by itself.

The loop sleeps until something can happen — an item is queued (:meth:`PushLoop.wake`), the
connection changes, the earliest waiting item's ``next_try_at`` comes, or (with auto-push on) a draft
has been left alone for the configured idle time.  It never polls in a tight loop:

* **offline** (no answer / 5xx): the next look is a free probe (``GET /services/data/``, which does not
  count against the API limit), after 0.5 s, 1 s, 2 s, 4 s … up to 5 minutes, with jitter.  The first
  look comes soon because most failed runs meet a blip (one 503, one lost answer) that is over by
  then — a 2 s start kept a restarted app still for 2 s after such a blip (the soak measured it);
  in a real outage the free probes double quickly, so the few extra ones cost nothing;
* **no answer in time** (the client's deadline ran out): the same backoff, reported to
  ``on_connectivity`` with the code ``DEADLINE_EXCEEDED`` so the status bar says "Salesforce isn't
  answering"; an uncertain create is looked up, never re-sent blindly (the push protocol);
* **API budget**: wait until the budget's recheck time;
* **signed out / not connected**: wait for :meth:`wake` (the connection manager calls it after a
  successful sign-in).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app.salesforce import urls
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import SalesforceError
from app.store import Database, WorkspaceBusyError, outbox_views
from app.store import outbox as outbox_repo
from app.store.kinds import ItemKind
from app.store.notes import NoteDraft
from app.store.outbox_views import OutboxCounts
from app.store.tasks import TaskDraft
from app.store.types import utcnow
from app.sync.progress import ProgressCallback, ignore_progress
from app.sync.push.budget import ApiBudget
from app.sync.push.engine import OFFLINE_REASON, SIGNED_OUT_REASON, PushEngine, PushReport, PushSettings
from app.sync.push.limits import draft_problems
from app.sync.push.status import LoopState, PushStatus
from app.wording import plural

log = logging.getLogger(__name__)

ClientFactory = Callable[[], Awaitable[SalesforceClient]]
# Told after every look whether Salesforce answered: None when it did, else the error code
# (NETWORK_ERROR, DEADLINE_EXCEEDED, …), so the connection status matches what the push saw.
ConnectivityCallback = Callable[[str | None], None]
BACKOFF_START = 0.5
BACKOFF_MAX = 300.0


@dataclass(frozen=True)
class LoopStatus:
    """What the status bar shows: counts plus what the loop is doing right now."""

    counts: OutboxCounts
    sending: int = 0
    state: LoopState = LoopState.IDLE
    reason: str = ""
    next_try_at: datetime | None = None

    @property
    def text(self) -> str:
        return status_text(self.counts, self.sending, self.state)


def status_text(counts: OutboxCounts, sending: int = 0, state: LoopState = LoopState.IDLE) -> str:
    """``"3 waiting · sending 2…"``; empty when there is nothing to say."""
    parts: list[str] = []
    waiting = counts.waiting + (counts.queued if state != LoopState.SENDING else 0)
    if waiting:
        parts.append(f"{waiting} waiting" + (" (offline)" if state == LoopState.OFFLINE else ""))
    if counts.needs_attention:
        parts.append(f"{counts.needs_attention} {plural(counts.needs_attention, 'needs', 'need')} attention")
    if sending:
        parts.append(f"sending {sending}…")
    return " · ".join(parts)


class PushLoop:
    def __init__(
        self, db: Database, connection_id: int, client_factory: ClientFactory,
        settings: PushSettings | None = None, *, auto_push_idle: float | None = None,
        on_status: Callable[[LoopStatus], None] | None = None, on_progress: ProgressCallback = ignore_progress,
        on_report: Callable[[PushReport], None] | None = None, backoff_start: float = BACKOFF_START,
        budget: ApiBudget | None = None, on_connectivity: ConnectivityCallback | None = None,
    ) -> None:
        self.db = db
        self.connection_id = connection_id
        self.client_factory = client_factory
        self.settings = settings or PushSettings()
        self.auto_push_idle = auto_push_idle
        self.on_status = on_status or (lambda _s: None)
        self.on_progress = on_progress
        self.on_report = on_report
        self.on_connectivity = on_connectivity or (lambda _code: None)
        self.budget = budget or ApiBudget(self.settings.reserve_fraction)
        self.backoff_start = backoff_start
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._backoff = backoff_start
        self._state = LoopState.IDLE
        self._reason = ""
        self._next_try: datetime | None = None
        self._pending_delay = backoff_start
        self.runs = 0
        self.probes = 0

    # -- lifecycle ------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._main(), name="push-loop")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self) -> None:
        """Something changed (an item queued, signed in again, back online): look now."""
        self._wake.set()

    # -- the loop -----------------------------------------------------------------------------------------
    async def _main(self) -> None:
        while True:
            try:
                delay = await self._once()
            except asyncio.CancelledError:
                raise
            except WorkspaceBusyError as exc:  # another Notebridge sends for this workspace: never both
                log.warning("push loop: not sending from this process: %s", exc)
                delay = 60.0
            except Exception:
                log.exception("push loop: unexpected error; retrying in a minute")
                delay = 60.0
            await self._sleep(delay)

    async def _sleep(self, delay: float | None) -> None:
        self._wake.clear()
        if delay is None:
            await self._wake.wait()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.05, delay))

    async def _once(self) -> float | None:
        """One look at the outbox.  Returns how long to sleep (None: until woken)."""
        self.db.claim_writer()  # the loop takes rows (offline, signed out): this process must be the writer
        now = utcnow()
        if self.auto_push_idle:
            await self._auto_push(now - timedelta(seconds=self.auto_push_idle))
        if not await self.db.run(lambda s: outbox_views.has_due(s, self.connection_id, now)):
            await self._publish(LoopState.IDLE)
            return await self._until_next_due(now)
        try:
            client = await self.client_factory()
        except SalesforceError as exc:
            return await self._offline_or_signed_out(exc)
        except Exception as exc:  # NotConnected / NeedsAttention from the connection manager
            await self._signed_out(getattr(exc, "reason", None) or str(exc) or SIGNED_OUT_REASON)
            return None
        if self._state == LoopState.OFFLINE and not await self._probe(client):
            delay = self._next_backoff()
            await self._postpone_offline(now + timedelta(seconds=delay))
            return delay
        await self._publish(LoopState.SENDING)
        # Items that fail for connectivity wait exactly as long as the loop's current backoff.
        self._pending_delay = self._backoff * random.uniform(0.8, 1.2)  # noqa: S311 - jitter
        settings = replace(self.settings, retry_after=timedelta(seconds=self._pending_delay))
        engine = PushEngine(client, self.db, self.connection_id, settings, on_progress=self.on_progress,
                            budget=self.budget)
        report = await engine.push()
        self.runs += 1
        if self.on_report is not None:
            self.on_report(report)
        return await self._after(report, now)

    async def _auto_push(self, edited_before: datetime) -> None:
        """Queue drafts left alone long enough — only complete ones (a half-written note without a
        title is not pushed just because its author went for coffee)."""
        drafts = await self.db.run(lambda s: outbox_views.idle_drafts(s, self.connection_id, edited_before))
        ready = [d for d in drafts if not draft_problems(d)]
        # Kinds turned off in Settings are not queued by themselves (an explicit push still queues them).
        notes = [d.id for d in ready if isinstance(d, NoteDraft)] if self.settings.push_notes else []
        tasks = [d.id for d in ready if isinstance(d, TaskDraft)] if self.settings.push_tasks else []
        if notes or tasks:
            await self.db.run(lambda s: (outbox_repo.enqueue_many(s, ItemKind.NOTE, notes),
                                         outbox_repo.enqueue_many(s, ItemKind.TASK, tasks)))

    async def _after(self, report: PushReport, now: datetime) -> float | None:
        if report.status != PushStatus.SIGNED_OUT:
            self.on_connectivity((report.error_code or "NETWORK_ERROR") if report.status == PushStatus.OFFLINE
                                 else None)
        if report.status == PushStatus.OFFLINE:
            await self._publish(LoopState.OFFLINE, report.reason, report.next_try_at)
            self._backoff = min(BACKOFF_MAX, self._backoff * 2)
            return self._pending_delay
        self._backoff = self.backoff_start
        if report.status == PushStatus.BUDGET:
            await self._publish(LoopState.BUDGET, report.reason, report.next_try_at)
            return _seconds_until(report.next_try_at, now) if report.next_try_at else 1800.0
        if report.status == PushStatus.BUSY:
            await self._publish(LoopState.BUSY, report.reason, report.next_try_at)
            return _seconds_until(report.next_try_at, now) if report.next_try_at else 60.0
        if report.status == PushStatus.SIGNED_OUT:
            await self._signed_out(report.reason)
            return None
        if report.status == PushStatus.SESSION_POLICY:  # only an admin's change helps: wait to be woken
            await self._signed_out(report.reason, state=LoopState.SESSION_POLICY, code=report.error_code)
            return None
        await self._publish(LoopState.IDLE)
        return 0.0 if await self.db.run(lambda s: outbox_views.has_due(s, self.connection_id, utcnow())) \
            else await self._until_next_due(utcnow())

    async def _probe(self, client: SalesforceClient) -> bool:
        """A free look at whether Salesforce answers (the versions list is not an API call)."""
        self.probes += 1
        try:
            await client.request("GET", urls.versions_endpoint(client.instance_url), counts=False)
        except SalesforceError as exc:
            self.on_connectivity(exc.error_code)
            return False
        self.on_connectivity(None)
        return True

    async def _postpone_offline(self, when: datetime) -> None:
        """The probe failed: every item waiting for the network now waits until the next probe."""
        due = await self.db.run(lambda s: outbox_repo.due(s, self.connection_id, when))
        ids = [w.outbox.id for w in due]
        if ids:
            await self.db.run(lambda s: outbox_repo.settle_waiting(
                s, ids, code="NETWORK_ERROR", reason=OFFLINE_REASON, next_try_at=when))

    def _next_backoff(self) -> float:
        delay = self._backoff * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
        self._backoff = min(BACKOFF_MAX, self._backoff * 2)
        return delay

    async def _offline_or_signed_out(self, exc: SalesforceError) -> float | None:
        """Only a refused sign-in signs out; anything else (a 5xx or unreadable answer from the token
        endpoint, a timeout) is waited out with backoff — the same refresh token works later."""
        from app.salesforce.errors import SessionExpired
        from app.salesforce.oauth_errors import OAuthError

        if not isinstance(exc, SessionExpired | OAuthError):
            self.on_connectivity(exc.error_code)
            await self._publish(LoopState.OFFLINE, str(exc))
            return self._next_backoff()
        await self._signed_out(str(exc))
        return None

    async def _signed_out(self, reason: str, *, state: LoopState = LoopState.SIGNED_OUT,
                          code: str | None = "SIGNED_OUT") -> None:
        """Every due item waits, with no retry time, until the loop is woken (a sign-in, a change)."""
        now = utcnow()
        due = await self.db.run(lambda s: outbox_repo.due(s, self.connection_id, now))
        ids = [w.outbox.id for w in due]
        if ids:
            await self.db.run(lambda s: outbox_repo.settle_waiting(
                s, ids, code=code or "SIGNED_OUT", reason=reason, next_try_at=None))
        await self._publish(state, reason)

    async def _until_next_due(self, now: datetime) -> float | None:
        when = await self.db.run(lambda s: outbox_views.next_due_at(s, self.connection_id))
        candidates = [_seconds_until(when, now)] if when else []
        if self.auto_push_idle:
            candidates.append(max(1.0, self.auto_push_idle / 2))
        return min(candidates) if candidates else None

    async def _publish(self, state: LoopState, reason: str = "", next_try: datetime | None = None) -> None:
        self._state, self._reason, self._next_try = state, reason, next_try
        counts = await self.db.run(lambda s: outbox_views.counts(s, self.connection_id))
        sending = counts.queued + counts.sending + counts.waiting if state == LoopState.SENDING else 0
        self.on_status(LoopStatus(counts, sending, state, reason, next_try))

    @property
    def state(self) -> LoopState:
        return self._state


def _seconds_until(when: datetime | None, now: datetime) -> float:
    if when is None:
        return 0.0
    return max(0.05, (when - now).total_seconds())
