"""Creating the people advisors add in Notebridge, before the notes and tasks written about them.

Per person, one API call:

* **Contact with an Account** (the default): a Composite request with ``allOrNone`` — the household
  Account, then the Contact with ``AccountId = @{account.id}`` — so Salesforce creates both or neither
  (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm).
  If the workspace already has exactly one Account of that name (adding a spouse to "Chen Household"),
  the Contact joins it instead of creating a second household.
* **Lead with a Company**: one create; ``Company`` and ``LastName`` are required
  (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm).

``LeadSource`` is set on both (Contact has the same standard field).  The payload is committed before
the request leaves; a lost response is looked up (same e-mail/name, created by this user since the
send) before anything is sent again, so a person is never created twice.  Once Salesforce has the
person, the provisional Id is replaced everywhere and notes/tasks waiting for it are released.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    ConcurrentLimitExceeded,
    ErrorDetail,
    NetworkError,
    OutcomeUnknown,
    RequestLimitExceeded,
    RestSessionRefused,
    SalesforceError,
    ServerUnavailable,
    SessionExpired,
    UnreadableResponse,
)
from app.salesforce.oauth_errors import OAuthError
from app.store import Database, outbox_holds
from app.store import prospects as prospect_rows
from app.store.kinds import ItemKind
from app.store.outbox import OutboxRow
from app.store.prospects import ProspectDraft
from app.store.types import utcnow
from app.sync.push.errors import Action, classify

log = logging.getLogger(__name__)

WAITING_FOR_PERSON = "WAITING_FOR_PERSON"
Spend = Callable[[int], Awaitable[None]]


@dataclass
class PeopleReport:
    created: list[tuple[int, str, str]] = field(default_factory=list)      # (outbox id, object, Id)
    failed: list[tuple[int, str, str]] = field(default_factory=list)       # (outbox id, code, message)
    waiting: list[tuple[int, str, str]] = field(default_factory=list)      # (outbox id, code, message)
    items: dict[int, int] = field(default_factory=dict)                    # outbox id → contact id


def records(person: ProspectDraft, create_as: str, lead_source: str, account_id: str | None) -> dict[str, Any]:
    """The Salesforce fields for one person (empty values left out, as Salesforce prefers)."""
    common = {"FirstName": person.first_name or None, "LastName": person.last_name, "Email": person.email or None,
              "Phone": person.phone or None, "LeadSource": lead_source or None}
    fields = {k: v for k, v in common.items() if v}
    if create_as == "Lead":
        return {"Lead": {**fields, "Company": person.account_name}}
    out: dict[str, Any] = {"Contact": fields}
    if account_id:
        out["Contact"] = {**fields, "AccountId": account_id}
    else:
        out["Account"] = {"Name": person.account_name}
    return out


async def push_people(
    client: SalesforceClient, db: Database, connection_id: int, *, create_as: str, lead_source: str,
    user_id: str, spend: Spend, retry_after: timedelta = timedelta(seconds=30),
) -> PeopleReport:
    """Create every due person.  Whole-request trouble (offline, limits, sign-in) propagates as the
    ``SalesforceError`` it is, after the person is settled as waiting — the engine stops its run.
    Only the workspace's writer process sends (:meth:`Database.claim_writer`)."""
    db.claim_writer()
    report = PeopleReport()
    now = utcnow()
    due = await db.run(lambda s: prospect_rows.due(s, connection_id, now))
    for row, person in due:
        report.items[row.id] = person.contact_id
        await _one(client, db, connection_id, row, person, create_as, lead_source, user_id, spend, retry_after,
                   report)
    if report.created:
        released = await db.run(lambda s: outbox_holds.release(s, connection_id, WAITING_FOR_PERSON))
        log.info("created %d new people in Salesforce; %d notes/tasks released", len(report.created), released)
    return report


async def _one(client: SalesforceClient, db: Database, cid: int, row: OutboxRow, person: ProspectDraft,
               create_as: str, lead_source: str, user_id: str, spend: Spend, retry_after: timedelta,
               report: PeopleReport) -> None:
    if row.sent_at is not None:  # sent before, answer lost: look before sending again
        found = await _look_up(client, row, user_id)
        if found is not None:
            await _created(db, row, person, found, report)
            return
    if create_as not in ("Contact", "Lead"):
        create_as = person.create_as
    account_id = None
    if create_as == "Contact":
        account_id = await db.run(lambda s: prospect_rows.account_named(s, cid, person.account_name))
    payload = records(person, create_as, lead_source, account_id)
    await spend(1)
    await db.run(lambda s: prospect_rows.mark_sending(s, row.id, {"records": payload, "as": create_as}))
    try:
        created = await _send(client, payload)
    except OutcomeUnknown:
        found = await _look_up(client, row, user_id, payload=payload, since=utcnow() - timedelta(minutes=5))
        if found is not None:
            await _created(db, row, person, found, report)
        else:
            await _wait(db, row, "OUTCOME_UNKNOWN", "Checking whether Salesforce saved this person.",
                        utcnow() + retry_after, report, keep_sent=True)
        return
    except (NetworkError, ServerUnavailable, RequestLimitExceeded, ConcurrentLimitExceeded, RestSessionRefused,
            SessionExpired, OAuthError, UnreadableResponse) as exc:
        # The whole request failed: the person waits, and the engine stops its run on this error.
        await _wait(db, row, getattr(exc, "error_code", "SIGNED_OUT"), str(exc), utcnow() + retry_after, report)
        raise
    except SalesforceError as exc:
        await _failed(db, row, [ErrorDetail(exc.error_code, exc.message, tuple(exc.fields))], report)
        return
    if isinstance(created, list):
        await _failed(db, row, created, report)
    else:
        await _created(db, row, person, created, report)


