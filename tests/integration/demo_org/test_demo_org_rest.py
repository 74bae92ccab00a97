"""The REST API over plain HTTP: shapes, paging, limits and the error codes clients must handle."""
# ruff: noqa: S608 - strings built here are SOQL sent to the demo org, not SQL

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable

import httpx
import pytest

from app.demo_org import DemoOrg

Errors = Callable[[httpx.Response], list[str]]


def test_versions_list_is_public_and_not_counted(org: DemoOrg) -> None:
    before = org.stats()["api_usage"]
    response = httpx.get(f"{org.base_url}/services/data/", trust_env=False)
    assert response.status_code == 200
    assert "sforce-limit-info" not in response.headers
    versions = response.json()
    assert {"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"} in versions
    assert {"label": "Winter '24", "url": "/services/data/v59.0", "version": "59.0"} in versions
    assert org.stats()["api_usage"] == before


def test_every_call_counts_and_reports_usage(org: DemoOrg, api: httpx.Client) -> None:
    first = api.get("/limits")
    used, limit = first.headers["Sforce-Limit-Info"].removeprefix("api-usage=").split("/")
    second = api.get("/")
    assert second.headers["Sforce-Limit-Info"] == f"api-usage={int(used) + 1}/{limit}"
    assert int(limit) == 100_000
    assert first.json()["DailyApiRequests"]["Max"] == 100_000
    assert second.json()["sobjects"] == "/services/data/v62.0/sobjects"


def test_requests_without_a_valid_token(org: DemoOrg, errors_of: Errors) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = httpx.get(f"{org.base_url}/services/data/v62.0/limits", headers=headers, trust_env=False)
        assert response.status_code == 401
        assert errors_of(response) == ["INVALID_SESSION_ID"]
        assert "sforce-limit-info" not in response.headers
    unknown_version = httpx.get(f"{org.base_url}/services/data/v99.0/limits", trust_env=False)
    assert unknown_version.status_code == 404


def test_global_and_object_describe(org: DemoOrg, api: httpx.Client) -> None:
    described = api.get("/sobjects").json()
    names = {s["name"]: s for s in described["sobjects"]}
    assert {"Account", "Contact", "Lead", "Event", "Task", "Note", "ContentNote", "User"} <= set(names)
    assert names["ContentNote"]["createable"] is True and names["Contact"]["keyPrefix"] == "003"
    contact = api.get("/sobjects/Contact/describe").json()
    fields = {f["name"]: f for f in contact["fields"]}
    assert fields["LastName"]["length"] == 80 and fields["LastName"]["nillable"] is False
    assert fields["AccountId"]["referenceTo"] == ["Account"] and fields["AccountId"]["relationshipName"] == "Account"
    assert fields["External_Id__c"]["externalId"] is True
    assert fields["Name"]["createable"] is False
    task = {f["name"]: f for f in api.get("/sobjects/Task/describe").json()["fields"]}
    assert task["Status"]["restrictedPicklist"] is True and task["Status"]["defaultedOnCreate"] is True
    assert {p["value"] for p in task["Status"]["picklistValues"]} >= {"Not Started", "Completed"}
    assert api.get("/sobjects/Nope/describe").status_code == 404


def test_enhanced_notes_off_makes_content_note_read_only(client_for: Callable[..., httpx.Client],
                                                         errors_of: Errors) -> None:
    with DemoOrg(contacts=5, enhanced_notes=False) as org:
        api = client_for(org)
        names = {s["name"]: s for s in api.get("/sobjects").json()["sobjects"]}
        assert names["ContentNote"]["createable"] is False
        response = api.post("/sobjects/ContentNote", json={"Title": "x"})
        assert errors_of(response) == ["INVALID_TYPE_FOR_OPERATION"]


