"""Which client a logged email is about, when the advisor's workspace had none for its addresses.

Settings → Sending: "only when the client exists in Salesforce / also create a Lead"
(:class:`~app.sync.push.base.UnmatchedEmail`).  Before a run sends its emails
(:meth:`EmailHandler.push_ahead`), an email queued about no one is matched against Salesforce itself —
the standard ``Email`` field of Contacts, then of open Leads, the sender's address first, as Email to
Salesforce matches addresses
(https://help.salesforce.com/s/articleView?id=sales.email_my_email_2_sfdc_considerations.htm).
Matched, it is sent on that person.  Not matched:

* **hold** (the default): it waits in the Outbox with :data:`NO_CLIENT_REASON` (what to do), and
  nothing is created;
* **create a Lead**: a new person is added the way "Add a person…" adds one — a workspace row with a
  provisional Id and a person outbox item, in the same transaction that ties the email to it — and
  created by the person push (:mod:`app.sync.push.prospects`: payload recorded first, a lost answer
  looked up by name and e-mail), so the Lead exists once however often the run is cut short; the
  email then goes on it.  ``LastName`` and ``Company`` are required on a Lead
  (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm):
  the name is the address's display name (else the part before the @), the company the person's
  own name, as for an individual.

The address used is the email's first one that is not the advisor's own (their User ``Email``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from email.utils import getaddresses
from functools import partial
from typing import Any

from app.salesforce import soql
from app.salesforce.errors import SalesforceError
from app.store import activities as activities_repo
from app.store import contacts as contacts_repo
from app.store import prospects as prospect_rows
from app.store.activities import ActivityDraftValue
from app.store.prospects import NewPerson
from app.store.types import utcnow
from app.sync.push.base import UnmatchedEmail
from app.sync.push.run import PushRun

log = logging.getLogger(__name__)

NO_CLIENT_CODE = "EMAIL_NO_CLIENT"
NO_CLIENT_REASON = "This email's address matches no client in Salesforce."
NO_CLIENT_FIX = ("Turn on “also create a Lead” in Settings → Sending, or choose the client "
                 "(“Attach to another client…”).")


def addresses(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """(display name, address) of the sender, then To, then Cc — each address once, lower-cased."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, address in getaddresses([str(fields.get(k) or "") for k in ("sender", "to", "cc")]):
        key = address.strip().casefold()
        if "@" in key and key not in seen:
            seen.add(key)
            out.append((name.strip(), key))
    return out


def new_person(name: str, address: str) -> NewPerson:
    """A Lead for an address: its display name split in two (else the part before the @)."""
    words = (name or address.split("@")[0]).replace('"', "").split()
    first, last = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else ("", (words or [address])[0])
    full = " ".join(w for w in (first, last) if w)
    return NewPerson(first_name=first[:40], last_name=last[:80], email=address, account_name=full[:255])


async def _in_salesforce(run: PushRun, wanted: Sequence[str]) -> dict[str, tuple[str, str | None]]:
    """address → (Contact or open Lead Id, its AccountId) for the addresses Salesforce has."""
    found: dict[str, tuple[str, str | None]] = {}
    for sobject, fields, extra in (("Contact", ["Id", "Email", "AccountId"], ""),
                                   ("Lead", ["Id", "Email"], " AND IsConverted = false")):
        rest = [a for a in wanted if a not in found]
        if not rest:
            break
        await run.gate.spend(1)
        query = soql.select(fields, sobject, where=soql.fmt("Email IN {}", rest) + extra,
                            order_by=["CreatedDate", "Id"])
        try:
            records = await run.gate.call(run.client.query_list(query))
        except SalesforceError as exc:  # this user may not read Leads: then no one is found there
            log.info("could not look emails up in %s: %s", sobject, exc.error_code)
            continue
        for record in records:
            key = str(record.get("Email") or "").casefold()
            found.setdefault(key, (str(record["Id"]), record.get("AccountId")))
    return found


async def _advisor_email(run: PushRun) -> str:
    if not run.user_id:
        return ""
    await run.gate.spend(1)
    try:
        rows = await run.gate.call(run.client.query_list(
            soql.select(["Email"], "User", where=soql.fmt("Id = {}", run.user_id), limit=1)))
    except SalesforceError:
        return ""
    return str(rows[0].get("Email") or "").casefold() if rows else ""


async def match_unmatched(run: PushRun) -> bool:
    """Tie the run's emails about no one to their client in Salesforce, or to a new Lead when the
    advisor asked for one.  True when a Lead was added (the person push must run again)."""
    now = utcnow()
    emails = await run.db.run(lambda s: activities_repo.emails_without_client(s, run.connection_id, now))
    if not emails:
        return False
    mine = await _advisor_email(run)
    theirs = {e.id: [(n, a) for n, a in addresses(e.fields) if a != mine] for e in emails}
    wanted = sorted({a for pairs in theirs.values() for _n, a in pairs})
    found = await _in_salesforce(run, wanted) if wanted else {}
    create = run.settings.unmatched_email == UnmatchedEmail.CREATE_LEAD
    added = False
    for email in emails:
        pairs = theirs[email.id]
        hit = next((found[a] for _n, a in pairs if a in found), None)
        if hit is not None:
            await run.db.run(partial(_tie, draft_id=email.id, ids=hit))
        elif create and pairs:
            added |= await run.db.run(partial(_add_lead, connection_id=run.connection_id, email=email, pair=pairs[0]))
    return added


def _tie(session: Any, *, draft_id: int, ids: tuple[str, str | None]) -> None:
    activities_repo.set_person_ids(session, draft_id, ids[0], ids[1])


def _add_lead(session: Any, *, connection_id: int, email: ActivityDraftValue, pair: tuple[str, str]) -> bool:
    """One transaction: the person with that address (the workspace's, else a new Lead, queued) and the
    email tied to them — so a second run never adds a second Lead for it.  True: someone is to create."""
    name, address = pair
    known = contacts_repo.by_emails(session, connection_id, [address])
    contact_id = known[0].id if known else prospect_rows.create(session, connection_id,
                                                                new_person(name, address), "Lead")
    assert contact_id is not None
    waiting = prospect_rows.get(session, contact_id) is not None  # not in Salesforce yet
    if waiting:
        prospect_rows.enqueue(session, contact_id)
    activities_repo.set_client(session, email.id, contact_id)
    return waiting


__all__ = ["NO_CLIENT_CODE", "NO_CLIENT_FIX", "NO_CLIENT_REASON", "addresses", "match_unmatched", "new_person"]
