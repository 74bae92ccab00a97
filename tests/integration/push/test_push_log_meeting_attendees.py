"""A meeting with several attendees, pushed by the real engine against the demo org: related with
EventRelation where the org shares activities, named in the Description where it does not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.store import activities as activities_repo
from app.store import outbox_bulk
from app.store.activities import ActivityDraftValue
from app.store.kinds import ItemKind
from app.store.models import Contact
from app.sync.push.status import PushStatus
from tests.integration.push.conftest import PushEnv, workspace_env

START = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@pytest.fixture
async def shared(tmp_path: Path) -> AsyncIterator[PushEnv]:
    with DemoOrg(contacts=12, seed=5, shared_activities=True) as org:
        async with workspace_env(org, tmp_path / "workspace.db") as pushed:
            yield pushed


def _who(c: Contact) -> dict[str, Any]:
    return {"id": c.id, "sf_id": c.sf_id, "name": c.name}


async def _meeting(env: PushEnv, *others: Contact, note: str = "Bring statements") -> ActivityDraftValue:
    client = env.person()
    fields = {"subject": "Household review", "start": START.isoformat(),
              "end": (START + timedelta(hours=1)).isoformat(), "note": note,
              "attendees": [_who(o) for o in others]}
    return await env.db.run(lambda s: activities_repo.create(s, env.connection_id, ItemKind.MEETING,
                                                             contact_id=client.id, fields=fields))


def _relations(env: PushEnv, event_id: str) -> list[str]:
    return sorted(r["RelationId"] for r in env.live("EventRelation") if r["EventId"] == event_id)


def _ours(env: PushEnv) -> list[dict[str, Any]]:
    return [r for r in env.live("Event") if r["Subject"] == "Household review"]


async def test_log_meeting_with_shared_activities_relates_every_contact(shared: PushEnv) -> None:
    env = shared
    spouse, son = env.person(n=1), env.person(n=2)
    meeting = await _meeting(env, spouse, son)
    await env.queue(ItemKind.MEETING, meeting.id)

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 1, report
    [event] = _ours(env)
    assert event["WhoId"] == env.person().sf_id
    assert _relations(env, event["Id"]) == sorted([env.person().sf_id, spouse.sf_id, son.sf_id])
    assert event["Description"] == "Bring statements"  # nobody needed naming
    stored = await env.db.run(lambda s: activities_repo.get(s, meeting.id))
    assert stored is not None and stored.state == "pushed" and stored.remote_id == event["Id"]


async def test_log_meeting_with_shared_activities_names_a_lead_it_cannot_relate(shared: PushEnv) -> None:
    env = shared
    spouse, lead = env.person(n=1), env.person("Lead")
    meeting = await _meeting(env, spouse, lead)
    await env.queue(ItemKind.MEETING, meeting.id)

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 1, report
    [event] = _ours(env)
    assert _relations(env, event["Id"]) == sorted([env.person().sf_id, spouse.sf_id])
    assert event["Description"] == f"Bring statements\n\nAlso attending: {lead.name}"


async def test_log_meeting_without_shared_activities_names_the_others_in_the_description(env: PushEnv) -> None:
    spouse, son = env.person(n=1), env.person(n=2)
    meeting = await _meeting(env, spouse, son, note="")
    await env.queue(ItemKind.MEETING, meeting.id)

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 1, report
    [event] = _ours(env)
    assert event["WhoId"] == env.person().sf_id
    assert event["Description"] == f"Also attending: {spouse.name}, {son.name}"
    assert _relations(env, event["Id"]) == []  # nothing sent that this org cannot hold


async def test_log_meeting_lost_replies_never_duplicate_the_event_or_a_relation(shared: PushEnv) -> None:
    env = shared
    spouse, son = env.person(n=1), env.person(n=2)
    meeting = await _meeting(env, spouse, son)
    await env.queue(ItemKind.MEETING, meeting.id)
    env.org.faults.drop_after_commit(2)  # the Event's answer, then the relations' answer, are lost

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 1 and report.reconciled == 1, report
    assert env.org.faults.pending["drops"] == 0  # both answers were really lost
    [event] = _ours(env)
    assert _relations(env, event["Id"]) == sorted([env.person().sf_id, spouse.sf_id, son.sf_id])
    again = await env.push()  # nothing left to send, nothing sent twice
    assert again.status == PushStatus.NOTHING and len(_ours(env)) == 1
    assert len(_relations(env, event["Id"])) == 3


async def test_log_meeting_event_created_before_a_crash_gets_its_relations_once(shared: PushEnv) -> None:
    """A kill between the Event and its relations: the next run relates only what is missing."""
    env = shared
    spouse, son = env.person(n=1), env.person(n=2)
    meeting = await _meeting(env, spouse, son)
    [row] = await env.queue(ItemKind.MEETING, meeting.id)
    # As a run killed after the Event was recorded leaves it: created, one relation already there.
    event_id = env.org.create_record("Event", {"Subject": "Household review", "WhoId": env.person().sf_id,
                                               "StartDateTime": START.isoformat(),
                                               "EndDateTime": (START + timedelta(hours=1)).isoformat()})
    env.org.create_record("EventRelation", {"EventId": event_id, "RelationId": spouse.sf_id, "IsParent": True})
    await env.db.run(lambda s: outbox_bulk.record_created_many(s, [(row.id, event_id, None)]))

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 1, report
    assert len(_ours(env)) == 1
    assert _relations(env, event_id) == sorted([env.person().sf_id, spouse.sf_id, son.sf_id])


async def test_log_meeting_offline_keeps_the_draft_and_its_attendees(env: PushEnv) -> None:
    spouse = env.person(n=1)
    meeting = await _meeting(env, spouse)
    [row] = await env.queue(ItemKind.MEETING, meeting.id)
    env.org.faults.fail_next(50, status=503)

    report = await env.push()

    assert report.status == PushStatus.OFFLINE and report.pushed == 0, report
    assert _ours(env) == []
    stored = await env.db.run(lambda s: activities_repo.get(s, meeting.id))
    assert stored is not None and stored.remote_id is None
    assert stored.fields["attendees"] == [_who(spouse)]
    env.org.faults.clear()
    assert (await env.engine().push([row.id])).pushed == 1  # "Push now" when back online
    [event] = _ours(env)
    assert event["Description"] == f"Bring statements\n\nAlso attending: {spouse.name}"
