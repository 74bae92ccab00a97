"""Logged emails: a completed Task with ``TaskSubtype = Email``.

Why a Task and not an ``EmailMessage``: ``EmailMessage`` exists only in orgs with Email-to-Case or
Enhanced Email, and shows on a client's timeline only through an ``EmailMessageRelation`` per
address (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_emailmessage.htm);
a Task exists in every org, and ``TaskSubtype = Email`` is how Salesforce itself marks an email
logged as an activity (Email to Salesforce, the Outlook integration), so it shows with the email
icon in the activity timeline.  ``TaskSubtype`` can be set on create only
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm),
which suits a logged email: it is never updated from here (:class:`ActivityHandler`).

The Description (headers, body, attachment list) is built by :mod:`app.store.email_text`, cut to
Salesforce's 32,000 characters as the editor announced.  ``ActivityDate`` is the day the email was
sent.  A lost answer is looked up like any task (the shared ``TASK_LOOKUP``).

An email about no one (its addresses matched no client in the workspace) is first matched against
Salesforce, and per Settings → Sending either waits in the Outbox or gets a new Lead
(:mod:`app.sync.push.kinds.email_client`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from app.store import email_text
from app.store.activity_forms import parse_instant
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.store.types import utcnow
from app.sync import picklists
from app.sync.push.kinds import email_client
from app.sync.push.kinds.activity import ActivityHandler, OrgFacts, activity_of
from app.sync.push.kinds.call import COMPLETED, closed_status
from app.sync.push.kinds.person import PersonHandler
from app.sync.push.kinds.task import TASK, TASK_LOOKUP
from app.sync.push.placement import HOLD_FOR
from app.sync.push.reconcile import LookupSpec
from app.sync.push.run import PushRun
from app.sync.push.title_templates import email_line

EMAIL_SUBTYPE = "Email"


def email_record(fields: dict[str, Any], *, status: str, owner_id: str | None, who_id: str | None,
                 what_id: str | None, subject: str | None = None) -> dict[str, Any]:
    """The Task for an email's form fields (pure: the handler adds what the run knows); ``subject`` is
    the title from the advisor's template in Settings → Sending, when it differs from the default."""
    sent = parse_instant(fields.get("sent"))
    line = subject or email_line(str(fields.get("subject") or ""))
    return {
        "attributes": {"type": TASK},
        "Subject": line,
        "ActivityDate": sent.astimezone().date().isoformat() if sent else None,
        "Status": status,
        "OwnerId": owner_id,
        "WhoId": who_id,
        "WhatId": None if (who_id or "").startswith("00Q") else what_id,  # a Lead takes no WhatId
        "Description": email_text.description(fields).text or None,
        "TaskSubtype": EMAIL_SUBTYPE,
    }


class EmailHandler(ActivityHandler):
    kind: ClassVar[ItemKind] = ItemKind.EMAIL
    sobject: ClassVar[str] = TASK
    sobjects: ClassVar[tuple[str, ...]] = (TASK,)
    groups: ClassVar[tuple[str, ...]] = (TASK, f"update:{TASK}")
    lookups: ClassVar[tuple[LookupSpec, ...]] = (TASK_LOOKUP,)
    optional: ClassVar[frozenset[str]] = frozenset({"TaskSubtype"})  # very old orgs lack it: still a Task

    async def push_ahead(self, run: PushRun) -> None:
        """Emails about no one: their client in Salesforce, or a new Lead (created now, once) if asked."""
        if await email_client.match_unmatched(run):
            await PersonHandler().create_people(run, "")  # each as added: the email's Lead stays a Lead

    async def send(self, group: str, chunk: list[PushWork], run: PushRun) -> list[int]:
        if group == self.create_group:
            nobody = [w for w in chunk if not activity_of(w).who_id and not activity_of(w).what_id]
            if nobody:  # only when the client exists in Salesforce: it waits, saying how to fix it
                words = f"{email_client.NO_CLIENT_REASON} {email_client.NO_CLIENT_FIX}"
                await run.ledger.hold([(w.outbox.id, email_client.NO_CLIENT_CODE, words, utcnow() + HOLD_FOR)
                                       for w in nobody])
                chunk = [w for w in chunk if w not in nobody]
            if not chunk:
                return []
        return await super().send(group, chunk, run)

    async def org_facts(self, run: PushRun, fields: frozenset[str]) -> dict[str, Any]:
        lists = await run.gate.call(picklists.cached_or_fetch(run.client, run.db, run.connection_id))
        return {"status": closed_status(lists)}

    def payload(self, w: PushWork, run: PushRun, org: OrgFacts) -> dict[str, Any]:
        email = activity_of(w)
        record = email_record(email.fields, status=str(org.facts.get("status") or COMPLETED),
                              owner_id=run.user_id or None, who_id=email.who_id, what_id=email.what_id,
                              subject=email.sent_title)
        if run.settings.task_key_field:  # the org's external-ID field for our key: an exact lookup
            record[run.settings.task_key_field] = w.outbox.key
        return {k: v for k, v in record.items() if v is not None}


__all__ = ["EMAIL_SUBTYPE", "EmailHandler", "email_record"]
