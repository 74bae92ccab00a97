"""Meetings logged here: an Event on the client (``WhoId``; its account as ``WhatId`` unless a Lead).

``StartDateTime`` and ``EndDateTime`` are datetimes (sent in UTC), and Salesforce refuses an event
longer than 14 days (multiday events: "DurationInMinutes … up to 14 days"), so such a meeting is
stopped before it is sent, with the reason in the Outbox.
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm

The client is the main attendee (``WhoId``); the others the advisor added are related with
``EventRelation`` where the org shares activities, else named in the Description
(:mod:`app.sync.push.kinds.meeting_people`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from app.salesforce.errors import SalesforceError
from app.store.activities import ActivityDraftValue
from app.store.activity_forms import parse_instant
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.sync.push.kinds import meeting_people
from app.sync.push.kinds.activity import ActivityHandler, OrgFacts, activity_of
from app.sync.push.ledger import Ledger, Sent
from app.sync.push.limits import LimitProblem
from app.sync.push.mapping import fingerprint
from app.sync.push.reconcile import LookupSpec, SentCreate
from app.sync.push.run import PushRun

EVENT = "Event"
RELATE = f"relate:{meeting_people.EVENT_RELATION}"  # events created whose other attendees are still to relate
MAX_DURATION = timedelta(days=14)
EVENT_FIELDS = ("Subject", "StartDateTime", "EndDateTime", "Location", "OwnerId", "WhoId", "WhatId", "Description")
_INSTANTS = ("StartDateTime", "EndDateTime")


def sf_datetime(moment: datetime) -> str:
    """A datetime as Salesforce writes it back ("2026-12-04T09:30:00.000+0000")."""
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S}.000+0000"


def _comparable(record: Mapping[str, Any], names: tuple[str, ...]) -> str:
    values = dict(record)
    for name in _INSTANTS:  # "…Z", "…+0000" and "…+00:00" are one instant
        moment = parse_instant(str(values.get(name) or "").replace("+0000", "+00:00"))
        values[name] = moment.isoformat() if moment else values.get(name)
    return fingerprint(values, names)


def _bucket(record: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(record.get("Subject") or ""),)


def _plausible(item: SentCreate, _text: str, candidate: Mapping[str, Any]) -> bool:
    names = tuple(n for n in EVENT_FIELDS if n in item.record)
    return _comparable(candidate, names) == _comparable(item.record, names)


# Created by this user since we sent it, with the subject we sent and every field we sent equal.
EVENT_LOOKUP = LookupSpec(EVENT, EVENT_FIELDS, "Subject", _bucket, _plausible)


def duration_problems(fields: Mapping[str, Any]) -> list[LimitProblem]:
    """The end is after the start, and at most 14 days after it (pure; the handler's rule)."""
    start, end = parse_instant(fields.get("start")), parse_instant(fields.get("end"))
    if start is None or end is None:
        return []  # the form's own check says "choose when"
    if end < start:
        return [LimitProblem("end", "The meeting ends before it starts.")]
    if end - start > MAX_DURATION:
        days = (end - start) / timedelta(days=1)
        return [LimitProblem("end", f"This meeting lasts {days:.1f} days; Salesforce allows a meeting of "
                                    "at most 14 days. Change when it ends.")]
    return []


def meeting_record(fields: Mapping[str, Any], *, owner_id: str | None, who_id: str | None,
                   what_id: str | None, subject: str | None = None,
                   also: tuple[str, ...] = ()) -> dict[str, Any]:
    """The Event; ``also``: the other attendees Salesforce cannot relate, named in the Description."""
    start, end = parse_instant(fields.get("start")), parse_instant(fields.get("end"))
    record: dict[str, Any] = {
        "attributes": {"type": EVENT},
        "Subject": subject or str(fields.get("subject") or "").strip() or "Meeting",
        "StartDateTime": sf_datetime(start) if start else None,
        "EndDateTime": sf_datetime(end) if end else None,
        "Location": str(fields.get("location") or "").strip() or None,
        "OwnerId": owner_id,
        "WhoId": who_id,
        "WhatId": None if (who_id or "").startswith("00Q") else what_id,
        "Description": meeting_people.description(str(fields.get("note") or ""), also),
    }
    return {k: v for k, v in record.items() if v is not None}


class MeetingHandler(ActivityHandler):
    kind: ClassVar[ItemKind] = ItemKind.MEETING
    sobject: ClassVar[str] = EVENT
    sobjects: ClassVar[tuple[str, ...]] = (EVENT,)
    groups: ClassVar[tuple[str, ...]] = (EVENT, RELATE, f"update:{EVENT}")
    lookups: ClassVar[tuple[LookupSpec, ...]] = (EVENT_LOOKUP,)

    def rules(self, activity: ActivityDraftValue) -> list[LimitProblem]:
        return duration_problems(activity.fields)

    def group_of(self, w: PushWork, run: PushRun) -> str:
        if not activity_of(w).remote_id and w.outbox.remote_id and w.outbox.operation == "create":
            return RELATE  # the Event is in Salesforce; its other attendees are not related yet
        return super().group_of(w, run)

    async def chunk_facts(self, chunk: list[PushWork], run: PushRun) -> dict[str, Any]:
        if not any(meeting_people.attendee_ids(activity_of(w)) for w in chunk):
            return {}
        return {"shared": await meeting_people.shares_activities(run),
                "people": await meeting_people.people_of(run, chunk)}

    def _plan(self, w: PushWork, org: Mapping[str, Any]) -> meeting_people.Plan:
        meeting = activity_of(w)
        known = meeting_people.people(meeting, org.get("people") or {})
        return meeting_people.plan(meeting.who_id, known, shared=bool(org.get("shared")))

    def payload(self, w: PushWork, run: PushRun, org: OrgFacts) -> dict[str, Any]:
        meeting = activity_of(w)
        also = self._plan(w, org.facts).named if meeting_people.attendee_ids(meeting) else ()
        return meeting_record(meeting.fields, owner_id=run.user_id or None, who_id=meeting.who_id,
                              what_id=meeting.what_id, subject=meeting.sent_title, also=also)

    # -- the other attendees: a second step after the Event ----------------------------------------------
    def follows_up(self, w: PushWork) -> bool:
        return bool(meeting_people.attendee_ids(activity_of(w)))

    def settle_found(self, s: Sent, remote_id: str, sobject: str, ledger: Ledger) -> bool:
        if sobject == EVENT and self.follows_up(s.work):
            ledger.created(s, remote_id)
            return True  # found after a lost answer: its attendees are related next
        return super().settle_found(s, remote_id, sobject, ledger)

    async def send(self, group: str, chunk: list[PushWork], run: PushRun) -> list[int]:
        if group == RELATE:
            return await self.follow_up([(w, w.outbox.remote_id or "") for w in chunk], run)
        return await super().send(group, chunk, run)

    async def follow_up(self, created: list[tuple[PushWork, str]], run: PushRun) -> list[int]:
        """Relate each created Event's other contacts (only those it does not have yet), then done."""
        works = [w for w, _event in created]
        try:
            facts = await self.chunk_facts(works, run)
            wanted = [(w, event, person) for w, event in created if event
                      for person in self._plan(w, facts).related]
            failed = await meeting_people.relate(run, wanted)
        except SalesforceError as exc:
            await run.protocol.whole_call_failed(exc, works)
            return []
        retry: list[int] = []
        for w, event in created:
            if w.outbox.id in failed:
                retry += await run.protocol.item_failed(w, failed[w.outbox.id])
            else:
                run.ledger.pushed(w, event, EVENT, None)
        return retry


__all__ = ["EVENT_LOOKUP", "MeetingHandler", "duration_problems", "meeting_record", "sf_datetime"]