def test_crud_round_trip(api: httpx.Client, errors_of: Errors) -> None:
    account = api.post("/sobjects/Account", json={"Name": "Round Trip Household"}).json()
    assert account["success"] is True and account["errors"] == [] and account["id"].startswith("001")
    created = api.post("/sobjects/Contact", json={"FirstName": "Rita", "LastName": "Round",
                                                  "AccountId": account["id"], "Email": "rita@example.com"})
    assert created.status_code == 201
    contact_id = created.json()["id"]
    got = api.get(f"/sobjects/Contact/{contact_id}").json()
    assert got["attributes"] == {"type": "Contact", "url": f"/services/data/v62.0/sobjects/Contact/{contact_id}"}
    assert got["Name"] == "Rita Round" and got["IsDeleted"] is False
    assert got["CreatedDate"].endswith(".000+0000") and got["SystemModstamp"] == got["LastModifiedDate"]
    assert api.get(f"/sobjects/Contact/{contact_id[:15]}").json()["Id"] == contact_id
    assert api.get(f"/sobjects/Contact/{contact_id}", params={"fields": "Name,Email"}).json() == {
        "attributes": got["attributes"], "Name": "Rita Round", "Email": "rita@example.com"}
    assert api.patch(f"/sobjects/Contact/{contact_id}", json={"Title": "CFO"}).status_code == 204
    assert api.get(f"/sobjects/Contact/{contact_id}").json()["Title"] == "CFO"
    assert api.delete(f"/sobjects/Contact/{contact_id}").status_code == 204
    gone = api.get(f"/sobjects/Contact/{contact_id}")
    assert gone.status_code == 404 and errors_of(gone) == ["ENTITY_IS_DELETED"]
    assert errors_of(api.patch(f"/sobjects/Contact/{contact_id}", json={"Title": "x"})) == ["ENTITY_IS_DELETED"]
    assert errors_of(api.delete(f"/sobjects/Contact/{contact_id}")) == ["ENTITY_IS_DELETED"]


