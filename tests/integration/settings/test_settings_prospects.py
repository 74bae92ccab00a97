"""New people through the outbox, against the demo org: Contact + household Account in one
all-or-nothing call, or a Lead with its Company; LeadSource; joining an existing household; the
provisional Id replaced everywhere; a lost response looked up instead of creating a duplicate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import NetworkError, ServerUnavailable
from app.store import Database
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import prospects as prospect_rows
from app.store import tasks as tasks_repo
from app.store.prospects import NewPerson
from app.sync.connection import ConnectionManager
from app.sync.push import prospects as prospect_push
from tests.integration.settings.settings_env import connect, first_contacts, make_org, pull


@dataclass
class Env:
    org: DemoOrg
    db: Database
    manager: ConnectionManager
    client: SalesforceClient
    cid: int
    spent: list[int]

    async def spend(self, calls: int) -> None:
        self.spent.append(calls)

    async def push(self, create_as: str = "Contact", lead_source: str = "Notebridge") -> prospect_push.PeopleReport:
        return await prospect_push.push_people(
            self.client, self.db, self.cid, create_as=create_as, lead_source=lead_source,
            user_id=self.org.user_id, spend=self.spend)

    async def add(self, person: NewPerson, create_as: str = "Contact") -> int:
        def work(session: Any) -> int:
            contact_id = prospect_rows.create(session, self.cid, person, create_as)
            prospect_rows.enqueue(session, contact_id)
            return contact_id

        return await self.db.run(work)

    def live(self, sobject: str) -> list[dict[str, Any]]:
        return [r for r in self.org.records(sobject) if not r.get("IsDeleted")]


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    with make_org(contacts=10, seed=9) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, connection = await connect(org, db)
        try:
            await pull(manager, db, include_leads=True)
            client = await manager.client()
            yield Env(org, db, manager, client, connection.connection_id, [])
        finally:
            await manager.aclose()
            await db.close()


async def test_a_new_contact_and_household_are_created_together_and_notes_follow(env: Env) -> None:
    contact_id = await env.add(NewPerson("Priya", "Natarajan", "priya@example.com", "+1 415 555 0199",
                                         "Natarajan Household"))
    provisional = (await env.db.run(lambda s: prospect_rows.get(s, contact_id))).sf_id  # type: ignore[union-attr]
    note = await env.db.run(lambda s: notes_repo.create(s, env.cid, contact_id=contact_id, title="Intro call"))
    task = await env.db.run(lambda s: tasks_repo.create(s, env.cid, contact_id=contact_id, subject="Send forms"))
    assert note.parent_sf_id == provisional and task.who_id == provisional
    calls = env.org.stats()["api_calls"]

    report = await env.push()
    assert len(report.created) == 1 and not report.failed
    assert env.org.stats()["api_calls"] == calls + 1 and env.spent == [1]  # one composite call
    _outbox_id, sobject, sf_id = report.created[0]
    contact = next(r for r in env.live("Contact") if r["Id"] == sf_id)
    assert sobject == "Contact" and contact["LastName"] == "Natarajan" and contact["LeadSource"] == "Notebridge"
    account = next(r for r in env.live("Account") if r["Id"] == contact["AccountId"])
    assert account["Name"] == "Natarajan Household"

    row = await env.db.run(lambda s: prospect_rows.get(s, contact_id))
    assert row is None  # no longer provisional
    note = await env.db.run(lambda s: notes_repo.get(s, note.id))
    task = await env.db.run(lambda s: tasks_repo.get(s, task.id))
    assert note is not None and note.parent_sf_id == sf_id
    assert task is not None and task.who_id == sf_id and task.what_id == contact["AccountId"]
    out = await env.db.run(lambda s: outbox_repo.active_for(s, "person", contact_id))
    assert out is None  # settled
    assert (await env.push()).created == []  # nothing left to send


async def test_a_full_pull_does_not_sweep_away_a_person_not_yet_in_salesforce(env: Env) -> None:
    from app.store import contacts as contacts_repo

    contact_id = await env.add(NewPerson("Kept", "Locally", "", "", "Locally Household"))
    await pull(env.manager, env.db, include_leads=True)  # a complete full pull sweeps what it did not see
    row = await env.db.run(lambda s: contacts_repo.get(s, env.cid, contact_id))
    assert row is not None and not row.is_deleted and prospect_rows.is_provisional(row.sf_id)


async def test_a_lead_gets_its_company_and_lead_source(env: Env) -> None:
    contact_id = await env.add(NewPerson("Omar", "Haddad", "", "", "Haddad Dental"), "Contact")
    report = await env.push(create_as="Lead", lead_source="Spring seminar")  # the setting at push time wins
    _id, sobject, sf_id = report.created[0]
    lead = next(r for r in env.live("Lead") if r["Id"] == sf_id)
    assert sobject == "Lead" and lead["Company"] == "Haddad Dental" and lead["LeadSource"] == "Spring seminar"
    assert "Email" not in lead or not lead["Email"]
    from app.store import contacts as contacts_repo

    row = await env.db.run(lambda s: contacts_repo.get(s, env.cid, contact_id))
    assert row is not None and row.sf_id == sf_id and row.source_object == "Lead"


async def test_joining_an_existing_household_creates_no_second_account(env: Env) -> None:
    people = await first_contacts(env.db, env.cid, 10)
    member = next(p for p in people if p.account_name and p.account_sf_id and p.source_object == "Contact")
    name = f"  {member.account_name.upper()} "
    accounts_before = len(env.live("Account"))
    await env.add(NewPerson("Sam", "Spouse", "sam@example.com", "", name.upper()))
    report = await env.push()
    assert len(report.created) == 1 and len(env.live("Account")) == accounts_before
    contact = next(r for r in env.live("Contact") if r["Id"] == report.created[0][2])
    assert contact["AccountId"][:15] == member.account_sf_id[:15]


async def test_salesforce_refusing_the_person_needs_attention_and_nothing_half_made(env: Env) -> None:
    env.org.enable_validation_rule("Contact", "Email", "Prospects need a work e-mail")
    accounts_before = len(env.live("Account"))
    contact_id = await env.add(NewPerson("Ann", "Lee", "ann@example.com", "", "Lee Household"))
    report = await env.push()
    assert report.failed and report.failed[0][1] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert len(env.live("Account")) == accounts_before  # all or nothing: no orphan household
    row = await env.db.run(lambda s: outbox_repo.active_for(s, "person", contact_id))
    assert row is not None and row.state == "failed" and "work e-mail" in (row.last_error_message or "")
    env.org.clear_validation_rules()
    await env.db.run(lambda s: prospect_rows.enqueue(s, contact_id))  # "Push again"
    assert len((await env.push()).created) == 1


async def test_a_lost_response_is_looked_up_not_sent_twice(env: Env) -> None:
    await env.add(NewPerson("Lost", "Response", "lost@example.com", "", "Response Household"))
    env.org.faults.drop_after_commit(1)
    report = await env.push()
    contacts = [r for r in env.live("Contact") if r.get("Email") == "lost@example.com"]
    assert len(contacts) == 1
    assert len(report.created) == 1 and report.created[0][2] == contacts[0]["Id"]


async def test_offline_keeps_the_person_waiting_and_stops(env: Env) -> None:
    contact_id = await env.add(NewPerson("Off", "Line", "", "", "Line Household"))
    env.org.faults.fail_next(20, status=503)
    with pytest.raises((NetworkError, ServerUnavailable)):  # the engine stops its run on this
        await env.push()
    env.org.faults.clear()
    row = await env.db.run(lambda s: outbox_repo.active_for(s, "person", contact_id))
    assert row is not None and row.state == "waiting" and row.next_try_at is not None
