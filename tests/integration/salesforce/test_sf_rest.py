"""The REST client against the demo org: queries, CRUD, collections, composite, metadata."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.demo_org import DemoOrg
from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import InvalidQuery, NotFound, SalesforceError
from tests.integration.salesforce.sf_org import client_for, make_org, signed_in


async def test_query_follows_every_page() -> None:
    with make_org(contacts=450) as org:
        result = await signed_in(org)
        client, _ = client_for(org, result)
        async with client:
            before = client.api_calls
            ids = [r["Id"] async for r in client.query("SELECT Id FROM Contact", batch_size=200)]
            assert len(ids) == len(set(ids)) == 450
            assert client.api_calls - before == 3  # 200 + 200 + 50
            page = await client.query_page("SELECT Id FROM Contact", batch_size=200)
            assert page.total_size == 450 and not page.done and page.next_records_url
            assert client.api_usage is not None and client.api_usage[0] >= client.api_calls


async def test_query_pages_travel_compressed(client: SalesforceClient) -> None:
    """Salesforce gzips responses for clients that accept it; a 2000-record page is ~1.5 MB of JSON
    and ~0.25 MB gzipped, which is most of a page's time on a slow office connection."""
    path = await client.data_path("query/")
    response = await client.request("GET", path, params={"q": "SELECT Id, Name, Email FROM Contact"})
    assert response.headers.get("content-encoding") == "gzip"
    page = await client.query_page("SELECT Id, Name, Email FROM Contact")
    assert page.records and all(r["Id"] for r in page.records)


async def test_a_read_response_is_freed_without_the_cycle_collector(client: SalesforceClient) -> None:
    """Pulls pause Python's cycle collector; a page's response (its whole body) must not wait for it."""
    import gc
    import weakref

    path = await client.data_path("query/")
    gc.collect()
    gc.disable()
    try:
        response = await client.request("GET", path, params={"q": "SELECT Id, Name FROM Contact"})
        assert response.content
        gone = weakref.ref(response)
        del response
        assert gone() is None
    finally:
        gc.enable()


async def test_query_escapes_user_text(client: SalesforceClient) -> None:
    contact_id = await client.create("Contact", {"LastName": "O'Brien \\ \"Q\" 100%_"})
    where = soql.fmt("LastName = {}", "O'Brien \\ \"Q\" 100%_")
    rows = await client.query_list(soql.select(["Id", "LastName"], "Contact", where=where))
    assert [r["Id"] for r in rows] == [contact_id]
    prefix = soql.fmt("LastName LIKE {:prefix}", "O'Brien \\")
    rows = await client.query_list(soql.select(["Id"], "Contact", where=prefix))
    assert [r["Id"] for r in rows] == [contact_id]
    injected = soql.fmt("LastName = {}", "x' OR LastName != '")
    assert await client.query_list(soql.select(["Id"], "Contact", where=injected)) == []


async def test_query_all_includes_deleted(client: SalesforceClient) -> None:
    contact_id = await client.create("Contact", {"LastName": "Gone"})
    await client.delete("Contact", contact_id)
    q = soql.select(["Id", "IsDeleted"], "Contact", where=soql.fmt("Id = {}", contact_id))
    assert await client.query_list(q) == []
    rows = await client.query_list(q, include_deleted=True)
    assert [(r["Id"], r["IsDeleted"]) for r in rows] == [(contact_id, True)]


async def test_bad_queries_raise_typed_errors(client: SalesforceClient) -> None:
    with pytest.raises(InvalidQuery) as info:
        await client.query_list("SELEC Id FROM Contact")
    assert info.value.error_code == "MALFORMED_QUERY" and info.value.status == 400
    with pytest.raises(InvalidQuery) as info:
        await client.query_list("SELECT NoSuchField__c FROM Contact")
    assert info.value.error_code == "INVALID_FIELD"


async def test_crud(client: SalesforceClient, org: DemoOrg) -> None:
    contact_id = await client.create("Contact", {"FirstName": "Ada", "LastName": "Lovelace"})
    assert contact_id.startswith("003") and len(contact_id) == 18
    assert (await client.retrieve("Contact", contact_id, ["LastName"]))["LastName"] == "Lovelace"
    await client.update("Contact", contact_id, {"LastName": "King"})
    assert (await client.retrieve("Contact", contact_id))["LastName"] == "King"
    await client.delete("Contact", contact_id)
    with pytest.raises(NotFound):
        await client.retrieve("Contact", contact_id)
    with pytest.raises(SalesforceError) as info:
        await client.create("Contact", {"FirstName": "NoLastName"})
    assert info.value.error_code == "REQUIRED_FIELD_MISSING" and "LastName" in info.value.fields


