"""Settling the items of one push run: what each request's results mean for the outbox.

Outcomes are collected in memory and written in one transaction per request (:meth:`Ledger.flush`:
one fsync, not 200).  Safe to lose in a crash: the items are still "sending" with their payload
recorded, so the next run reconciles them instead of sending them again.

Whoever else needs to know about an outcome — the sync log, the household links — registers a
:class:`SettleListener`; nothing overrides the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from app.store import Database, outbox_bulk
from app.store import outbox as outbox_repo
from app.store.outbox import PushWork
from app.sync.progress import ProgressCallback, SyncProgress
from app.sync.push.base import PushReport

StoreOp = Callable[[Any], object]


@dataclass
class Sent:
    """One item as sent (or about to be): the exact record, its fingerprint and the parent it goes to."""

    work: PushWork
    record: dict[str, Any]
    fp: str
    parent: str | None = None

    @property
    def outbox_id(self) -> int:
        return self.work.outbox.id


class SettleListener(Protocol):
    """Told about every item the ledger settles in a run (after the outcome is queued for writing)."""

    def pushed(self, w: PushWork, remote_id: str, remote_type: str) -> None: ...

    def failed(self, w: PushWork, code: str, message: str) -> None: ...

    def waiting(self, w: PushWork, code: str, message: str) -> None: ...


class SettledItems:
    """Records each settled item's new state on the run's report (``PushReport.settled``).

    The report reaches the use case after the run has written every outcome, so a view that re-reads
    the item on hearing of it sees the settled state, never the one before."""

    def __init__(self, report: PushReport) -> None:
        self.report = report

    def pushed(self, w: PushWork, remote_id: str, remote_type: str) -> None:
        self.report.settled.append((w.outbox.kind, w.outbox.item_id, "pushed"))

    def failed(self, w: PushWork, code: str, message: str) -> None:
        self.report.settled.append((w.outbox.kind, w.outbox.item_id, "needs_attention"))

    def waiting(self, w: PushWork, code: str, message: str) -> None:
        self.report.settled.append((w.outbox.kind, w.outbox.item_id, "waiting"))


class Ledger:
    """The open items of a run, their pending outcomes and the run's counts (``report``)."""

    def __init__(self, db: Database, report: PushReport, listeners: Iterable[SettleListener] = ()) -> None:
        self.db = db
        self.report = report
        self.listeners = list(listeners)
        self.open: dict[int, PushWork] = {}
        self.total = 0
        self.done = 0
        self._ops: list[StoreOp] = []
        self._created: list[tuple[int, str, str | None]] = []
        self._pushed: list[outbox_bulk.Pushed] = []

    # -- the items of the run -------------------------------------------------------------------------
    def begin(self, work: list[PushWork]) -> None:
        self.open = {w.outbox.id: w for w in work}
        self.total, self.done = len(work), 0

    def refresh(self, work: Iterable[PushWork]) -> None:
        """The latest snapshot of items still open (reloaded, or prepared for sending)."""
        for w in work:
            self.open[w.outbox.id] = w

    def is_open(self, outbox_id: int) -> bool:
        return outbox_id in self.open

    # -- outcomes -----------------------------------------------------------------------------------------
    def later(self, op: StoreOp) -> None:
        """A store write that belongs to the current request's outcome (written by :meth:`flush`)."""
        self._ops.append(op)

    def created(self, s: Sent, remote_id: str) -> None:
        """Salesforce has the record but the item is not done yet (a ContentNote still to link)."""
        self._created.append((s.outbox_id, remote_id, s.fp))

    def pushed(self, w: PushWork, remote_id: str, remote_type: str, fp: str | None, link_id: str | None = None,
               *, edited: bool = False) -> None:
        """Done.  ``edited``: the draft changed after this run built what it sent (it stays a draft)."""
        self._pushed.append(outbox_bulk.Pushed(w.outbox.id, remote_id, remote_type, fp, w.item.updated_at,
                                               link_id, edited))
        self._close(w)
        self.report.pushed += 1
        self.done += 1
        for listener in self.listeners:
            listener.pushed(w, remote_id, remote_type)

    def failed(self, w: PushWork, code: str, message: str, hint: str, conflict: Any = None) -> None:
        """Needs the advisor: Salesforce's message and what to do in Notebridge."""
        self._ops.append(lambda s: outbox_repo.settle_failed(
            s, w.outbox.id, code=code, message=message, hint=hint, conflict=conflict))
        self._close(w)
        self.report.needs_attention += 1
        self.done += 1
        for listener in self.listeners:
            listener.failed(w, code, message)

    def waiting(self, w: PushWork, code: str, reason: str, when: datetime | None) -> None:
        """This item goes again at ``when`` (a Salesforce-side hiccup on this record)."""
        self._ops.append(lambda s: outbox_repo.settle_waiting(
            s, [w.outbox.id], code=code, reason=reason, next_try_at=when))
        self._close(w)
        self.report.waiting += 1
        for listener in self.listeners:
            listener.waiting(w, code, reason)

    async def hold(self, holds: list[tuple[int, str, str, datetime | None]]) -> None:
        """Items not sent in this run (kind turned off, person not created yet), settled at once."""
        if not holds:
            return

        def write(session: Any) -> None:
            for outbox_id, code, reason, when in holds:
                outbox_repo.settle_waiting(session, [outbox_id], code=code, reason=reason, next_try_at=when)

        await self.db.run(write)
        for outbox_id, _code, _reason, _when in holds:
            self.open.pop(outbox_id, None)
        self.report.waiting += len(holds)

    async def stop(self, code: str, reason: str, retry_at: datetime | None) -> None:
        """The run stopped: every item still open waits with the reason."""
        await self.flush()
        if not self.open:
            return
        ids = list(self.open)
        await self.db.run(lambda s: outbox_repo.settle_waiting(s, ids, code=code, reason=reason, next_try_at=retry_at))
        self.report.waiting += len(ids)

    async def flush(self) -> None:
        """Write the settled outcomes of the last request in one transaction."""
        if not (self._ops or self._created or self._pushed):
            return
        ops, self._ops = self._ops, []
        created, self._created = self._created, []
        pushed, self._pushed = self._pushed, []

        def write(session: Any) -> None:
            outbox_bulk.record_created_many(session, created)
            outbox_bulk.settle_pushed_many(session, pushed)
            for op in ops:
                op(session)

        await self.db.run(write)

    def progress(self, on_progress: ProgressCallback, sobject: str, api_calls: int) -> None:
        on_progress(SyncProgress(
            stage="push", object=sobject, done=self.done, total=self.total, api_calls=api_calls,
            message=f"Sent {self.done:,} of {self.total:,} to Salesforce"))

    def _close(self, w: PushWork) -> None:
        self.open.pop(w.outbox.id, None)


__all__ = ["Ledger", "Sent", "SettleListener", "StoreOp"]
