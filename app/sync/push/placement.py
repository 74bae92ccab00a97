"""The advisor's Settings → Sending inside a push run: what is sent now, and where it appears.

A collaborator of the engine (not a mixin), with two jobs:

* **prepare** each batch of items (:mod:`app.sync.push.prepare`): title templates, "appear on" the
  contact, the account or both; kinds turned off are held in the Outbox with the reason, items about a
  person not yet in Salesforce are held until that person is created;
* **second link** for ContentNotes that should also appear on the household (``attach_to="both"``):
  a :class:`~app.sync.push.ledger.SettleListener` collects them as they are pushed, and
  :meth:`Placement.link_accounts` sends the links at the end of the run.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from app.salesforce.errors import OutcomeUnknown, SalesforceError
from app.store import outbox as outbox_repo
from app.store.outbox import PushWork
from app.store.types import utcnow
from app.sync.push import mapping as push_mapping
from app.sync.push import prepare as prepare_push
from app.sync.push.pace import Pacer
from app.sync.push.run import PushRun

log = logging.getLogger(__name__)

HOLD_FOR = timedelta(days=1)        # a held kind is looked at again daily (released at once when turned on)
PERSON_RECHECK = timedelta(hours=1)  # a note about a person Salesforce refused: looked at again hourly
LINKED_DOCUMENT = "ContentNote"      # only a ContentNote can be linked to a second record


class Placement:
    """Where the items of one run go.  State: the account links still to send."""

    def __init__(self) -> None:
        self.account_links: dict[int, str] = {}             # outbox id → Account Id to link as well
        self.extra_links: list[tuple[PushWork, str, str]] = []  # (item, ContentNote Id, Account Id)

    async def prepare(self, run: PushRun, work: list[PushWork]) -> list[PushWork]:
        """The snapshots this run sends; held items are settled as waiting (with the reason) and left out."""
        prepared = await prepare_push.prepare(run.db, run.connection_id, run.settings, work)
        now = utcnow()
        holds: list[tuple[int, str, str, datetime | None]] = [
            (outbox_id, prepare_push.HELD_CODE, reason, now + HOLD_FOR) for outbox_id, reason in prepared.held.items()]
        ready: list[PushWork] = []
        pacer = Pacer()
        for w in prepared.work:
            await pacer.turn()
            if prepare_push.waits_for_person(w):
                holds.append((w.outbox.id, prepare_push.WAITING_FOR_PERSON, prepare_push.PERSON_FIRST,
                              now + PERSON_RECHECK))
            else:
                ready.append(w)
        await run.ledger.hold(holds)
        self.account_links.update(prepared.account_links)
        return ready

    # -- SettleListener --------------------------------------------------------------------------------
    def pushed(self, w: PushWork, remote_id: str, remote_type: str) -> None:
        account = self.account_links.pop(w.outbox.id, None)
        if account and remote_type == LINKED_DOCUMENT:
            self.extra_links.append((w, remote_id, account))

    def failed(self, w: PushWork, code: str, message: str) -> None:
        """Nothing to place."""

    def waiting(self, w: PushWork, code: str, message: str) -> None:
        """Nothing to place."""

    # -- the household link ----------------------------------------------------------------------------
    async def link_accounts(self, run: PushRun) -> None:
        """ContentNotes that should also appear on the client's account: one more link each, in one call
        per 200.  A failure here leaves the note on the client and says so on the item."""
        pending, self.extra_links = self.extra_links, []
        for start in range(0, len(pending), run.settings.batch_size):
            chunk = pending[start:start + run.settings.batch_size]
            await run.gate.spend(1)
            records = [push_mapping.link_record(doc, account) for _w, doc, account in chunk]
            try:
                results = await run.client.create_many(records)
            except OutcomeUnknown:
                continue  # a link is safe to send again; the next edit's push will not, so say nothing
            except SalesforceError as exc:
                run.gate.stop_if_fatal(exc)
                results = None
                log.warning("could not link notes to their accounts: %s", exc)
            for n, (w, _doc, _account) in enumerate(chunk):
                result = results[n] if results is not None else None
                if result is not None and (result.success or (result.errors and
                                                               result.errors[0].error_code == "DUPLICATE_VALUE")):
                    continue
                reason = (result.errors[0].message if result is not None and result.errors else "no answer")
                notice = f"Sent to the client, but it could not also be shown on their account ({reason})."
                await run.db.run(partial(outbox_repo.set_notice, outbox_id=w.outbox.id, notice=notice))
                run.ledger.report.notices.append(notice)


__all__ = ["HOLD_FOR", "PERSON_RECHECK", "Placement"]
