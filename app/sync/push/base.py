"""The push engine's foundations: settings, the report, and how outcomes are recorded.

Split out of :mod:`app.sync.push.engine` (the run and its grouping) and :mod:`app.sync.push.senders` (the
requests): this module settles items — in one transaction per request (:meth:`_flush`) — looks up
lost creates, re-targets converted leads, and turns whole-request failures into a stop of the run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    ErrorDetail,
    NetworkError,
    OutcomeUnknown,
    RequestLimitExceeded,
    SalesforceError,
    ServerUnavailable,
    SessionExpired,
    UnreadableResponse,
)
from app.salesforce.oauth_errors import OAuthError
from app.salesforce.response_check import in_short
from app.store import Database, outbox_bulk
from app.store import outbox as outbox_repo
from app.store import outbox_decisions as decisions
from app.store import tasks as tasks_repo
from app.store.outbox import PushWork
from app.store.types import utcnow
from app.sync.progress import ProgressCallback, SyncProgress, ignore_progress
from app.sync.push import mapping as push_mapping
from app.sync.push.budget import DEFAULT_RESERVE_FRACTION, ApiBudget
from app.sync.push.errors import classify
from app.sync.push.reconcile import SentCreate, find_created

log = logging.getLogger(__name__)
T = TypeVar("T")

BATCH = 200
OFFLINE_REASON = "Salesforce can't be reached (offline?). Notebridge keeps trying and sends these by itself."
SIGNED_OUT_REASON = "Salesforce signed Notebridge out. Sign in again in Settings; your notes wait here."
UNREADABLE_REASON = ("Salesforce's answer could not be read ({what}). Nothing is lost or sent twice; "
                     "Notebridge tries again by itself.")


@dataclass(frozen=True)
class PushSettings:
    note_type: str | None = None            # None: the connection's preference
    reserve_fraction: float = DEFAULT_RESERVE_FRACTION
    task_key_field: str | None = None       # an external-ID text field on Task for the outbox key
    batch_size: int = BATCH
    composite_max_notes: int = 12           # 2 subrequests per note, ≤ 25 per Composite call
    retry_after: timedelta = timedelta(seconds=30)
    # How long after ``sent_at`` a lookup that finds nothing proves nothing was created: a request
    # whose sender died or gave up may still be running in Salesforce and commit a moment later.
    reconcile_settle: timedelta = timedelta(seconds=2)
    # The advisor's choices in Settings → Sending (app.sync.push.preferences; applied by engine_settings).
    push_notes: bool = True                 # off: notes wait in the Outbox ("turned off in Settings")
    push_tasks: bool = True
    meeting_summaries: bool = True          # off: Client-tagged meeting notes go as ordinary notes
    attach_to: str | None = None            # None = as drafted; "contact" | "account" | "both"
    note_title_template: str = "{title}"
    task_title_template: str = "{subject}"
    new_people_as: str = "Contact"          # people added in Notebridge: "Contact" (+ Account) or "Lead"
    lead_source: str = "Notebridge"


@dataclass
class PushReport:
    status: str = "done"  # done | nothing | offline | budget | signed_out | cancelled
    pushed: int = 0
    needs_attention: int = 0
    waiting: int = 0
    reconciled: int = 0
    retargeted: int = 0
    conflicts: int = 0
    api_calls: int = 0
    reason: str = ""
    next_try_at: datetime | None = None
    notices: list[str] = field(default_factory=list)


class StopRun(Exception):
    def __init__(self, status: str, code: str, reason: str, retry_at: datetime | None) -> None:
        super().__init__(reason)
        self.status, self.code, self.reason, self.retry_at = status, code, reason, retry_at


@dataclass
class _Sent:
    work: PushWork
    record: dict[str, Any]
    fp: str
    parent: str | None = None



class EngineBase:
    """State and settling shared by the engine's parts (see :class:`app.sync.push.engine.PushEngine`)."""

    def __init__(
        self, client: SalesforceClient, db: Database, connection_id: int, settings: PushSettings | None = None,
        *, on_progress: ProgressCallback = ignore_progress, budget: ApiBudget | None = None,
    ) -> None:
        self.client = client
        self.db = db
        self.connection_id = connection_id
        self.settings = settings or PushSettings()
        self.on_progress = on_progress
        self.budget = budget or ApiBudget(self.settings.reserve_fraction)
        self._open: dict[int, PushWork] = {}
        self._ops: list[Callable[[Any], object]] = []
        self._created_rows: list[tuple[int, str, str | None]] = []
        self._pushed_rows: list[outbox_bulk.Pushed] = []
        self._report = PushReport()
        self._user_id = ""
        self._note_type = "ContentNote"
        self._done = 0
        self._total = 0


    # -- lost responses -------------------------------------------------------------------------------
    async def _reconcile(self, sent: list[_Sent]) -> list[int]:
        """Look up creates whose response was lost; settle the ones Salesforce has, free the rest."""
        now = utcnow()
        recorded = [
            SentCreate(s.work.outbox.id, s.work.outbox.key, s.work.outbox.sent_at or now, s.record)
            for s in sent if s.record
        ]
        await self._spend(len({r.sobject for r in recorded}) or 1)

        found: dict[int, str | None] = {}

        async def claimed(ids: list[str]) -> set[str]:
            # Ids matched by this call's first lookup are not written yet: never hand them out twice.
            mine = {v for v in found.values() if v}
            return mine | await self.db.run(lambda s: outbox_repo.claimed_remote_ids(s, self.connection_id, ids))

        works = [s.work for s in sent]
        found.update(await self._call(find_created(
            self.client, recorded, user_id=self._user_id, claimed=claimed,
            task_key_field=self.settings.task_key_field), works))
        # "Not found" is only an answer once the original request can no longer be running: Salesforce
        # finishes a request whose client was killed or timed out, so a lookup in that window misses the
        # record and re-sending it would duplicate it.  Wait out the rest of the window, then look again.
        settle = self.settings.reconcile_settle
        young = [r for r in recorded if found.get(r.outbox_id) is None and r.sent_at + settle > utcnow()]
        if young:
            await asyncio.sleep((max(r.sent_at for r in young) + settle - utcnow()).total_seconds())
            await self._spend(len({r.sobject for r in young}))
            found.update(await self._call(find_created(
                self.client, young, user_id=self._user_id, claimed=claimed,
                task_key_field=self.settings.task_key_field), works))
        retry: list[int] = []
        for s in sent:
            remote_id = found.get(s.work.outbox.id)
            sobject = str(s.record.get("attributes", {}).get("type", ""))
            if remote_id:
                self._report.reconciled += 1
                if sobject == "ContentNote":
                    await self._created(s, remote_id)
                    retry.append(s.work.outbox.id)  # still needs its link
                else:
                    self._remember_held(s.work, s.record)
                    await self._pushed(s.work, remote_id, sobject, s.fp, check_edit=True)
            else:
                self._ops.append(partial(outbox_repo.clear_unknown, outbox_id=s.work.outbox.id))
                retry.append(s.work.outbox.id)
        await self._flush()
        log.info("reconciled %d lost create(s): %d found in Salesforce", len(sent),
                 sum(1 for s in sent if found.get(s.work.outbox.id)))
        return retry

    # -- settling ---------------------------------------------------------------------------------------
    async def _mark_sending(self, sent: list[_Sent]) -> None:
        entries = [(s.work.outbox.id, {"record": s.record, "parent": s.parent}) for s in sent]
        await self.db.run(lambda ses: outbox_bulk.mark_sending(ses, entries))

    async def _flush(self) -> None:
        """Write the settled outcomes of the last request in one transaction (one fsync, not 200).

        Safe to lose in a crash: the items are still "sending" with their payload recorded, so the
        next run reconciles them instead of sending them again."""
        if self._ops or self._created_rows or self._pushed_rows:
            ops, self._ops = self._ops, []
            created, self._created_rows = self._created_rows, []
            pushed, self._pushed_rows = self._pushed_rows, []

            def write(session: Any) -> None:
                outbox_bulk.record_created_many(session, created)
                outbox_bulk.settle_pushed_many(session, pushed)
                for op in ops:
                    op(session)

            await self.db.run(write)

    async def _created(self, s: _Sent, remote_id: str) -> None:
        self._created_rows.append((s.work.outbox.id, remote_id, s.fp))

    async def _pushed(self, w: PushWork, remote_id: str, remote_type: str, fp: str | None,
                      link_id: str | None = None, *, check_edit: bool = False) -> None:
        edited = check_edit and fp is not None and self._current_fp(w, remote_type) not in (None, fp)
        built_from = w.item.updated_at
        self._pushed_rows.append(outbox_bulk.Pushed(w.outbox.id, remote_id, remote_type, fp, built_from, link_id,
                                                    edited))
        self._open.pop(w.outbox.id, None)
        self._report.pushed += 1
        self._done += 1

    def _remember_held(self, w: PushWork, held: dict[str, Any]) -> None:
        """A pushed task's draft learns what Salesforce now holds (``held``: the Task's fields) for
        Status, Priority and assignee where it had none — the org's defaults we filled in on create,
        Salesforce's own values kept on update — so the editor shows them, not a stand-in that the
        next save would send (:func:`app.store.tasks.fill_unset`)."""
        task = w.task
        if task is None or (task.status and task.priority and task.owner_id):
            return
        values = {"status": held.get("Status"), "priority": held.get("Priority"), "owner_id": held.get("OwnerId")}
        self._ops.append(lambda s: tasks_repo.fill_unset(s, task.id, **values))

    def _current_fp(self, w: PushWork, remote_type: str) -> str | None:
        """Fingerprint of the draft as this run saw it (to tell whether it was edited after sending)."""
        if w.task is not None:
            return None  # tasks: the updated_at comparison in the store is exact enough
        assert w.note is not None
        if remote_type == "ContentNote":
            return push_mapping.sent_fingerprint(push_mapping.content_note_record(w.note))
        if remote_type == "Note" and w.note.parent_sf_id:
            return push_mapping.sent_fingerprint(push_mapping.classic_note_record(w.note, w.note.parent_sf_id))
        return None

    async def _failed(self, w: PushWork, code: str, message: str, hint: str, conflict: Any = None) -> None:
        self._ops.append(lambda s: outbox_repo.settle_failed(
            s, w.outbox.id, code=code, message=message, hint=hint, conflict=conflict))
        self._open.pop(w.outbox.id, None)
        self._report.needs_attention += 1
        self._done += 1

    async def _item_failed(self, w: PushWork, errors: list[ErrorDetail]) -> list[int]:
        outcome = classify(errors, what="task" if w.task is not None else "note")
        if outcome.action == "retarget" and await self._retarget_from_org(w):
            return [w.outbox.id]
        if outcome.action == "retry":
            retry_at = utcnow() + self.settings.retry_after
            self._ops.append(lambda s: outbox_repo.settle_waiting(
                s, [w.outbox.id], code=outcome.code, reason=outcome.message, next_try_at=retry_at))
            self._open.pop(w.outbox.id, None)
            self._report.waiting += 1
            return []
        await self._failed(w, outcome.code, outcome.message, outcome.hint)
        return []

    async def _retarget_from_org(self, w: PushWork) -> bool:
        lead_id = (w.task.who_id if w.task is not None else w.note.parent_sf_id if w.note else None) or ""
        if not lead_id.startswith("00Q"):
            return False
        await self._spend(1)
        rows = await self._call(self.client.query_list(soql.select(
            ["Id", "IsConverted", "ConvertedContactId", "ConvertedAccountId"], "Lead",
            where=soql.fmt("Id = {}", lead_id))), [w])
        if not rows or not rows[0].get("IsConverted") or not rows[0].get("ConvertedContactId"):
            return False
        await self._apply_retarget(w, str(rows[0]["ConvertedContactId"]), rows[0].get("ConvertedAccountId"))
        return True

    async def _apply_retarget(self, w: PushWork, contact_id: str, account_id: str | None) -> None:
        name = await self.db.run(lambda s: decisions.retarget_converted(s, w.outbox.id, contact_id, account_id))
        notice = f"The lead was converted in Salesforce, so this went to the new contact {name}."
        await self.db.run(lambda s: outbox_repo.set_notice(s, w.outbox.id, notice))
        self._report.retargeted += 1
        self._report.notices.append(notice)

    async def _whole_call_failed(self, exc: SalesforceError, works: list[PushWork]) -> None:
        """A request failed as a whole: stop the run for connectivity/budget/auth; otherwise every
        item of that request needs attention with Salesforce's message."""
        _raise_stop(exc, self)
        detail = ErrorDetail(exc.error_code, exc.message, tuple(exc.fields))
        for w in works:
            await self._item_failed(w, [detail])

    async def _call(self, awaitable: Awaitable[T], works: Sequence[PushWork]) -> T:
        """Await a helper request; connectivity, budget and auth problems stop the run."""
        try:
            return await awaitable
        except SalesforceError as exc:
            _raise_stop(exc, self)
            raise

    async def _spend(self, calls: int) -> None:
        self.budget.update(self.client.api_usage)
        decision = self.budget.check(calls, utcnow())
        if decision.recheck:
            await self._call(self.client.limits(), [])  # one call to read today's usage again
            self.budget.update(self.client.api_usage)
            decision = self.budget.check(calls, utcnow())
        if not decision.ok:
            raise StopRun("budget", "API_BUDGET", decision.reason, decision.retry_at)

    def _progress(self, sobject: str) -> None:
        name = sobject.split(":")[-1]
        self.on_progress(SyncProgress(
            stage="push", object=name if name != "link" else "ContentDocumentLink", done=self._done,
            total=self._total, api_calls=self.client.api_calls,
            message=f"Sent {self._done:,} of {self._total:,} to Salesforce"))



