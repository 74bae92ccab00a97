"""The household pull: AccountContactRelation rows arrive where the org has the object (learned from a
global describe, never by spending a call on an ordinary pull), follow changes and deletions, and an
org without it is never asked for them."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from app.demo_org import DemoOrg
from app.store import Database
from app.store import settings as settings_rows
from app.store.models import AccountContactRelation
from app.sync.pull.households import HAS_RELATIONS_SETTING
from tests.integration.sync.conftest import add_connection, client_for, engine


async def _rows(db: Database) -> dict[str, AccountContactRelation]:
    return await db.run(lambda s: {r.sf_id: r for r in s.exec(select(AccountContactRelation)).all()})


async def test_household_relations_are_pulled_followed_and_deleted(tmp_path: Path) -> None:
    with DemoOrg(contacts=40, seed=3, contacts_to_multiple_accounts=True) as org:
        db = await Database.open(tmp_path / "ws.db")
        try:
            cid = await add_connection(db, org)
            client, _ = client_for(org)
            async with client:
                # Nothing known and no describe at hand: an ordinary pull spends no call on finding out.
                org.reset_stats()
                result = await engine(client, db, cid, include_households=True, include_events=False).run()
                assert result.ok and await _rows(db) == {}
                assert not any("sobjects" in r["path"].rsplit("/", 1)[-1] for r in org.stats()["requests"])

                # An explicit full re-sync asks, remembers the answer, and brings every relation.
                result = await engine(client, db, cid, include_households=True, include_events=False).run(full=True)
                assert result.ok, result.message
                expected = {r["Id"]: r for r in org.records("AccountContactRelation")}
                rows = await _rows(db)
                assert set(rows) == set(expected)
                indirect = next(r for r in expected.values() if not r["IsDirect"])
                row = rows[indirect["Id"]]
                assert (row.account_sf_id, row.contact_sf_id, row.roles, row.is_direct) == \
                    (indirect["AccountId"], indirect["ContactId"], indirect["Roles"], False)
                assert row.contact_name and row.account_name
                assert await db.run(lambda s: settings_rows.get(s, cid, HAS_RELATIONS_SETTING)) is True

                # Changes: a new relation arrives, a removed one is marked deleted, incrementally.
                accounts = [a["Id"] for a in org.records("Account")]
                contact = next(c for c in org.records("Contact") if c["AccountId"] != accounts[0])
                new_id = org.create_record("AccountContactRelation", {"AccountId": accounts[0],
                                                                      "ContactId": contact["Id"], "Roles": "Trustee"})
                org.delete_record(indirect["Id"])
                result = await engine(client, db, cid, include_households=True, include_events=False).run()
                assert result.ok, result.message
                rows = await _rows(db)
                assert rows[new_id].roles == "Trustee" and not rows[new_id].is_deleted
                assert rows[indirect["Id"]].is_deleted
        finally:
            await db.close()


async def test_household_relations_an_org_without_them_is_never_asked(tmp_path: Path) -> None:
    with DemoOrg(contacts=20, seed=3) as org:
        db = await Database.open(tmp_path / "ws.db")
        try:
            cid = await add_connection(db, org)
            client, _ = client_for(org)
            async with client:
                await client.describe_global()  # as the wizard's Preferences page does
                without = await engine(client, db, cid, include_events=False).run(full=True)
                result = await engine(client, db, cid, include_households=True, include_events=False).run(full=True)
                assert result.ok, result.message
                assert result.api_calls == without.api_calls, "not one call more for households"
                assert await db.run(lambda s: settings_rows.get(s, cid, HAS_RELATIONS_SETTING)) is False
                assert await _rows(db) == {}
        finally:
            await db.close()
