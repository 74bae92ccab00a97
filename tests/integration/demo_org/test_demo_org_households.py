"""The demo org's households: AccountContactRelation exists only with "Contacts to Multiple Accounts",
is described and queried like any object, and a new Contact under an Account gets its direct relation
the way Salesforce creates it."""

from __future__ import annotations

from app.demo_org import DemoOrg
from app.salesforce import soql
from tests.integration.sync.conftest import client_for


async def test_household_relations_exist_only_when_the_org_has_them() -> None:
    for enabled in (False, True):
        with DemoOrg(contacts=10, seed=4, contacts_to_multiple_accounts=enabled) as org:
            client, _ = client_for(org)
            async with client:
                names = {s["name"] for s in (await client.describe_global())["sobjects"]}
                assert ("AccountContactRelation" in names) is enabled
                if not enabled:
                    continue
                described = await client.describe("AccountContactRelation")
                fields = {f["name"]: f for f in described["fields"]}
                assert fields["IsDirect"]["createable"] is False and fields["Roles"]["type"] == "multipicklist"
                rows = await client.query_list(
                    "SELECT Id, AccountId, ContactId, Contact.Name, Account.Name, Roles, IsDirect "
                    "FROM AccountContactRelation ORDER BY SystemModstamp, Id")
                contacts = {c["Id"]: c for c in org.records("Contact")}
                direct = [r for r in rows if r["IsDirect"]]
                assert {r["ContactId"] for r in direct} == set(contacts), "every Contact has its direct relation"
                assert all(contacts[r["ContactId"]]["AccountId"] == r["AccountId"] for r in direct)
                assert any(not r["IsDirect"] for r in rows), "and some people belong to a second household"
                assert all(r["Contact"]["Name"] == contacts[r["ContactId"]]["Name"] for r in rows)


async def test_household_a_new_contact_gets_its_direct_relation() -> None:
    with DemoOrg(contacts=6, seed=4, contacts_to_multiple_accounts=True) as org:
        client, _ = client_for(org)
        async with client:
            account = org.records("Account")[0]["Id"]
            contact = await client.create("Contact", {"LastName": "Okafor", "AccountId": account})
            rows = await client.query_list(soql.fmt(
                "SELECT Id, AccountId, IsDirect FROM AccountContactRelation WHERE ContactId = {}", contact))
            assert [(r["AccountId"], r["IsDirect"]) for r in rows] == [(account, True)]
