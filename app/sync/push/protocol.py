"""Exactly once: how every create and update of a push reaches Salesforce at most once and is never lost.

The protocol, whatever the kind of item:

1. **Record before sending.**  The exact payload (and the outbox key it carries) and ``sent_at`` are
   committed (``outbox_bulk.mark_sending``) before the request leaves (:meth:`ExactlyOnce.send`).
2. **A lost answer is looked up, never re-sent blindly.**  When the answer of a create never comes
   (``OutcomeUnknown``: a dropped connection after Salesforce committed, a 502/504, a kill -9), the
   records are looked up (:meth:`ExactlyOnce.reconcile`, :mod:`app.sync.push.reconcile`) with the
   lookup the item's kind declares.  A run also starts by reconciling every item left "sending".
3. **Settle window.**  "Not found" only counts once the original request can no longer be running:
   Salesforce finishes a request whose client was killed or timed out, so a lookup inside
   ``PushSettings.reconcile_settle`` of ``sent_at`` is repeated after the window before the item is
   freed for sending again.  At a run's start (items a killed process left "sending") the rest of
   the outbox is sent first and such an item is looked at again at the end of the run, so a restart
   does not sit out the window.
4. **One record per item.**  A record found is handed to at most one item, and never to one when an
   item here already owns it.
5. **Each item settles from its own result** (:meth:`ExactlyOnce.item_failed`): pushed, needs attention,
   waiting (a transient error on that record), or re-targeted (a converted Lead → its Contact) and sent
   again in the same run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Generic, Protocol, TypeVar

from app.salesforce.errors import ErrorDetail, OutcomeUnknown, SalesforceError
from app.store import Database, outbox_bulk
from app.store import outbox as outbox_repo
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.store.types import utcnow
from app.sync.push import mapping as push_mapping
from app.sync.push.base import PushSettings
from app.sync.push.errors import Action, classify
from app.sync.push.gate import ApiGate
from app.sync.push.ledger import Ledger, Sent
from app.sync.push.reconcile import LookupSpec, SentCreate, find_created
from app.sync.push.retarget import Retargeter
from app.wording import counted


class SettlingHandler(Protocol):
    """What the protocol needs of a kind's handler (``app.sync.push.kinds.base.DraftHandler`` is one);
    declared here so the protocol never imports the handlers, which build on it."""

    @property
    def lookups(self) -> Sequence[LookupSpec]: ...

    def settle_found(self, s: Sent, remote_id: str, sobject: str, ledger: Ledger) -> bool: ...

    def lead_id(self, w: PushWork) -> str | None: ...

log = logging.getLogger(__name__)

R = TypeVar("R")


@dataclass
class Answer(Generic[R]):
    """What came back for a request: its ``results``, or None — then every item of the request is
    already settled (failed, waiting or reconciled) and ``retry`` lists those to send again."""

    results: R | None
    retry: list[int]


class ExactlyOnce:
    """The exactly-once protocol of one push run, for every kind (see the module's docstring)."""

    def __init__(self, gate: ApiGate, ledger: Ledger, db: Database, connection_id: int, settings: PushSettings,
                 handlers: Mapping[ItemKind, SettlingHandler]) -> None:
        self.gate = gate
        self.ledger = ledger
        self.db = db
        self.connection_id = connection_id
        self.settings = settings
        self.handlers = handlers
        self.retargeter = Retargeter(gate, db, ledger.report)
        self.user_id = ""  # the signed-in user: reconcile looks only at records they created
        self.unsettled: list[PushWork] = []  # see ``reconcile(settle_later=True)``
        self.lookups: dict[str, LookupSpec] = {}
        for handler in handlers.values():
            for spec in handler.lookups:
                if self.lookups.setdefault(spec.sobject, spec) is not spec:  # one way to find a lost create
                    raise ValueError(f"two lookups for {spec.sobject}: share one LookupSpec between handlers")

    # -- sending ----------------------------------------------------------------------------------------
    async def send(self, sent: list[Sent], request: Callable[[], Awaitable[R]], *, calls: int = 1,
                   creates: bool = True) -> Answer[R]:
        """Spend ``calls``, commit the payloads, then send.  ``creates``: a lost answer is looked up
        (:meth:`reconcile`); otherwise (updates) it stops the run like any lost connection."""
        if calls:
            await self.gate.spend(calls)
        await self.record(sent)
        try:
            return Answer(await request(), [])
        except SalesforceError as exc:
            if creates and isinstance(exc, OutcomeUnknown):
                return Answer(None, await self.reconcile(sent))
            await self.whole_call_failed(exc, [s.work for s in sent])
            return Answer(None, [])

    async def record(self, sent: list[Sent]) -> None:
        """Step 1: the exact payload and ``sent_at``, committed before the request leaves."""
        entries = [(s.outbox_id, {"record": s.record, "parent": s.parent}) for s in sent]
        await self.db.run(lambda ses: outbox_bulk.mark_sending(ses, entries))

    @staticmethod
    def recorded(w: PushWork) -> Sent:
        """An item left "sending" by an earlier run, as it was recorded then."""
        payload = w.outbox.sent_payload or {}
        record = payload.get("record") or {}
        return Sent(w, record, push_mapping.sent_fingerprint(record), payload.get("parent"))

    # -- lost answers -----------------------------------------------------------------------------------
    async def reconcile(self, sent: list[Sent], *, settle_later: bool = False) -> list[int]:
        """Look up creates whose answer was lost; settle the ones Salesforce has, free the rest.
        Returns the outbox ids to send (again) in this run.

        ``settle_later`` (a run's start-up look at items an earlier process left "sending"): the
        ones not found whose settle window is still open are not waited for here — they are left
        exactly as they are (still "sending", ``sent_at`` kept, never sent) in :attr:`unsettled`, so
        the rest of the outbox goes first; the engine calls :meth:`reconcile` on them again later."""
        now = utcnow()
        recorded = [SentCreate(s.outbox_id, s.work.outbox.key, s.work.outbox.sent_at or now, s.record)
                    for s in sent if s.record]
        await self.gate.spend(len({r.sobject for r in recorded}) or 1)
        found: dict[int, str | None] = {}

        async def claimed(ids: list[str]) -> set[str]:
            # Ids matched by this call's first lookup are not written yet: never hand them out twice.
            mine = {v for v in found.values() if v}
            return mine | await self.db.run(lambda s: outbox_repo.claimed_remote_ids(s, self.connection_id, ids))

        async def look(items: list[SentCreate]) -> dict[int, str | None]:
            return await self.gate.call(find_created(
                self.gate.client, items, specs=self.lookups, user_id=self.user_id, claimed=claimed,
                task_key_field=self.settings.task_key_field))

        found.update(await look(recorded))
        # The settle window: wait out what is left of it, then look again at what was not found.
        settle = self.settings.reconcile_settle
        young = [r for r in recorded if found.get(r.outbox_id) is None and r.sent_at + settle > utcnow()]
        later = {r.outbox_id for r in young} if settle_later else set()
        self.unsettled = [s.work for s in sent if s.outbox_id in later]
        if young and not settle_later:
            wait = (max(r.sent_at for r in young) + settle - utcnow()).total_seconds()
            log.info("waiting %.2fs of the settle window before looking again for %s", wait,
                     counted(len(young), "lost create"))
            await asyncio.sleep(wait)
            await self.gate.spend(len({r.sobject for r in young}))
            found.update(await look(young))
        retry: list[int] = []
        for s in sent:
            if s.outbox_id in later:
                continue  # looked at again after its settle window (the engine's last step)
            remote_id = found.get(s.outbox_id)
            if remote_id:
                self.ledger.report.reconciled += 1
                sobject = str(s.record.get("attributes", {}).get("type", ""))
                if self.handlers[s.work.outbox.kind].settle_found(s, remote_id, sobject, self.ledger):
                    retry.append(s.outbox_id)
            else:
                self.ledger.later(partial(outbox_repo.clear_unknown, outbox_id=s.outbox_id))
                retry.append(s.outbox_id)
        await self.ledger.flush()
        log.info("reconciled %s: %d found in Salesforce%s", counted(len(sent), "lost create"),
                 sum(1 for s in sent if found.get(s.outbox_id)),
                 f"; {len(later)} looked at again after the settle window" if later else "")
        return retry

    # -- failures ---------------------------------------------------------------------------------------
    async def item_failed(self, w: PushWork, errors: Sequence[ErrorDetail]) -> list[int]:
        """One record failed: re-target a converted Lead (send again), wait on a transient error, or
        needs attention with Salesforce's message and a hint."""
        outcome = classify(errors, what=w.outbox.kind)
        if outcome.action is Action.RETARGET:
            lead_id = self.handlers[w.outbox.kind].lead_id(w)
            if await self.retargeter.from_org(w, lead_id):
                return [w.outbox.id]
        if outcome.action is Action.RETRY:
            self.ledger.waiting(w, outcome.code, outcome.message, utcnow() + self.settings.retry_after)
            return []
        self.ledger.failed(w, outcome.code, outcome.message, outcome.hint)
        return []

    async def whole_call_failed(self, exc: SalesforceError, works: Sequence[PushWork]) -> None:
        """A request failed as a whole: stop the run for connectivity/budget/auth; otherwise every
        item of that request settles with Salesforce's message."""
        self.gate.stop_if_fatal(exc)
        detail = ErrorDetail(exc.error_code, exc.message, tuple(exc.fields))
        for w in works:
            await self.item_failed(w, [detail])


__all__ = ["Answer", "ExactlyOnce"]
