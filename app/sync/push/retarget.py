"""A Lead converted in Salesforce: the item goes to the Contact it became, and is sent again.

Known before sending (the pull saw the conversion) or learned from Salesforce's
``CANNOT_UPDATE_CONVERTED_LEAD``; either way the draft is re-pointed in the store and the advisor
reads a notice saying where it went.
"""

from __future__ import annotations

from app.salesforce import soql
from app.store import Database
from app.store import outbox as outbox_repo
from app.store import outbox_decisions as decisions
from app.store.outbox import PushWork
from app.sync.push.base import PushReport
from app.sync.push.gate import ApiGate

LEAD_PREFIX = "00Q"  # the key prefix of Lead Ids


class Retargeter:
    def __init__(self, gate: ApiGate, db: Database, report: PushReport) -> None:
        self.gate = gate
        self.db = db
        self.report = report

    async def before_send(self, w: PushWork) -> bool:
        """A Lead we already know was converted: point the item at its Contact.  True: re-targeted."""
        person = w.person
        if person is None or person.source_object != "Lead" or not person.is_converted:
            return False
        if not person.converted_contact_id:
            return False
        await self.apply(w, person.converted_contact_id, person.converted_account_id)
        return True

    async def from_org(self, w: PushWork, lead_id: str | None) -> bool:
        """Ask Salesforce whether ``lead_id`` was converted, and re-target the item if so."""
        lead_id = lead_id or ""
        if not lead_id.startswith(LEAD_PREFIX):
            return False
        await self.gate.spend(1)
        rows = await self.gate.call(self.gate.client.query_list(soql.select(
            ["Id", "IsConverted", "ConvertedContactId", "ConvertedAccountId"], "Lead",
            where=soql.fmt("Id = {}", lead_id))))
        if not rows or not rows[0].get("IsConverted") or not rows[0].get("ConvertedContactId"):
            return False
        await self.apply(w, str(rows[0]["ConvertedContactId"]), rows[0].get("ConvertedAccountId"))
        return True

    async def apply(self, w: PushWork, contact_id: str, account_id: str | None) -> None:
        name = await self.db.run(lambda s: decisions.retarget_converted(s, w.outbox.id, contact_id, account_id))
        notice = f"The lead was converted in Salesforce, so this went to the new contact {name}."
        await self.db.run(lambda s: outbox_repo.set_notice(s, w.outbox.id, notice))
        self.report.retargeted += 1
        self.report.notices.append(notice)


__all__ = ["Retargeter"]
