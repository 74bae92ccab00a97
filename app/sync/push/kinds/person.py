"""New people added in Notebridge: created before any note or task of the run, so what is written
about them goes to the record Salesforce just created.

The exactly-once steps for a person (record the payload, look up a lost answer by name and e-mail)
live in :mod:`app.sync.push.prospects`; this handler runs it and reports each person to the run.
"""

from __future__ import annotations

from typing import ClassVar

from app.salesforce.errors import SalesforceError
from app.store.kinds import ItemKind
from app.store.sync_log import PushLogItem
from app.sync.push import prospects as prospect_push
from app.sync.push.kinds.base import KindHandler
from app.sync.push.run import PushRun
from app.sync.push.status import Settled


class PersonHandler(KindHandler):
    kind: ClassVar[ItemKind] = ItemKind.PERSON
    sobjects: ClassVar[tuple[str, ...]] = ("Contact", "Account", "Lead")

    async def push_ahead(self, run: PushRun) -> None:
        await self.create_people(run, run.settings.new_people_as)

    async def create_people(self, run: PushRun, create_as: str) -> None:
        """Create every due person as ``create_as`` ("" : as each was added — an email's new Lead)."""
        try:
            people = await prospect_push.push_people(
                run.client, run.db, run.connection_id, create_as=create_as,
                lead_source=run.settings.lead_source, user_id=run.user_id, spend=run.gate.spend,
                retry_after=run.settings.retry_after)
        except SalesforceError as exc:
            run.gate.stop_if_fatal(exc)
            raise
        report = run.ledger.report
        for outbox_id, sobject, sf_id in people.created:
            run.log.add(PushLogItem(self.kind, people.items[outbox_id], sobject, Settled.PUSHED, sf_id))
            report.pushed += 1
        for outbox_id, code, message in people.failed:
            run.log.add(PushLogItem(self.kind, people.items[outbox_id], None, Settled.NEEDS_ATTENTION, None, code,
                                    message))
            report.needs_attention += 1
        for outbox_id, code, message in people.waiting:
            run.log.add(PushLogItem(self.kind, people.items[outbox_id], None, Settled.WAITING, None, code, message))
            report.waiting += 1


__all__ = ["PersonHandler"]
