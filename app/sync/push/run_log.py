"""The sync log a push run leaves behind: one row per settled item, one for the run.

A :class:`~app.sync.push.ledger.SettleListener`: the ledger tells it about every item it settles;
kind handlers that settle outside the outbox's work items (new people) add their rows with
:meth:`RunLog.add`.  Writing never fails the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.store import Database, sync_log
from app.store.outbox import PushWork
from app.store.sync_log import PushLogItem
from app.sync.push.base import PushReport
from app.sync.push.status import PushStatus, Settled

log = logging.getLogger(__name__)

RUN_KIND = "run"  # the kind of a run's own row


class RunLog:
    """Collects the rows of one run.  ``record_object(w)``: the object an unsent item would be."""

    def __init__(self, db: Database, connection_id: int, record_object: Callable[[PushWork], str]) -> None:
        self.db = db
        self.connection_id = connection_id
        self.record_object = record_object
        self.items: list[PushLogItem] = []

    def add(self, item: PushLogItem) -> None:
        self.items.append(item)

    # -- SettleListener ----------------------------------------------------------------------------------
    def pushed(self, w: PushWork, remote_id: str, remote_type: str) -> None:
        self.add(PushLogItem(w.outbox.kind, w.item.id, remote_type, Settled.PUSHED, remote_id))

    def failed(self, w: PushWork, code: str, message: str) -> None:
        self.add(PushLogItem(w.outbox.kind, w.item.id, self.record_object(w), Settled.NEEDS_ATTENTION,
                             w.item.remote_id, code, message))

    def waiting(self, w: PushWork, code: str, message: str) -> None:
        self.add(PushLogItem(w.outbox.kind, w.item.id, self.record_object(w), Settled.WAITING,
                             w.item.remote_id, code, message))

    # -- the run -----------------------------------------------------------------------------------------
    async def write(self, report: PushReport) -> None:
        """One row per settled item and one for the run (status, counts, API calls)."""
        items, self.items = self.items, []
        if report.status == PushStatus.NOTHING and not items:
            return
        status = PushStatus(report.status)
        run = PushLogItem(RUN_KIND, 0, None, status, None, "PUSH_" + status.upper() if status.is_stop else None,
                          report.reason or None, report.api_calls)
        cid = self.connection_id
        counts: dict[str, int] = {Settled.PUSHED: report.pushed, Settled.NEEDS_ATTENTION: report.needs_attention,
                  Settled.WAITING: report.waiting}

        def write(session: Any) -> None:
            sync_log.record_push(session, cid, items)
            sync_log.record_run(session, cid, run, counts)

        try:
            await self.db.run(write)
        except Exception:
            log.exception("could not write the push to the sync log")


__all__ = ["RUN_KIND", "RunLog"]