async def _send(client: SalesforceClient, payload: dict[str, Any]) -> tuple[str, str, str | None] | list[ErrorDetail]:
    """(object, Id, account Id) on success, else the errors."""
    if "Lead" in payload:
        lead_id = await client.create("Lead", payload["Lead"])
        return ("Lead", lead_id, None)
    if "Account" not in payload:
        contact_id = await client.create("Contact", payload["Contact"])
        return ("Contact", contact_id, payload["Contact"].get("AccountId"))
    subrequests = [
        {"method": "POST", "url": client.sobject_url("Account"), "referenceId": "account",
         "body": payload["Account"]},
        {"method": "POST", "url": client.sobject_url("Contact"), "referenceId": "contact",
         "body": {**payload["Contact"], "AccountId": "@{account.id}"}},
    ]
    results = await client.composite(subrequests, all_or_none=True)
    by_ref = {r.reference_id: r for r in results}
    account, contact = by_ref.get("account"), by_ref.get("contact")
    if account is not None and contact is not None and account.ok and contact.ok and contact.id:
        return ("Contact", contact.id, account.id)
    errors = [e for r in (account, contact) if r is not None for e in r.errors
              if e.error_code != "PROCESSING_HALTED"]
    return errors or [ErrorDetail("UNKNOWN_ERROR", "Salesforce did not create the person.", ())]


async def _look_up(client: SalesforceClient, row: OutboxRow, user_id: str, *, payload: dict[str, Any] | None = None,
                   since: datetime | None = None) -> tuple[str, str, str | None] | None:
    """Find the person a lost response may have created (by this user, since it was sent)."""
    sent = payload or (row.sent_payload or {}).get("records") or {}
    since = since or (row.sent_at - timedelta(minutes=5) if row.sent_at else utcnow() - timedelta(hours=1))
    sobject = "Lead" if "Lead" in sent else "Contact"
    fields = sent.get(sobject) or {}
    if not fields.get("LastName"):
        return None
    where = [soql.fmt("LastName = {}", fields["LastName"]), soql.fmt("CreatedById = {}", user_id),
             soql.fmt("CreatedDate >= {}", since)]
    if fields.get("Email"):
        where.append(soql.fmt("Email = {}", fields["Email"]))
    select = ["Id", "AccountId"] if sobject == "Contact" else ["Id"]
    rows = await client.query_list(soql.select(select, sobject, where=" AND ".join(where), limit=2))
    if len(rows) != 1:
        return None
    return (sobject, str(rows[0]["Id"]), rows[0].get("AccountId") if sobject == "Contact" else None)


async def _created(db: Database, row: OutboxRow, person: ProspectDraft, created: tuple[str, str, str | None],
                   report: PeopleReport) -> None:
    sobject, sf_id, account_id = created
    await db.run(lambda s: prospect_rows.settle_pushed(s, row.id, person.contact_id, sf_id, account_id,
                                                       source_object=sobject))
    report.created.append((row.id, sobject, sf_id))


async def _failed(db: Database, row: OutboxRow, errors: list[ErrorDetail], report: PeopleReport) -> None:
    outcome = classify(errors, what=ItemKind.PERSON)
    if outcome.action is Action.RETRY:
        await _wait(db, row, outcome.code, outcome.message, utcnow() + timedelta(minutes=1), report)
        return
    await db.run(lambda s: prospect_rows.settle_failed(s, row.id, code=outcome.code, message=outcome.message,
                                                       hint=outcome.hint))
    report.failed.append((row.id, outcome.code, outcome.message))


async def _wait(db: Database, row: OutboxRow, code: str, reason: str, when: datetime | None, report: PeopleReport,
                *, keep_sent: bool = False) -> None:
    await db.run(lambda s: prospect_rows.settle_waiting(s, row.id, code=code, reason=reason, next_try_at=when,
                                                        keep_sent=keep_sent))
    report.waiting.append((row.id, code, reason))
