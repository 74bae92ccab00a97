"""The push engine: drains the outbox into Salesforce, exactly once per item.

One run (:meth:`PushEngine.push`) — orchestration only; the parts are composed, not mixed in:

1. **Ahead of the outbox** each kind handler may do its own work first (new people:
   :mod:`app.sync.push.kinds.person`), so notes and tasks about them go to the record just created.
2. **Reconcile** every create whose outcome is unknown (``sent_at`` recorded, no remote Id: a lost
   response or a kill -9 mid-push) before anything else is sent (:mod:`app.sync.push.protocol`).
   One not found while its settle window is still open is not sent, and not waited for either: it
   is looked at again after the rest of the run, once the window has passed.
3. **Prepare** the items with the advisor's settings (:mod:`app.sync.push.placement`), check their
   limits, re-target items about converted Leads, then **group** them into requests as each item's
   handler says (:mod:`app.sync.push.kinds`) and send the groups in the handlers' order, in chunks of
   ``batch_size``.  Before each request the exact payload and ``sent_at`` are committed.
4. **Settle** each item from its own result (:mod:`app.sync.push.ledger`); a re-targeted or
   reconciled item gets another go in the same run.

The cyclic garbage collector is paused while a run works (:mod:`app.sync.gc_pause`, as for a pull),
and its passes over every item give the loop turns (:mod:`app.sync.push.pace`): both held the UI
thread for 40–100 ms on a big outbox.

A failure of a whole request stops the run (:mod:`app.sync.push.gate`): offline / Salesforce down →
waiting (the loop probes with backoff); API limit or reserve reached → waiting until the budget
recovers; signed out → waiting until the advisor signs in again.  Nothing is ever dropped.

Sizes: 200 tasks = 1 call; 200 ContentNotes = 2 calls (notes, then links); ≤ 12 notes = 1 composite.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from app.salesforce.client import SalesforceClient
from app.salesforce.errors import SalesforceError
from app.store import Database, outbox_views
from app.store import outbox as outbox_repo
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.store.types import utcnow
from app.sync.gc_pause import collector_paused
from app.sync.progress import ProgressCallback, ignore_progress
from app.sync.push.base import OFFLINE_REASON, SIGNED_OUT_REASON, PushReport, PushSettings, StopRun
from app.sync.push.budget import ApiBudget
from app.sync.push.gate import ApiGate
from app.sync.push.kinds import HANDLERS, DraftHandler, KindHandler, draft_handlers
from app.sync.push.ledger import Ledger, SettledItems
from app.sync.push.pace import Pacer
from app.sync.push.placement import Placement
from app.sync.push.protocol import ExactlyOnce
from app.sync.push.run import PushRun
from app.sync.push.run_log import RunLog
from app.sync.push.status import PushStatus

__all__ = ["OFFLINE_REASON", "SIGNED_OUT_REASON", "PushEngine", "PushReport", "PushSettings", "StopRun"]

log = logging.getLogger(__name__)

PASSES = 3  # a re-targeted or reconciled item gets another go in the same run
LINK_OBJECT = {"link": "ContentDocumentLink"}  # progress shows the object a group writes


class PushEngine:
    """Pushes one connection's outbox with one ``SalesforceClient`` (tests pass the demo org's).

    ``handlers``: the kinds this engine pushes (default: every registered kind)."""

    def __init__(
        self, client: SalesforceClient, db: Database, connection_id: int, settings: PushSettings | None = None,
        *, on_progress: ProgressCallback = ignore_progress, budget: ApiBudget | None = None,
        handlers: Mapping[ItemKind, KindHandler] = HANDLERS,
    ) -> None:
        self.client = client
        self.db = db
        self.connection_id = connection_id
        self.settings = settings or PushSettings()
        self.on_progress = on_progress
        self.budget = budget or ApiBudget(self.settings.reserve_fraction)
        self.handlers = handlers
        self.drafts = draft_handlers(handlers)

    def _new_run(self) -> tuple[PushRun, Placement]:
        gate = ApiGate(self.client, self.budget, self.settings.retry_after)
        placement = Placement()
        report = PushReport()
        ledger = Ledger(self.db, report)
        run_log = RunLog(self.db, self.connection_id, lambda w: self.drafts[w.outbox.kind].record_object(w, run))
        ledger.listeners += [run_log, placement, SettledItems(report)]
        protocol = ExactlyOnce(gate, ledger, self.db, self.connection_id, self.settings, self.drafts)
        run = PushRun(self.client, self.db, self.connection_id, self.settings, gate, ledger, protocol, run_log)
        return run, placement

    # -- the run ------------------------------------------------------------------------------------------
    async def push(self, outbox_ids: Sequence[int] | None = None, *, cancel: asyncio.Event | None = None) -> PushReport:
        """Push what is due (or just ``outbox_ids``).  Never raises for Salesforce trouble: the report
        says what happened, and every item is settled or waiting.

        Only the workspace's writer process pushes: the first push claims the workspace lock for this
        process (:meth:`Database.claim_writer`), and a push while another Notebridge holds it raises
        :class:`~app.store.errors.WorkspaceBusyError` before anything is taken or sent."""
        self.db.claim_writer()
        with collector_paused():  # a full collection stops the UI thread too (app.sync.gc_pause)
            return await self._push(outbox_ids, cancel)

    async def _push(self, outbox_ids: Sequence[int] | None, cancel: asyncio.Event | None) -> PushReport:
        run, placement = self._new_run()
        report = run.ledger.report
        start_calls = self.client.api_calls
        try:
            try:
                await self._run(run, placement, outbox_ids, cancel)
            except SalesforceError as exc:  # one no step turned into a stop: still settle and report
                log.warning("push: unhandled %r", exc)
                raise run.gate.stop_for(exc) from exc
        except StopRun as stop:
            report.status, report.reason, report.next_try_at = stop.status, stop.reason, stop.retry_at
            report.error_code = stop.code
            if stop.status == PushStatus.CANCELLED:
                await run.ledger.flush()
            else:
                await run.ledger.stop(stop.code, stop.reason, stop.retry_at)
            log.info("push stopped (%s): %s", stop.status, stop.reason)
        finally:
            report.api_calls = self.client.api_calls - start_calls
            self.budget.update(self.client.api_usage)
            await run.log.write(report)
            # The run's objects refer to each other (handlers, ledger, log), so they would wait for the
            # collector; its items (thousands on a big outbox) are let go here, by reference counting,
            # so the first collection after the pause does not walk them.
            run.ledger.open.clear()
        return report

    async def _run(self, run: PushRun, placement: Placement, outbox_ids: Sequence[int] | None,
                   cancel: asyncio.Event | None) -> None:
        conn = await self.db.run(lambda s: outbox_views.connection_user(s, self.connection_id))
        if conn is None:
            raise ValueError(f"connection {self.connection_id} does not exist")
        run.user_id, note_type, _instance = conn
        run.protocol.user_id = run.user_id
        run.note_type = self.settings.note_type or note_type or "ContentNote"
        for handler in self.handlers.values():
            await handler.push_ahead(run)
        now = utcnow()
        work = await self.db.run(lambda s: outbox_repo.due(s, self.connection_id, now, outbox_ids=outbox_ids))
        if not work:
            run.ledger.report.status = PushStatus.DONE if run.log.items else PushStatus.NOTHING
            return
        run.ledger.begin(work)
        unknown = [w for w in work if w.outbox.outcome_unknown]
        later: list[PushWork] = []
        if unknown:
            # Not found and still inside the settle window: looked at again after the rest is sent.
            await run.protocol.reconcile([run.protocol.recorded(w) for w in unknown], settle_later=True)
            later = run.protocol.unsettled
            if run.ledger.done:  # creates found in Salesforce are settled: the outbox moved, say so now
                run.ledger.progress(self.on_progress, _sobject_of(unknown[0]), self.client.api_calls)
        skip = {w.outbox.id for w in later}
        await self._send_passes(run, placement, [i for i in run.ledger.open if i not in skip], cancel)
        if later:  # waits what is left of their settle window, looks again, frees what is not there
            retry = await run.protocol.reconcile([run.protocol.recorded(w) for w in later])
            await self._send_passes(run, placement, retry, cancel)
        await placement.link_accounts(run)
        run.ledger.report.status = PushStatus.DONE

    async def _send_passes(self, run: PushRun, placement: Placement, ids: list[int],
                           cancel: asyncio.Event | None) -> None:
        work = await self._reload(run, placement, ids)
        for _pass in range(PASSES):
            retry = await self._send_all(run, work, cancel)
            if not retry:
                break
            work = await self._reload(run, placement, retry)

    async def _reload(self, run: PushRun, placement: Placement, ids: list[int]) -> list[PushWork]:
        await run.ledger.flush()
        if not ids:
            return []
        now = utcnow()
        work = await self.db.run(lambda s: outbox_repo.due(s, self.connection_id, now, outbox_ids=ids))
        run.ledger.refresh(work)
        work = await placement.prepare(run, work)  # the advisor's settings: titles, where it appears, what is held
        run.ledger.refresh(work)
        return work

    # -- grouping -------------------------------------------------------------------------------------------
    async def _send_all(self, run: PushRun, work: list[PushWork], cancel: asyncio.Event | None) -> list[int]:
        retry: list[int] = []
        groups: dict[tuple[ItemKind, str], list[PushWork]] = {}
        pacer = Pacer()  # a pass over every item: the loop gets turns (app.sync.push.pace)
        for w in work:
            await pacer.turn()
            if not run.ledger.is_open(w.outbox.id):
                continue
            handler = self.drafts[w.outbox.kind]
            if not await self._valid(run, handler, w):
                continue
            if not handler.keeps_target(w) and await run.protocol.retargeter.before_send(w):
                retry.append(w.outbox.id)
                continue
            groups.setdefault((handler.kind, handler.group_of(w, run)), []).append(w)
        size = self.settings.batch_size
        for handler in self.drafts.values():
            for name in handler.groups:
                items = groups.get((handler.kind, name), [])
                for start in range(0, len(items), size):
                    if cancel is not None and cancel.is_set():
                        raise StopRun(PushStatus.CANCELLED, "CANCELLED", "Push cancelled.", None)
                    try:
                        retry += await handler.send(name, items[start:start + size], run)
                    finally:
                        await run.ledger.flush()
                    sobject = name.split(":")[-1]
                    run.ledger.progress(self.on_progress, LINK_OBJECT.get(sobject, sobject), self.client.api_calls)
        return retry

    async def _valid(self, run: PushRun, handler: DraftHandler, w: PushWork) -> bool:
        problems = handler.problems(w)
        if not problems:
            return True
        message = " ".join(p.message for p in problems)
        run.ledger.failed(w, "LIMIT", message, f"Edit the {handler.kind.noun}, then push again. Nothing was sent.")
        await run.ledger.flush()
        return False


def _sobject_of(w: PushWork) -> str:
    """The Salesforce object an item left "sending" was recorded for (progress names it)."""
    record = (w.outbox.sent_payload or {}).get("record") or {}
    return str(record.get("attributes", {}).get("type", "")) or w.outbox.kind.value
