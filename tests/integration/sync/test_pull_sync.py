"""Full and incremental pulls against the demo org: what arrives, what it costs, what the log says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.store import Database, accounts, contacts, events, people, sync_log, sync_state, users
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from tests.integration.sync.conftest import engine


def live(org: DemoOrg, sobject: str) -> list[dict]:
    return [r for r in org.records(sobject) if not r.get("IsDeleted")]


async def test_full_pull_brings_every_contact_with_account_users_and_meetings(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    cid = connection_id
    org.reset_stats()
    result = await engine(client, db, cid).run()

    assert result.outcome == "ok", result.message
    expected = live(org, "Contact")
    assert await db.run(lambda s: contacts.count(s, cid)) == len(expected)
    # 300 contacts: one page each for contacts, users, meetings — and the org counted exactly those.
    assert result.api_calls == 3 == org.stats()["api_calls"]
    assert result.counts["Contact.written"] == len(expected)

    sample = expected[7]
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, sample["Id"]))
    assert row is not None and row.name == sample["Name"] and row.email == sample["Email"]
    account = next(a for a in org.records("Account") if a["Id"] == sample["AccountId"])
    assert row.account_name == account["Name"] and row.account_sf_id == account["Id"]
    assert row.system_modstamp is not None and row.read_only is False

    active = [u for u in org.records("User") if u["IsActive"]]
    assert {u.sf_id for u in await db.run(lambda s: users.active(s, cid))} == {u["Id"] for u in active}

    # Meetings: only those of synced people, only within 90 days either side of today.
    now = datetime.now(UTC)
    people_ids = {c["Id"] for c in expected} | {c["AccountId"] for c in expected}
    wanted = {
        e["Id"] for e in live(org, "Event")
        if (e["WhoId"] in people_ids or e["WhatId"] in people_ids)
        and abs(datetime.fromisoformat(e["StartDateTime"]) - now) <= timedelta(days=90)
    }
    assert wanted, "the seed should have meetings in the window"
    assert await db.run(lambda s: events.count(s, cid)) == len(wanted)
    timeline = await db.run(lambda s: events.for_people(s, cid, [next(iter(
        e["WhoId"] for e in live(org, "Event") if e["Id"] in wanted))]))
    assert timeline and all(e.sf_id in wanted for e in timeline)

    logs = await db.run(lambda s: sync_log.entries(s, cid))
    assert len(logs) == 1
    entry = logs[0]
    assert entry.outcome == "ok" and entry.direction == "pull" and entry.api_calls == 3
    assert entry.finished_at is not None and entry.finished_at >= entry.started_at
    assert entry.counts["Contact.written"] == len(expected)


async def test_incremental_with_nothing_changed_costs_two_calls(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    await engine(client, db, connection_id).run()
    before = await db.run(lambda s: contacts.count(s, connection_id))
    org.reset_stats()
    result = await engine(client, db, connection_id).run()
    assert result.outcome == "ok"
    assert result.api_calls == org.stats()["api_calls"] <= 2
    assert await db.run(lambda s: contacts.count(s, connection_id)) == before
    cursor = await db.run(lambda s: sync_state.get_cursor(s, connection_id, "Contact"))
    assert cursor is not None and cursor.phase == "incremental" and cursor.next_records_url is None


async def test_incremental_brings_changes_new_records_and_deletions(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    cid = connection_id
    await engine(client, db, cid).run()
    existing = live(org, "Contact")
    changed, doomed = existing[3], existing[4]
    org.update_record("Contact", changed["Id"], {"Title": "Chief Grandparent", "MailingCity": "Zürich"})
    new_id = org.create_record("Contact", {"FirstName": "Siobhán", "LastName": "O'Brien",
                                           "Email": "siobhan@example.org", "Phone": "(555) 123-4567",
                                           "AccountId": changed["AccountId"]})
    org.delete_record(doomed["Id"])

    result = await engine(client, db, cid).run()

    assert result.outcome == "ok"
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, changed["Id"]))
    assert row is not None and row.title == "Chief Grandparent" and row.mailing_city == "Zürich"
    hits = await db.run(lambda s: contacts.search(s, cid, "obrien siob"))
    assert [h.contact.sf_id for h in hits] == [new_id]
    assert [h.contact.sf_id for h in await db.run(lambda s: contacts.search(s, cid, "555 123"))] == [new_id]
    gone = await db.run(lambda s: contacts.get_by_sf_id(s, cid, doomed["Id"]))
    assert gone is not None and gone.is_deleted
    assert doomed["Id"] not in {h.contact.sf_id for h in await db.run(
        lambda s: contacts.search(s, cid, doomed["LastName"], 500))}
    assert await db.run(lambda s: contacts.count(s, cid)) == len(existing)  # +1 new, -1 deleted
    assert result.counts.get("Contact.deleted") == 1


async def test_records_with_equal_timestamps_around_the_cursor_are_not_missed(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    """Two edits in the same second, one seen by a pull and one committed just after it: the
    overlap window and the Id tie-break bring the second one in."""
    cid = connection_id
    await engine(client, db, cid).run()
    first, second = live(org, "Contact")[10:12]
    org.update_record("Contact", first["Id"], {"Title": "first edit"})
    await engine(client, db, cid).run()
    org.update_record("Contact", second["Id"], {"Title": "second edit"})
    stamp = next(r for r in org.records("Contact") if r["Id"] == first["Id"])["SystemModstamp"]
    late = next(r for r in org.records("Contact") if r["Id"] == second["Id"])["SystemModstamp"]
    assert late >= stamp
    await engine(client, db, cid).run()
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, second["Id"]))
    assert row is not None and row.title == "second edit"


async def test_converted_leads_become_read_only_and_point_at_their_contact(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    cid = connection_id
    await engine(client, db, cid, include_leads=True).run()
    lead = next(r for r in live(org, "Lead") if not r["IsConverted"])
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, lead["Id"]))
    assert row is not None and row.source_object == "Lead" and not row.read_only

    contact_id = org.convert_lead(lead["Id"])
    result = await engine(client, db, cid, include_leads=True).run()

    assert result.outcome == "ok"
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, lead["Id"]))
    assert row is not None and row.read_only and row.is_converted
    assert row.converted_contact_id == contact_id
    converted = await db.run(lambda s: contacts.get_by_sf_id(s, cid, contact_id))
    assert converted is not None and converted.source_object == "Contact"


async def test_leads_are_left_out_unless_chosen(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    await engine(client, db, connection_id).run()
    assert await db.run(lambda s: contacts.count(s, connection_id, source_objects=["Lead"])) == 0


async def test_account_mode_syncs_households_as_clients(tmp_path: object) -> None:
    from pathlib import Path

    from tests.integration.sync.conftest import add_connection, client_for

    with DemoOrg(contacts=120, seed=3, person_accounts=True) as org:
        db = await Database.open(Path(str(tmp_path)) / "accounts.db")
        try:
            cid = await add_connection(db, org, client_object="Account")
            client, _ = client_for(org)
            async with client:
                result = await engine(client, db, cid, client_object="Account").run()
            assert result.outcome == "ok", result.message
            expected = live(org, "Account")
            assert await db.run(lambda s: contacts.count(s, cid, source_objects=["Account"])) == len(expected)
            person = next(a for a in expected if a.get("IsPersonAccount"))
            row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, person["Id"]))
            assert row is not None and row.email == person["PersonEmail"] and row.first_name == person["FirstName"]
            mirror = await db.run(lambda s: accounts.get_by_sf_id(s, cid, person["Id"]))
            assert mirror is not None and mirror.is_person_account
        finally:
            await db.close()


async def test_a_full_resync_sweeps_out_records_salesforce_no_longer_has(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    """Deleted records leave the recycle bin after 15 days, so a long-idle workspace gets a full
    pull; whatever that pull does not deliver is gone from the org and must leave the list."""
    cid = connection_id
    await engine(client, db, cid).run()
    victim = live(org, "Contact")[0]
    org.delete_record(victim["Id"])  # a full pull uses query, which never returns deleted records
    result = await engine(client, db, cid).run(full=True)
    assert result.counts.get("Contact.swept") == 1
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, victim["Id"]))
    assert row is not None and row.is_deleted
    assert await db.run(lambda s: people.live_count(s, cid, "Contact")) == len(live(org, "Contact"))


async def test_incremental_progress_says_checked_not_changed(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    """The overlap re-reads the last minutes' records whether or not they changed, so the status bar
    must not call them "changed" (it said "1 changed contact" after every demo start)."""
    await engine(client, db, connection_id).run()
    messages: list[str] = []
    second = PullEngine(client, db, connection_id, PullPreferences(), on_progress=lambda p: messages.append(p.message))
    assert (await second.run()).outcome == "ok"
    people_lines = [m for m in messages if "contact" in m]
    assert people_lines, messages
    assert all("changed" not in m for m in people_lines), people_lines
    assert any(m.startswith("Checked ") and m.endswith(" for changes") for m in people_lines), people_lines