def _raise_stop(exc: SalesforceError, engine: EngineBase) -> None:
    now = utcnow()
    if isinstance(exc, RequestLimitExceeded):
        decision = engine.budget.note_limit_exceeded(now)
        raise StopRun("budget", exc.error_code, decision.reason, decision.retry_at) from exc
    if isinstance(exc, SessionExpired | OAuthError):
        raise StopRun("signed_out", "SIGNED_OUT", SIGNED_OUT_REASON, None) from exc
    if isinstance(exc, NetworkError | ServerUnavailable | OutcomeUnknown):
        raise StopRun("offline", exc.error_code, OFFLINE_REASON, now + engine.settings.retry_after) from exc
    if isinstance(exc, UnreadableResponse):
        # An unreadable answer proves nothing (least of all "not found"): hold the items, try later.
        reason = UNREADABLE_REASON.format(what=in_short(exc.problem))
        raise StopRun("offline", exc.error_code, reason, now + engine.settings.retry_after) from exc


def stop_for(exc: SalesforceError, engine: EngineBase) -> StopRun:
    """The stop for an error no step handled: push() never raises for Salesforce trouble."""
    try:
        _raise_stop(exc, engine)
    except StopRun as stop:
        return stop
    reason = f"Salesforce refused a request: {exc.message} Notebridge tries again later."
    return StopRun("offline", exc.error_code, reason, utcnow() + engine.settings.retry_after)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
