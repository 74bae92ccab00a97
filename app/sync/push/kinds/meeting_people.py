"""A meeting's other attendees: related to the Event where the org shares activities, named otherwise.

Salesforce relates one contact or lead to an event (its ``WhoId``) unless the org has **Shared
Activities** on; then ``EventRelation`` rows with ``IsParent = true`` relate "up to 50 contacts or one
lead" to it (object reference, EventRelation:
https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-eventrelation.html).
``EventWhoIds`` cannot be written on create through REST, so the relations are separate records, sent
after the Event.

How the org is told apart: ``IsParent`` (with ``IsWhat`` and ``AccountId``) is a field of
EventRelation only in an org with Shared Activities — the field reference of an org without it lists
``IsInvitee`` but no ``IsParent``
(https://developer.salesforce.com/docs/atlas.en-us.sfFieldRef.meta/sfFieldRef/salesforce_field_reference_EventRelation.htm).
So one describe of EventRelation (cached by the client) says which.

What goes where (:func:`plan`, pure):

* shared, the client a contact: every other contact is related (at most 49 besides the client);
  leads — an event takes contacts *or* one lead — and anyone past the 50th are named in the
  Description ("Also attending: …");
* shared, the client a lead, or no shared activities: everyone else is named in the Description.

Exactly once: the Event is created through the protocol like any activity (a lost answer looked up);
the relations are then created in a step of their own, which first reads the relations the Event
already has and sends only the missing ones, so a lost answer or a crash between the two never
duplicates one (a duplicate that slips through is refused by Salesforce, and taken as done).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.salesforce import soql
from app.salesforce.errors import OutcomeUnknown, SalesforceError
from app.salesforce.results import SaveResult
from app.store import activities as activities_repo
from app.store.activities import ActivityDraftValue, Attendee
from app.store.outbox import PushWork
from app.store.prospects import is_provisional
from app.sync.push.run import PushRun

EVENT_RELATION = "EventRelation"
SHARED_FIELD = "IsParent"
MAX_CONTACTS = 50  # per event, the client included
CONTACT_PREFIX, LEAD_PREFIX = "003", "00Q"
ALSO = "Also attending"


@dataclass(frozen=True)
class Plan:
    related: tuple[str, ...]  # Salesforce Ids to relate with EventRelation (IsParent)
    named: tuple[str, ...]    # names written in the Description


def attendee_ids(activity: ActivityDraftValue) -> list[int]:
    return [int(p["id"]) for p in activity.fields.get("attendees") or () if isinstance(p, Mapping)]


def plan(primary: str | None, people: Sequence[Attendee], *, shared: bool) -> Plan:
    """Who is related and who is named, for the client ``primary`` and the others (pure)."""
    related: list[str] = []
    named: list[str] = []
    room = MAX_CONTACTS - 1
    can_relate = shared and bool(primary) and str(primary).startswith(CONTACT_PREFIX)
    for person in people:
        if person.sf_id and person.sf_id == primary:
            continue
        ok = (can_relate and person.sf_id.startswith(CONTACT_PREFIX) and not is_provisional(person.sf_id)
              and len(related) < room and person.sf_id not in related)
        if ok:
            related.append(person.sf_id)
        elif person.name and person.name not in named:
            named.append(person.name)
    return Plan(tuple(related), tuple(named))


def description(note: str | None, named: Sequence[str]) -> str | None:
    """The meeting's note with the people Salesforce could not relate, said plainly at the end."""
    text = (note or "").strip()
    if named:
        text = (text + "\n\n" if text else "") + f"{ALSO}: {', '.join(named)}"
    return text or None


def shared_in(described: Mapping[str, Any]) -> bool:
    """Does EventRelation's describe say the org shares activities?  (``IsParent``; see above.)"""
    return any(isinstance(f, dict) and f.get("name") == SHARED_FIELD for f in described.get("fields", []))


async def shares_activities(run: PushRun) -> bool:
    """Does this org relate several people to an event?"""
    try:
        described = await run.gate.call(run.client.describe(EVENT_RELATION))
    except SalesforceError:
        return False  # no EventRelation for this user: one person per event
    return shared_in(described)


async def people_of(run: PushRun, chunk: Sequence[PushWork]) -> dict[int, Attendee]:
    """The attendees of a chunk of meetings as the workspace knows them now (one read)."""
    ids = sorted({i for w in chunk if w.activity is not None for i in attendee_ids(w.activity)})
    if not ids:
        return {}
    return await run.db.run(lambda s: activities_repo.attendees(s, ids))


def people(activity: ActivityDraftValue, known: Mapping[int, Attendee]) -> list[Attendee]:
    """The draft's attendees, each as the workspace knows them now, else as the draft saved them."""
    out = []
    for p in activity.fields.get("attendees") or ():
        pid = int(p["id"])
        out.append(known.get(pid) or Attendee(pid, str(p.get("sf_id") or ""), "", str(p.get("name") or "")))
    return out


async def relate(run: PushRun, wanted: list[tuple[PushWork, str, str]]) -> dict[int, list[Any]]:
    """Create the EventRelation rows ``(item, event Id, person Id)`` the events do not have yet.

    Returns outbox id → the errors of its relations that failed (other than a duplicate)."""
    failed: dict[int, list[Any]] = {}
    if not wanted:
        return failed
    events = sorted({event for _w, event, _p in wanted})
    for _attempt in range(2):
        await run.gate.spend(1)
        have = await _existing(run, events)
        missing = [(w, e, p) for w, e, p in wanted if (e, p) not in have]
        if not missing:
            return failed
        records = [{"attributes": {"type": EVENT_RELATION}, "EventId": e, "RelationId": p, "IsParent": True,
                    "IsInvitee": False} for _w, e, p in missing]
        await run.gate.spend(1)
        try:
            results: list[SaveResult] = await run.client.create_many(records)
        except OutcomeUnknown:
            continue  # look again at what the events have, then send only what is still missing
        for (w, _e, _p), result in zip(missing, results, strict=True):
            errors = [e for e in result.errors if e.error_code != "DUPLICATE_VALUE"]
            if not result.success and errors:
                failed.setdefault(w.outbox.id, []).extend(errors)
        return failed
    raise run.gate.offline()


async def _existing(run: PushRun, events: list[str]) -> set[tuple[str, str]]:
    query = soql.select(["EventId", "RelationId"], EVENT_RELATION, where=soql.fmt("EventId IN {}", events))
    rows = await run.gate.call(run.client.query_list(query))
    return {(str(r.get("EventId")), str(r.get("RelationId"))) for r in rows}


__all__ = ["ALSO", "EVENT_RELATION", "MAX_CONTACTS", "Plan", "attendee_ids", "description", "people",
           "people_of", "plan", "relate", "shared_in", "shares_activities"]
