"""Logged calls: a completed Task with ``TaskSubtype = Call`` and the org's call fields.

``TaskSubtype`` (Task, Email, Call …) can be set on create only, and ``CallType`` (Inbound/Outbound),
``CallDurationInSeconds`` and ``CallDisposition`` (the outcome, 255 characters) belong to Salesforce
CRM Call Center, so an org may not have them: each is sent only when the org's describe lists it as
createable (:class:`~app.sync.push.kinds.activity.ActivityHandler`).  An org without
``CallDisposition`` still gets the outcome, as the first line of the description.
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm

A lost answer is looked up like any task (the shared ``TASK_LOOKUP``): the fields compared are the
task fields we sent, so a call is never found as someone's plain task with other values.
"""

from __future__ import annotations

from typing import Any, ClassVar

from app.store.activity_forms import parse_instant
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.store.tasks import TaskPicklists
from app.sync import picklists
from app.sync.push.kinds.activity import ActivityHandler, OrgFacts, activity_of
from app.sync.push.kinds.task import TASK, TASK_LOOKUP
from app.sync.push.limits import TASK_SUBJECT_MAX
from app.sync.push.reconcile import LookupSpec
from app.sync.push.run import PushRun

CALL_FIELDS = frozenset({"TaskSubtype", "CallType", "CallDurationInSeconds", "CallDisposition"})
COMPLETED = "Completed"


def closed_status(lists: TaskPicklists) -> str:
    """The org's "Completed" when it is a closed status, else its first closed status."""
    if COMPLETED in lists.closed_statuses or not lists.closed_statuses:
        return COMPLETED
    return lists.closed_statuses[0]


def call_record(fields: dict[str, Any], *, status: str, owner_id: str | None, who_id: str | None,
                what_id: str | None, has_disposition: bool, subject: str | None = None) -> dict[str, Any]:
    """The Task for a call's form fields (pure: the handler adds what the run knows)."""
    direction = str(fields.get("direction") or "Outbound")
    outcome = str(fields.get("outcome") or "").strip()
    note = str(fields.get("note") or "").strip()
    chosen_subject = subject
    subject = f"{direction} call" + (f" — {outcome}" if outcome else "")
    if len(subject) > TASK_SUBJECT_MAX:  # the outcome is kept whole in CallDisposition / the description
        subject = f"{direction} call"
    subject = chosen_subject or subject  # the advisor's template (Settings → Sending), when it changes it
    if outcome and not has_disposition:
        note = f"Outcome: {outcome}" + (f"\n\n{note}" if note else "")
    when = parse_instant(fields.get("when"))
    minutes = fields.get("duration_minutes")
    record: dict[str, Any] = {
        "attributes": {"type": TASK},
        "Subject": subject,
        "ActivityDate": when.astimezone().date().isoformat() if when else None,
        "Status": status,
        "OwnerId": owner_id,
        "WhoId": who_id,
        "WhatId": None if (who_id or "").startswith("00Q") else what_id,
        "Description": note or None,
        "TaskSubtype": "Call",
        "CallType": direction,
        "CallDurationInSeconds": int(minutes) * 60 if isinstance(minutes, int) else None,
        "CallDisposition": outcome or None,
    }
    return record


class CallHandler(ActivityHandler):
    kind: ClassVar[ItemKind] = ItemKind.CALL
    sobject: ClassVar[str] = TASK
    sobjects: ClassVar[tuple[str, ...]] = (TASK,)
    groups: ClassVar[tuple[str, ...]] = (TASK, f"update:{TASK}")
    lookups: ClassVar[tuple[LookupSpec, ...]] = (TASK_LOOKUP,)
    optional: ClassVar[frozenset[str]] = CALL_FIELDS

    async def org_facts(self, run: PushRun, fields: frozenset[str]) -> dict[str, Any]:
        lists = await run.gate.call(picklists.cached_or_fetch(run.client, run.db, run.connection_id))
        return {"status": closed_status(lists)}

    def payload(self, w: PushWork, run: PushRun, org: OrgFacts) -> dict[str, Any]:
        call = activity_of(w)
        record = call_record(call.fields, status=str(org.facts.get("status") or COMPLETED),
                             owner_id=run.user_id or None, who_id=call.who_id, what_id=call.what_id,
                             has_disposition="CallDisposition" in org.fields, subject=call.sent_title)
        if run.settings.task_key_field:  # the org's external-ID field for our key: an exact lookup
            record[run.settings.task_key_field] = w.outbox.key
        return {k: v for k, v in record.items() if v is not None}


__all__ = ["CALL_FIELDS", "CallHandler", "call_record", "closed_status"]
