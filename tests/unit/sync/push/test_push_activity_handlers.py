"""The call and meeting handlers' pure parts: payloads, the org's optional fields, the 14-day rule,
grouping and the lost-create lookup of an Event (no store, no Salesforce)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.store.activities import ActivityDraftValue
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.store.tasks import TaskPicklists
from app.sync.push.kinds import HANDLERS
from app.sync.push.kinds.call import CallHandler, call_record, closed_status
from app.sync.push.kinds.meeting import EVENT_LOOKUP, MeetingHandler, duration_problems, meeting_record
from app.sync.push.reconcile import SentCreate
from tests.unit.sync.push.push_fixtures import WHEN, outbox_row, run_view

CONTACT, ACCOUNT, LEAD = "003000000000001AAA", "001000000000001AAA", "00Q000000000001AAA"
START = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)


def activity(kind: ItemKind, fields: dict[str, Any], **changes: Any) -> ActivityDraftValue:
    values: dict[str, Any] = dict(id=21, uid="2d9c5e6a-3333-4444-8555-666677778888", connection_id=1, kind=kind,
                                  contact_id=3, who_id=CONTACT, what_id=ACCOUNT, fields=fields, state="queued",
                                  remote_id=None, last_pushed_hash=None, created_at=WHEN, updated_at=WHEN)
    return ActivityDraftValue(**{**values, **changes})


def work(kind: ItemKind, fields: dict[str, Any], **changes: Any) -> PushWork:
    return PushWork(outbox_row(kind, 3), activity=activity(kind, fields, **changes))


CALL = {"when": START.isoformat(), "duration_minutes": 7, "direction": "Inbound", "outcome": "Reached", "note": ""}


def test_push_call_record_is_a_completed_call_task() -> None:
    record = call_record(CALL, status="Completed", owner_id="005A", who_id=CONTACT, what_id=ACCOUNT,
                         has_disposition=True)
    assert record["attributes"] == {"type": "Task"}
    assert (record["Subject"], record["TaskSubtype"], record["CallType"], record["CallDurationInSeconds"]) == \
        ("Inbound call — Reached", "Call", "Inbound", 420)
    assert (record["Status"], record["CallDisposition"], record["Description"]) == ("Completed", "Reached", None)
    assert (record["WhoId"], record["WhatId"], record["OwnerId"]) == (CONTACT, ACCOUNT, "005A")
    assert record["ActivityDate"] == START.astimezone().date().isoformat()  # the advisor's own date


def test_push_call_without_call_disposition_keeps_the_outcome_in_the_description() -> None:
    record = call_record({**CALL, "note": "Wants a meeting."}, status="Completed", owner_id=None, who_id=LEAD,
                         what_id=ACCOUNT, has_disposition=False)
    assert record["Description"] == "Outcome: Reached\n\nWants a meeting."
    assert record["WhatId"] is None  # a Lead takes no WhatId


def test_push_call_subject_never_cuts_the_outcome() -> None:
    outcome = "y" * 255
    record = call_record({**CALL, "outcome": outcome}, status="Completed", owner_id=None, who_id=CONTACT,
                         what_id=None, has_disposition=True)
    assert record["Subject"] == "Inbound call" and record["CallDisposition"] == outcome


def test_push_call_status_is_the_orgs_closed_one() -> None:
    assert closed_status(TaskPicklists(closed_statuses=("Completed", "Done"))) == "Completed"
    assert closed_status(TaskPicklists(closed_statuses=("Done",))) == "Done"
    assert closed_status(TaskPicklists()) == "Completed"


def test_push_meeting_lasts_at_most_14_days_and_ends_after_it_starts() -> None:
    def fields(length: timedelta) -> dict[str, Any]:
        return {"start": START.isoformat(), "end": (START + length).isoformat()}

    assert duration_problems(fields(timedelta(days=14))) == []
    [long] = duration_problems(fields(timedelta(days=14, minutes=1)))
    assert long.field == "end" and "at most 14 days" in long.message
    [backwards] = duration_problems(fields(-timedelta(minutes=5)))
    assert "ends before it starts" in backwards.message
    assert duration_problems({"start": None, "end": None}) == []  # the form says "choose when"


def test_push_meeting_record_is_an_event_on_the_client_in_utc() -> None:
    record = meeting_record({"subject": "", "start": START.isoformat(), "end": (START + timedelta(hours=1)).isoformat(),
                             "location": " ", "note": "Agenda"}, owner_id="005A", who_id=CONTACT, what_id=ACCOUNT)
    assert record == {"attributes": {"type": "Event"}, "Subject": "Meeting",
                      "StartDateTime": "2026-12-08T15:00:00.000+0000", "EndDateTime": "2026-12-08T16:00:00.000+0000",
                      "OwnerId": "005A", "WhoId": CONTACT, "WhatId": ACCOUNT, "Description": "Agenda"}


def test_push_activity_handlers_group_creates_and_hold_updates() -> None:
    call, meeting = HANDLERS[ItemKind.CALL], HANDLERS[ItemKind.MEETING]
    assert isinstance(call, CallHandler) and isinstance(meeting, MeetingHandler)
    run = run_view()
    assert call.group_of(work(ItemKind.CALL, CALL), run) == "Task"
    assert call.group_of(work(ItemKind.CALL, CALL, remote_id="00T1"), run) == "update:Task"
    assert meeting.record_object(work(ItemKind.MEETING, {}), run) == "Event"
    assert call.lead_id(work(ItemKind.CALL, CALL, who_id=LEAD)) == LEAD
    too_long = work(ItemKind.MEETING, {"subject": "Retreat", "start": START.isoformat(),
                                       "end": (START + timedelta(days=20)).isoformat(), "location": "", "note": ""})
    assert [p.field for p in meeting.problems(too_long)] == ["end"]
    assert [p.field for p in call.problems(work(ItemKind.CALL, {**CALL, "outcome": "z" * 300}))] == ["outcome"]


def test_push_event_lookup_knows_one_instant_in_any_spelling() -> None:
    sent = meeting_record({"subject": "Review", "start": START.isoformat(),
                           "end": (START + timedelta(hours=1)).isoformat()}, owner_id="005A", who_id=CONTACT,
                          what_id=None)
    item = SentCreate(1, "k", START, sent)
    found = {**sent, "Id": "00U1", "StartDateTime": "2026-12-08T15:00:00Z", "EndDateTime": "2026-12-08T16:00:00.000Z",
             "WhoId": CONTACT[:15]}
    assert EVENT_LOOKUP.plausible(item, "", found)
    assert not EVENT_LOOKUP.plausible(item, "", {**found, "StartDateTime": "2026-12-08T15:30:00Z"})
    assert EVENT_LOOKUP.bucket(found) == EVENT_LOOKUP.bucket(sent) == ("Review",)