@pytest.mark.parametrize(("body", "code", "fields"), [
    ({"LastName": "x" * 81}, "STRING_TOO_LONG", ["LastName"]),
    ({"FirstName": "No Last"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
    ({"LastName": "A", "Nope__c": 1}, "INVALID_FIELD", []),
    ({"LastName": "A", "Name": "Computed"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["Name"]),
    ({"LastName": "A", "AccountId": "001Hs0000009999"}, "INVALID_CROSS_REFERENCE_KEY", ["AccountId"]),
    ({"LastName": "A", "AccountId": "not-an-id"}, "MALFORMED_ID", ["AccountId"]),
    ({"LastName": "A", "AccountId": "003Hs0000001000IAA"}, "FIELD_INTEGRITY_EXCEPTION", ["AccountId"]),
    ({"LastName": "A", "Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS", ["Email"]),
    ({"LastName": "A", "Birthdate": "01/02/1990"}, "JSON_PARSER_ERROR", ["Birthdate"]),
    ({"LastName": "A", "DoNotCall": "maybe"}, "JSON_PARSER_ERROR", ["DoNotCall"]),
])
def test_contact_validation(api: httpx.Client, body: dict, code: str, fields: list[str]) -> None:
    response = api.post("/sobjects/Contact", json=body)
    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == code and error["fields"] == fields and error["message"]


def test_task_picklists_and_rules(api: httpx.Client, errors_of: Errors) -> None:
    statuses = api.get("/query", params={"q": "SELECT MasterLabel, IsDefault, IsClosed FROM TaskStatus"}).json()
    default = [r["MasterLabel"] for r in statuses["records"] if r["IsDefault"]]
    assert default == ["Not Started"]
    contact = api.get("/query", params={"q": "SELECT Id, AccountId FROM Contact LIMIT 1"}).json()["records"][0]
    task = api.post("/sobjects/Task", json={"Subject": "Call back", "WhoId": contact["Id"]})
    assert task.status_code == 201
    stored = api.get(f"/sobjects/Task/{task.json()['id']}").json()
    assert (stored["Status"], stored["Priority"], stored["IsClosed"]) == ("Not Started", "Normal", False)
    bad = api.post("/sobjects/Task", json={"Subject": "x", "Status": "Done-ish"})
    assert errors_of(bad) == ["INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"]
    done = api.patch(f"/sobjects/Task/{task.json()['id']}", json={"Status": "Completed"})
    assert done.status_code == 204
    assert api.get(f"/sobjects/Task/{task.json()['id']}").json()["IsClosed"] is True
    lead = api.get("/query", params={"q": "SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1"}).json()
    lead_task = api.post("/sobjects/Task", json={"Subject": "x", "WhoId": lead["records"][0]["Id"],
                                                 "WhatId": contact["AccountId"]})
    assert errors_of(lead_task) == ["FIELD_INTEGRITY_EXCEPTION"]


def test_converted_leads_cannot_be_updated_or_referenced(api: httpx.Client, errors_of: Errors) -> None:
    lead = api.get("/query", params={"q": "SELECT Id, ConvertedContactId FROM Lead WHERE IsConverted = true "
                                          "LIMIT 1"}).json()["records"][0]
    assert lead["ConvertedContactId"].startswith("003")
    assert errors_of(api.patch(f"/sobjects/Lead/{lead['Id']}", json={"Rating": "Hot"})) == \
        ["CANNOT_UPDATE_CONVERTED_LEAD"]
    assert errors_of(api.post("/sobjects/Task", json={"Subject": "x", "WhoId": lead["Id"]})) == \
        ["CANNOT_UPDATE_CONVERTED_LEAD"]


def test_notes_and_content_notes(api: httpx.Client, errors_of: Errors) -> None:
    contact_id = api.get("/query", params={"q": "SELECT Id FROM Contact LIMIT 1"}).json()["records"][0]["Id"]
    assert errors_of(api.post("/sobjects/Note", json={"ParentId": contact_id, "Title": "t" * 81})) == \
        ["STRING_TOO_LONG"]
    assert errors_of(api.post("/sobjects/Note", json={"Title": "No parent"})) == ["REQUIRED_FIELD_MISSING"]
    assert errors_of(api.post("/sobjects/Note", json={"ParentId": contact_id, "Title": "x", "Body": "b" * 32001})) \
        == ["STRING_TOO_LONG"]
    recap = api.post("/sobjects/Note", json={"ParentId": contact_id, "Title": "Recap", "Body": "Fine"})
    assert recap.status_code == 201
    html = "<p>Discussed R&amp;D fund &lt;5%</p>\n<script>alert(1)</script>"
    note = api.post("/sobjects/ContentNote", json={"Title": "Meeting", "Content": base64.b64encode(html.encode())
                                                   .decode()})
    assert note.status_code == 201
    note_id = note.json()["id"]
    assert note_id.startswith("069")
    record = api.get(f"/sobjects/ContentNote/{note_id}").json()
    assert record["Content"] == f"/services/data/v62.0/sobjects/ContentNote/{note_id}/Content"
    content = api.get(record["Content"].removeprefix("/services/data/v62.0"))
    assert content.text == "<p>Discussed R&amp;D fund &lt;5%</p>", "newlines and unsafe HTML are stripped"
    link = api.post("/sobjects/ContentDocumentLink", json={"ContentDocumentId": note_id, "LinkedEntityId": contact_id,
                                                           "ShareType": "V"})
    assert link.status_code == 201
    duplicate = api.post("/sobjects/ContentDocumentLink", json={"ContentDocumentId": note_id,
                                                                "LinkedEntityId": contact_id, "ShareType": "V"})
    assert errors_of(duplicate) == ["DUPLICATE_VALUE"]
    links = api.get("/query", params={"q": f"SELECT LinkedEntityId, ShareType, Visibility FROM ContentDocumentLink "
                                           f"WHERE LinkedEntityId = '{contact_id}'"}).json()
    assert any(r["ShareType"] == "V" and r["Visibility"] == "AllUsers" for r in links["records"])
    assert errors_of(api.get("/query", params={"q": "SELECT Id FROM ContentDocumentLink"})) == ["MALFORMED_QUERY"]
    raw = base64.b64encode(b"Tom & Jerry <3").decode()
    assert errors_of(api.post("/sobjects/ContentNote", json={"Title": "x", "Content": raw})) == \
        ["FIELD_INTEGRITY_EXCEPTION"]
    assert errors_of(api.patch(f"/sobjects/ContentNote/{note_id}", json={"OwnerId": contact_id})) == \
        ["INVALID_FIELD_FOR_INSERT_UPDATE"]
    assert api.delete(f"/sobjects/ContentDocument/{note_id}").status_code == 204
    assert errors_of(api.get(f"/sobjects/ContentNote/{note_id}")) == ["ENTITY_IS_DELETED"]


def test_query_paging_with_batch_size(org: DemoOrg, api: httpx.Client) -> None:
    org.reset_stats()
    soql = "SELECT Id, Name, Account.Name FROM Contact ORDER BY Id"
    page = api.get("/query", params={"q": soql}, headers={"Sforce-Query-Options": "batchSize=200"}).json()
    total, seen, pages = page["totalSize"], [], 1
    assert total >= 120
    seen += page["records"]
    while not page["done"]:
        url = page["nextRecordsUrl"]
        assert url.startswith("/services/data/v62.0/query/01g") and url.endswith(f"-{len(seen)}")
        page = api.get(url.removeprefix("/services/data/v62.0")).json()
        seen += page["records"]
        pages += 1
    assert len(seen) == total and len({r["Id"] for r in seen}) == total
    assert [r["Id"] for r in seen] == sorted(r["Id"] for r in seen)
    assert pages == -(-total // 200)
    assert org.stats()["api_calls"] == pages


def test_default_page_is_2000_and_small_batch_sizes_are_raised_to_200(client_for: Callable[..., httpx.Client]
                                                                      ) -> None:
    with DemoOrg(contacts=2500, seed=5) as big:
        api = client_for(big)
        first = api.get("/query", params={"q": "SELECT Id FROM Contact"}).json()
        assert len(first["records"]) == 2000 and first["totalSize"] == 2500 and first["done"] is False
        small = api.get("/query", params={"q": "SELECT Id FROM Contact"},
                        headers={"Sforce-Query-Options": "batchSize=50"}).json()
        assert len(small["records"]) == 200
        rest = api.get(first["nextRecordsUrl"].removeprefix("/services/data/v62.0")).json()
        assert len(rest["records"]) == 500 and rest["done"] is True and "nextRecordsUrl" not in rest


def test_query_all_includes_deleted_rows(org: DemoOrg, api: httpx.Client) -> None:
    created = api.post("/sobjects/Contact", json={"LastName": "Ghost"}).json()["id"]
    api.delete(f"/sobjects/Contact/{created}")
    soql = f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{created}'"
    assert api.get("/query", params={"q": soql}).json()["totalSize"] == 0
    rows = api.get("/queryAll", params={"q": soql}).json()["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in rows] == [(created, True)]
    assert any(r["Id"] == created and r["IsDeleted"] for r in org.records("Contact"))


def test_query_errors_over_http(api: httpx.Client, errors_of: Errors) -> None:
    assert errors_of(api.get("/query", params={"q": "SELECT Id FROM Nope"})) == ["INVALID_TYPE"]
    assert errors_of(api.get("/query", params={"q": "SELECT Nope FROM Contact"})) == ["INVALID_FIELD"]
    malformed = api.get("/query", params={"q": "SELECT Id FROM Contact WHERE"})
    assert malformed.status_code == 400 and errors_of(malformed) == ["MALFORMED_QUERY"]
    assert "ERROR at Row:1:Column:" in malformed.json()[0]["message"]
    assert errors_of(api.get("/query")) == ["MALFORMED_QUERY"]
    assert errors_of(api.get("/query/01gHs00000NOPE0IAA-2000")) == ["INVALID_QUERY_LOCATOR"]
    count = api.get("/query", params={"q": "SELECT COUNT() FROM Contact WHERE LastName != null"}).json()
    assert count["records"] == [] and count["totalSize"] >= 120 and count["done"] is True


def test_bad_ids_in_urls(api: httpx.Client, errors_of: Errors) -> None:
    assert errors_of(api.get("/sobjects/Contact/abc")) == ["NOT_FOUND"]
    assert errors_of(api.patch("/sobjects/Contact/001Hs0000001000IAA", json={})) == ["MALFORMED_ID"]
    assert errors_of(api.get("/sobjects/Contact/003Hs00000ZZZZZIAA")) == ["NOT_FOUND"], "bad checksum: not an Id"
    missing = api.get("/sobjects/Contact/003Hs0000ZZZZZ")
    assert missing.status_code == 404 and errors_of(missing) == ["NOT_FOUND"]
    assert errors_of(api.get("/sobjects/Nope/003Hs0000001000IAA")) == ["NOT_FOUND"]
    assert api.put("/sobjects/Contact/003Hs0000001000IAA", json={}).status_code == 405
    not_json = api.post("/sobjects/Contact", content=b"{nope", headers={"Content-Type": "application/json"})
    assert errors_of(not_json) == ["JSON_PARSER_ERROR"]


def test_upsert_by_external_id(api: httpx.Client, errors_of: Errors) -> None:
    created = api.patch("/sobjects/Contact/External_Id__c/nb-42", json={"LastName": "Upsert"})
    assert created.status_code == 201 and created.json()["created"] is True
    updated = api.patch("/sobjects/Contact/External_Id__c/nb-42", json={"Title": "Owner"})
    assert updated.status_code == 200
    assert updated.json() == {"id": created.json()["id"], "success": True, "errors": [], "created": False}
    fetched = api.get("/sobjects/Contact/External_Id__c/nb-42").json()
    assert fetched["Title"] == "Owner" and fetched["External_Id__c"] == "nb-42"
    assert errors_of(api.patch("/sobjects/Contact/Email/x", json={"LastName": "x"})) == ["NOT_FOUND"]
    api.post("/sobjects/Contact", json={"LastName": "Twin", "External_Id__c": "dup-1"})
    api.post("/sobjects/Contact", json={"LastName": "Twin", "External_Id__c": "dup-1"})
    ambiguous = api.patch("/sobjects/Contact/External_Id__c/dup-1", json={"Title": "x"})
    assert ambiguous.status_code == 300 and len(ambiguous.json()) == 2


def test_upsert_update_before_api_46_answers_204(org: DemoOrg) -> None:
    token = org.mint_tokens()["access_token"]
    with httpx.Client(base_url=f"{org.base_url}/services/data/v45.0", trust_env=False,
                      headers={"Authorization": f"Bearer {token}"}) as old:
        assert old.patch("/sobjects/Lead/External_Id__c/old-1", json={"LastName": "L", "Company": "C"}
                         ).status_code == 201
        assert old.patch("/sobjects/Lead/External_Id__c/old-1", json={"Rating": "Hot"}).status_code == 204


def test_updated_and_deleted_resources(org: DemoOrg, api: httpx.Client, errors_of: Errors) -> None:
    made = api.post("/sobjects/Account", json={"Name": "Replicated"}).json()["id"]
    gone = api.post("/sobjects/Account", json={"Name": "Doomed"}).json()["id"]
    api.delete(f"/sobjects/Account/{gone}")
    window = {"start": "2000-01-01T00:00:00+00:00", "end": "2100-01-01T00:00:00+00:00"}
    assert errors_of(api.get("/sobjects/Account/updated/", params=window)) == ["INVALID_REPLICATION_DATE"]
    now = dt.datetime.now(dt.UTC)
    recent = {"start": (now - dt.timedelta(days=1)).isoformat(), "end": (now + dt.timedelta(minutes=2)).isoformat()}
    updated = api.get("/sobjects/Account/updated/", params=recent).json()
    assert set(updated) == {"ids", "latestDateCovered"} and updated["latestDateCovered"].endswith(":00.000+0000")
    deleted = api.get("/sobjects/Account/deleted/", params=recent).json()
    assert set(deleted) == {"deletedRecords", "earliestDateAvailable", "latestDateCovered"}
    # Covered up to the start of the current minute (seconds are ignored): compare with the stored rows.
    low = (now - dt.timedelta(days=1)).replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    high = updated["latestDateCovered"]
    rows = [r for r in org.records("Account") if low <= r["SystemModstamp"] < high]
    assert set(updated["ids"]) == {r["Id"] for r in rows if not r["IsDeleted"]}
    assert {d["id"] for d in deleted["deletedRecords"]} == {r["Id"] for r in rows if r["IsDeleted"]}
    assert gone not in updated["ids"] and made not in {d["id"] for d in deleted["deletedRecords"]}
    assert errors_of(api.get("/sobjects/Account/updated/", params={"start": "x", "end": "y"})) == \
        ["INVALID_REPLICATION_DATE"]
    assert errors_of(api.get("/sobjects/Account/deleted/")) == ["MISSING_ARGUMENT"]