async def test_collections_in_chunks_with_per_record_results(client: SalesforceClient, org: DemoOrg) -> None:
    records = [{"attributes": {"type": "Contact"}, "LastName": f"Bulk{i:03d}"} for i in range(250)]
    records[7] = {"attributes": {"type": "Contact"}, "FirstName": "missing last name"}
    before = client.api_calls
    results = await client.create_many(records)
    assert client.api_calls - before == 2  # 200 + 50
    assert len(results) == 250
    assert not results[7].success and results[7].id is None
    assert results[7].errors[0].error_code == "REQUIRED_FIELD_MISSING"
    assert all(r.success and r.id for i, r in enumerate(results) if i != 7)
    ids = [r.id for r in results if r.id]
    updates = [{"attributes": {"type": "Contact"}, "Id": i, "Title": "Client"} for i in ids[:3]]
    assert all(r.success for r in await client.update_many(updates))
    deleted = await client.delete_many([*ids[:3], "003000000000000AAA"])
    assert [r.success for r in deleted] == [True, True, True, False]
    assert deleted[3].errors


async def test_composite_with_references(client: SalesforceClient) -> None:
    results = await client.composite([
        {"method": "POST", "url": client.sobject_url("Account"), "referenceId": "household",
         "body": {"Name": "The Smiths"}},
        {"method": "POST", "url": client.sobject_url("Contact"), "referenceId": "person",
         "body": {"LastName": "Smith", "AccountId": "@{household.id}"}},
    ])
    assert [r.reference_id for r in results] == ["household", "person"] and all(r.ok for r in results)
    contact = await client.retrieve("Contact", results[1].id or "", ["AccountId"])
    assert contact["AccountId"] == results[0].id
    halted = await client.composite([
        {"method": "POST", "url": client.sobject_url("Account"), "referenceId": "a", "body": {"Name": "X"}},
        {"method": "POST", "url": client.sobject_url("Contact"), "referenceId": "c", "body": {"FirstName": "no"}},
    ], all_or_none=True)
    assert not halted[1].ok and halted[1].errors[0].error_code == "REQUIRED_FIELD_MISSING"
    assert halted[0].errors and halted[0].errors[0].error_code == "PROCESSING_HALTED"


async def test_describe_is_cached_and_limits_update_usage(client: SalesforceClient) -> None:
    before = client.api_calls
    described = await client.describe("Contact")
    assert any(f["name"] == "LastName" for f in described["fields"])
    assert await client.describe("contact") is described
    assert client.api_calls - before == 1
    names = {s["name"] for s in (await client.describe_global())["sobjects"]}
    assert {"Contact", "Task", "Account"} <= names
    limits = await client.limits()
    daily = limits["DailyApiRequests"]
    assert client.api_usage == (daily["Max"] - daily["Remaining"], daily["Max"])


async def test_updated_and_deleted(client: SalesforceClient) -> None:
    """Replication covers whole minutes up to the last complete one, as Salesforce does."""
    now = datetime.now(UTC)
    since = now - timedelta(days=14)
    this_minute = now.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
    window = soql.fmt("SystemModstamp > {}", since)
    changed = [r for r in await client.query_list(soql.select(["Id", "SystemModstamp"], "Contact", where=window))
               if not r["SystemModstamp"].startswith(this_minute)]
    updated = await client.get_updated("Contact", since, now + timedelta(minutes=1))
    assert updated.latest_date_covered
    assert {r["Id"] for r in changed} <= set(updated.ids)
    deleted_window = soql.fmt("IsDeleted = true AND SystemModstamp > {}", since)
    gone = [r for r in await client.query_list(soql.select(["Id", "SystemModstamp"], "Contact",
                                                           where=deleted_window), include_deleted=True)
            if not r["SystemModstamp"].startswith(this_minute)]
    deleted = await client.get_deleted("Contact", since, now + timedelta(minutes=1))
    assert {r["Id"] for r in gone} <= {r.id for r in deleted.records}
    assert deleted.latest_date_covered and deleted.earliest_date_available
    with pytest.raises(SalesforceError) as info:
        await client.get_deleted("Contact", now - timedelta(days=40), now)
    assert info.value.error_code == "INVALID_REPLICATION_DATE"
    with pytest.raises(ValueError, match="timezone"):
        await client.get_updated("Contact", datetime(2024, 1, 1), now)


async def test_api_version_is_discovered_without_counting(org: DemoOrg) -> None:
    result = await signed_in(org)
    async with SalesforceClient(result.instance_url, result.access_token, ca_file=org.ca_file) as client:
        assert client.api_version is None
        await client.limits()
        assert client.api_version == result.api_version
        assert client.api_calls == 1


async def test_upsert_by_external_id_is_idempotent(client: SalesforceClient, org: DemoOrg) -> None:
    first = await client.upsert("Contact", "External_Id__c", "nb-42 ä?", {"LastName": "Upserted"})
    assert first.success and first.created is True and first.id
    org.faults.drop_after_commit(1)  # the retry of an upsert is safe: it updates the same record
    second = await client.upsert("Contact", "External_Id__c", "nb-42 ä?", {"LastName": "Again"})
    assert second.created is False and second.id == first.id
    matching = [r for r in org.records("Contact") if r.get("External_Id__c") == "nb-42 ä?"]
    assert len(matching) == 1 and matching[0]["LastName"] == "Again"
