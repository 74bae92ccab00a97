"""Household members from the Contacts under an Account and from AccountContactRelation rows: one
list, each person once, direct members first, bounded for a company-sized Account."""

from __future__ import annotations

from typing import Any

from app.store import Database, contacts, households


def _contact(i: int, account: str, name: str) -> dict[str, Any]:
    return {"sf_id": f"003{i:012d}AAA", "source_object": "Contact", "first_name": name.split()[0],
            "last_name": name.split()[-1], "name": name, "account_sf_id": account, "account_name": "Ng Household"}


def _relation(i: int, account: str, contact: str, name: str, *, direct: bool, roles: str | None,
              deleted: bool = False) -> dict[str, Any]:
    return {"sf_id": f"07k{i:012d}AAA", "account_sf_id": account, "contact_sf_id": contact, "account_name": None,
            "contact_name": name, "roles": roles, "is_direct": direct, "is_active": True, "system_modstamp": None,
            "is_deleted": deleted}


async def test_household_members_merge_contacts_and_relations(db: Database, cid: int) -> None:
    home = "001000000000001AAA"

    def write(session: Any) -> None:
        contacts.upsert_many(session, cid, [_contact(1, home, "Ana Ng"), _contact(2, home, "Bo Ng"),
                                            _contact(3, "001000000000002AAA", "Cy Park")])
        households.upsert_relations(session, cid, [
            _relation(1, home, "003000000000001AAA", "Ana Ng", direct=True, roles="Client"),
            _relation(2, home, "003000000000003AAA", "Cy Park", direct=False, roles="Trustee;Beneficiary"),
            _relation(3, home, "003000000000009AAA", "Di Far", direct=False, roles=None),  # not synced here
            _relation(4, home, "003000000000008AAA", "Ex Gone", direct=False, roles=None, deleted=True),
        ])

    await db.run(write)
    found = await db.run(lambda s: households.members(s, cid, home))
    assert [(m.name, m.direct, m.contact_id is not None, m.roles) for m in found] == [
        ("Ana Ng", True, True, ("Client",)), ("Bo Ng", True, True, ()),
        ("Cy Park", False, True, ("Trustee", "Beneficiary")), ("Di Far", False, False, ()),
    ]


async def test_household_members_are_bounded_for_a_company_sized_account(db: Database, cid: int) -> None:
    company = "001000000000007AAA"
    await db.run(lambda s: contacts.upsert_many(s, cid, [_contact(i, company, f"P{i:04d} Staff")
                                                          for i in range(1, 301)]))
    found = await db.run(lambda s: households.members(s, cid, company, 50))
    assert len(found) == 50
