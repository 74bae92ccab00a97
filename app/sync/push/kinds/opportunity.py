"""New opportunities: an Opportunity on the client's household or account (``AccountId``).

Salesforce requires ``Name`` (120 characters), ``StageName`` and ``CloseDate`` on create, and the stage
must be one of the org's active stages (OpportunityStage ``IsActive``; describe lists retired values
with ``"active": false``).  The stage the advisor left empty becomes the org's default stage, else its
first active one, read from the describe the push reads anyway.  A stage the org refuses (retired
since it was chosen) comes back as ``INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST`` on ``StageName`` and the
Outbox names the field and what to do (:mod:`app.sync.push.errors`); a required custom field the form
does not have (``REQUIRED_FIELD_MISSING``) likewise.
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm
https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-opportunitystage.html

The Name is the advisor's title template (Settings → Sending) rendered for this client.  A lost answer
is looked up by the Name and every field sent, like a note.  An opportunity has no person, so it is
never re-targeted; the history shows it through its ``AccountId``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from app.store.activities import ActivityDraftValue
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.sync.org_picklists import PicklistFacts, picklist_facts
from app.sync.push.kinds.activity import ActivityHandler, OrgFacts, activity_of
from app.sync.push.limits import LimitProblem
from app.sync.push.mapping import fingerprint
from app.sync.push.reconcile import LookupSpec, SentCreate
from app.sync.push.run import PushRun

OPPORTUNITY = "Opportunity"
OPPORTUNITY_FIELDS = ("Name", "AccountId", "StageName", "CloseDate", "Amount", "OwnerId", "Description")
NO_ACCOUNT = ("An opportunity sits on the client's household or account in Salesforce, and this client "
              "has none. Choose a client who has one, or add the household in Salesforce first.")


def _comparable(record: Mapping[str, Any], names: tuple[str, ...]) -> str:
    values = dict(record)
    amount = values.get("Amount")
    values["Amount"] = round(float(amount), 2) if isinstance(amount, int | float) else amount
    values["CloseDate"] = str(values.get("CloseDate") or "")[:10] or None
    return fingerprint(values, names)


def _bucket(record: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(record.get("Name") or ""),)


def _plausible(item: SentCreate, _text: str, candidate: Mapping[str, Any]) -> bool:
    names = tuple(n for n in OPPORTUNITY_FIELDS if n in item.record)
    return _comparable(candidate, names) == _comparable(item.record, names)


# Created by this user since we sent it, with the Name we sent and every field we sent equal.
OPPORTUNITY_LOOKUP = LookupSpec(OPPORTUNITY, OPPORTUNITY_FIELDS, "Name", _bucket, _plausible)


def stage_facts(describe: Mapping[str, Any]) -> PicklistFacts:
    """The org's active stages (in its order) and its default stage, from Opportunity's describe."""
    return picklist_facts(describe, "StageName")


def opportunity_record(fields: Mapping[str, Any], *, name: str, account_id: str | None, owner_id: str | None,
                       default_stage: str | None) -> dict[str, Any]:
    """The Opportunity for an opportunity's form fields (pure: the handler adds what the run knows)."""
    amount = fields.get("amount")
    record: dict[str, Any] = {
        "attributes": {"type": OPPORTUNITY},
        "Name": name,
        "AccountId": account_id,
        "StageName": str(fields.get("stage") or "").strip() or default_stage,
        "CloseDate": str(fields.get("close_date") or "")[:10] or None,
        "Amount": round(float(amount), 2) if isinstance(amount, int | float) and not isinstance(amount, bool) else None,
        "OwnerId": owner_id,
        "Description": str(fields.get("note") or "").strip() or None,
    }
    return {k: v for k, v in record.items() if v is not None}


class OpportunityHandler(ActivityHandler):
    kind: ClassVar[ItemKind] = ItemKind.OPPORTUNITY
    sobject: ClassVar[str] = OPPORTUNITY
    sobjects: ClassVar[tuple[str, ...]] = (OPPORTUNITY,)
    groups: ClassVar[tuple[str, ...]] = (OPPORTUNITY, f"update:{OPPORTUNITY}")
    lookups: ClassVar[tuple[LookupSpec, ...]] = (OPPORTUNITY_LOOKUP,)
    title_max: ClassVar[int | None] = 120

    def rules(self, activity: ActivityDraftValue) -> list[LimitProblem]:
        return [] if activity.what_id else [LimitProblem("client", NO_ACCOUNT)]

    def lead_id(self, w: PushWork) -> str | None:
        return None  # on an account, never on a Lead: nothing to re-target

    async def org_facts(self, run: PushRun, fields: frozenset[str]) -> dict[str, Any]:
        describe = await run.gate.call(run.client.describe(OPPORTUNITY))  # cached: read with the fields
        return {"default_stage": stage_facts(describe).default}

    def payload(self, w: PushWork, run: PushRun, org: OrgFacts) -> dict[str, Any]:
        deal = activity_of(w)
        return opportunity_record(deal.fields, name=deal.sent_title or deal.title, account_id=deal.what_id,
                                  owner_id=run.user_id or None, default_stage=org.facts.get("default_stage"))


__all__ = ["NO_ACCOUNT", "OPPORTUNITY_LOOKUP", "OpportunityHandler", "opportunity_record", "stage_facts"]
