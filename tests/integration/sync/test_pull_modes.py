"""The contact sync toggle and pick mode (search Salesforce, import chosen people, keep only them fresh)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.store import Database, contacts, events, sync_state
from app.sync.pull.pick import search_salesforce
from app.sync.pull.types import PullPreferences
from tests.integration.sync.conftest import engine


def live(org: DemoOrg, sobject: str) -> list[dict]:
    return [r for r in org.records(sobject) if not r.get("IsDeleted")]


async def test_toggle_off_keeps_synced_people_but_stops_updating_them(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    cid = connection_id
    await engine(client, db, cid).run()
    person = live(org, "Contact")[5]
    org.update_record("Contact", person["Id"], {"Title": "Changed while sync was off"})
    org.delete_record(live(org, "Contact")[6]["Id"])
    before = await db.run(lambda s: contacts.count(s, cid))
    org.reset_stats()

    off = await engine(client, db, cid, contacts_enabled=False).run()

    assert off.outcome == "off" and off.ok
    assert "not updated" in off.message
    assert "Contact.written" not in off.counts
    assert off.api_calls == 1  # meetings only
    assert await db.run(lambda s: contacts.count(s, cid)) == before
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, person["Id"]))
    assert row is not None and row.title != "Changed while sync was off"

    on = await engine(client, db, cid).run()
    assert on.outcome == "ok"
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, person["Id"]))
    assert row is not None and row.title == "Changed while sync was off"
    assert await db.run(lambda s: contacts.count(s, cid)) == before - 1


async def test_pick_mode_search_quotes_the_text_literally(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    ids = {
        name: org.create_record("Contact", {"FirstName": first, "LastName": name})
        for first, name in (("Siobhán", "O'Brien"), ("Rae", "Ratio100%"), ("Ray", "Ratio1000"),
                            ("Sam", "Snake_Case"), ("Sid", "SnakeXCase"))
    }
    prefs = PullPreferences(pick_mode=True)

    async def found(text: str) -> list[str]:
        return [m.sf_id for m in await search_salesforce(client, db, connection_id, prefs, text)]

    assert await found("O'Brien") == [ids["O'Brien"]]
    assert await found("100%") == [ids["Ratio100%"]]  # % is a character, not "anything"
    assert await found("e_C") == [ids["Snake_Case"]]  # _ is a character, not "any one character"
    assert await found("x") == []  # too short to search a whole org for
    assert await found("' OR Name != '") == []  # user text can never become SOQL


async def test_pick_mode_imports_only_chosen_people_and_keeps_only_them_fresh(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    cid = connection_id
    await db.run(lambda s: sync_state.set_pull_settings(s, cid, pick_mode=True))
    prefs = dict(pick_mode=True)
    everyone = live(org, "Contact")
    now = datetime.now(UTC)
    with_meetings = {e["WhoId"] for e in live(org, "Event")
                     if abs(datetime.fromisoformat(e["StartDateTime"]) - now) < timedelta(days=80)}
    chosen = [c for c in everyone if c["Id"] in with_meetings][:2]
    others = [c for c in everyone if c not in chosen]

    first = await engine(client, db, cid, **prefs).run()
    assert first.outcome == "ok" and "Contact.written" not in first.counts  # nothing picked yet
    matches = await search_salesforce(client, db, cid, PullPreferences(**prefs), chosen[0]["LastName"])
    assert chosen[0]["Id"] in {m.sf_id for m in matches}
    assert not any(m.in_workspace for m in matches)

    imported = await engine(client, db, cid, **prefs).import_picked([c["Id"] for c in chosen])
    assert imported.outcome == "ok", imported.message
    assert await db.run(lambda s: contacts.count(s, cid)) == 2
    assert set(await db.run(lambda s: sync_state.picked_ids(s, cid))) == {c["Id"] for c in chosen}
    assert await db.run(lambda s: events.for_people(s, cid, [chosen[0]["Id"]]))  # their meetings came too
    again = await search_salesforce(client, db, cid, PullPreferences(**prefs), chosen[0]["LastName"])
    assert next(m for m in again if m.sf_id == chosen[0]["Id"]).in_workspace

    org.update_record("Contact", chosen[0]["Id"], {"Title": "Picked and updated"})
    org.update_record("Contact", others[0]["Id"], {"Title": "Not picked"})
    org.delete_record(chosen[1]["Id"])
    org.reset_stats()
    later = await engine(client, db, cid, **prefs).run()

    assert later.outcome == "ok"
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, chosen[0]["Id"]))
    assert row is not None and row.title == "Picked and updated"
    assert await db.run(lambda s: contacts.get_by_sf_id(s, cid, others[0]["Id"])) is None
    gone = await db.run(lambda s: contacts.get_by_sf_id(s, cid, chosen[1]["Id"]))
    assert gone is not None and gone.is_deleted
    assert later.api_calls <= 3  # picked people (one query), users are fresh, meetings' changes

    missing = await engine(client, db, cid, **prefs).import_picked(["003000000000000AAA"])
    assert missing.outcome == "ok" and "could not be found" in missing.message


async def test_only_my_records_pulls_people_the_advisor_owns(
    org: DemoOrg, db: Database, client: SalesforceClient, connection_id: int
) -> None:
    cid = connection_id
    advisor = next(u["Id"] for u in org.records("User") if u["Username"] == org.info()["username"])
    mine = {c["Id"] for c in live(org, "Contact") if c["OwnerId"] == advisor}
    assert 0 < len(mine) < len(live(org, "Contact"))
    await db.run(lambda s: sync_state.set_pull_settings(s, cid))  # defaults
    result = await engine(client, db, cid, owner_id=advisor).run()
    assert result.outcome == "ok"
    assert await db.run(lambda s: contacts.count(s, cid)) == len(mine)
    theirs = next(c for c in live(org, "Contact") if c["OwnerId"] != advisor)
    assert await db.run(lambda s: contacts.get_by_sf_id(s, cid, theirs["Id"])) is None
