"""The demo org's wire details checked against what Salesforce documents and sends (issue 20, items
4, 5, 7 and 8): where error bodies carry ``fields``, the activity lookups' labels in messages, the
form-encoded revoke error, and the per-app usage header; and (item 6) parent-to-child subqueries and
retrieving records by Id with a POST body."""
# ruff: noqa: S608 - the strings built here are SOQL sent to the demo org (fixture Ids), not SQL

from __future__ import annotations

import ssl
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest

from app.demo_org import DemoOrg
from app.salesforce.limits import usage_from_headers
from app.salesforce.oauth import parse_oauth_error_body, revoke


def _only(response: httpx.Response) -> dict[str, object]:
    body = response.json()
    assert isinstance(body, list) and len(body) == 1, body
    item = body[0]
    assert isinstance(item, dict)
    return item


def test_fidelity_request_level_errors_carry_no_fields(
    fresh_org: DemoOrg, client_for: Callable[..., httpx.Client],
) -> None:
    api = client_for(fresh_org)
    cases = {
        "INVALID_SESSION_ID": client_for(fresh_org, token="00Dnot!a-token").get("/limits"),
        "MALFORMED_QUERY": api.get("/query", params={"q": "SELECT FROM"}),
        "INVALID_FIELD": api.get("/query", params={"q": "SELECT Nope__x FROM Contact"}),
        "INVALID_QUERY_LOCATOR": api.get("/query/01gD0000002HU6KIAW-2000"),
        "NOT_FOUND": api.get("/sobjects/Contact/003000000000000AAA"),
    }
    for code, response in cases.items():
        item = _only(response)
        assert item["errorCode"] == code, (code, item)
        assert "fields" not in item and set(item) == {"message", "errorCode"}, item
    fresh_org.set_api_usage(fresh_org.stats()["api_limit"])
    limited = _only(api.get("/limits"))
    assert limited["errorCode"] == "REQUEST_LIMIT_EXCEEDED" and "fields" not in limited
    fresh_org.set_api_usage(0)
    fresh_org.concurrent_limit_next(1)
    busy = api.get("/limits")
    assert busy.status_code == 403 and "fields" not in _only(busy)
    assert _only(busy)["message"] == "ConcurrentPerOrgLongTxn Limit exceeded."


def test_fidelity_save_errors_keep_fields(fresh_org: DemoOrg, client_for: Callable[..., httpx.Client]) -> None:
    api = client_for(fresh_org)
    missing = _only(api.post("/sobjects/Contact", json={"FirstName": "No last name"}))
    assert missing["errorCode"] == "REQUIRED_FIELD_MISSING" and missing["fields"] == ["LastName"]
    contact = next(r["Id"] for r in fresh_org.records("Contact") if not r["IsDeleted"])
    fresh_org.delete_record(contact)
    deleted = _only(api.patch(f"/sobjects/Contact/{contact}", json={"Title": "x"}))
    assert "fields" in deleted and isinstance(deleted["fields"], list)
    collection = api.post("/composite/sobjects", json={"records": [
        {"attributes": {"type": "Contact"}, "FirstName": "Also no last name"}]}).json()
    [result] = collection
    assert result["success"] is False and result["errors"][0]["fields"] == ["LastName"]
    assert result["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"


@pytest.mark.parametrize(("field", "label", "wrong"), [
    ("WhoId", "Name ID", "Account"), ("WhatId", "Related To ID", "Contact"),
])
def test_fidelity_activity_lookup_labels_in_messages(
    org: DemoOrg, api: httpx.Client, field: str, label: str, wrong: str,
) -> None:
    target = next(r["Id"] for r in org.records(wrong) if not r["IsDeleted"])
    for sobject, extra in (("Task", {"Subject": "label check"}),
                           ("Event", {"Subject": "label check", "StartDateTime": "2026-05-01T10:00:00.000+0000",
                                      "EndDateTime": "2026-05-01T10:30:00.000+0000"})):
        item = _only(api.post(f"/sobjects/{sobject}", json={**extra, field: target}))
        assert item["errorCode"] == "FIELD_INTEGRITY_EXCEPTION", item
        assert str(item["message"]).startswith(f"{label}: id value of incorrect type"), item
        assert item["fields"] == [field]
    described = {f["name"]: f["label"] for f in api.get("/sobjects/Task/describe").json()["fields"]}
    assert described[field] == label


def test_fidelity_revoke_failure_is_form_encoded(fresh_org: DemoOrg) -> None:
    with httpx.Client(trust_env=False, timeout=20) as http:
        answer = http.post(fresh_org.login_url + "/services/oauth2/revoke", data={"token": "not-a-token"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert parse_qs(answer.text) == {"error": ["invalid_token"], "error_description": ["invalid token"]}
    assert parse_oauth_error_body(answer.content) == ("invalid_token", "invalid token")


async def test_fidelity_client_revoke_reads_the_form_encoded_failure(fresh_org: DemoOrg) -> None:
    tokens = fresh_org.mint_tokens()
    assert await revoke(fresh_org.login_url, tokens["refresh_token"]) is True
    assert await revoke(fresh_org.login_url, tokens["refresh_token"]) is False  # already dead: not an error


def test_fidelity_usage_header_sends_per_app_usage_where_the_app_has_a_quota() -> None:
    with DemoOrg(contacts=5, seed=2, api_limit=5000, app_api_limit=250) as org:
        token = org.mint_tokens()["access_token"]
        with httpx.Client(base_url=f"{org.base_url}/services/data/v62.0", trust_env=False, timeout=20,
                          headers={"Authorization": f"Bearer {token}"},
                          verify=ssl.create_default_context()) as api:
            org.set_api_usage(24, app_used=16)
            header = api.get("/limits").headers["Sforce-Limit-Info"]
    assert header == "api-usage=25/5000; per-app-api-usage=17/250(appName=Notebridge)"
    usage = usage_from_headers({"sforce-limit-info": header})
    assert usage is not None and usage.as_tuple() == (25, 5000)
    assert usage.per_app == (17, 250) and usage.app_name == "Notebridge"


def test_fidelity_usage_header_has_no_per_app_part_without_a_quota(api: httpx.Client) -> None:
    header = api.get("/limits").headers["Sforce-Limit-Info"]
    assert header.startswith("api-usage=") and "per-app" not in header


def test_fidelity_parent_to_child_subquery(fresh_org: DemoOrg, client_for: Callable[..., httpx.Client]) -> None:
    api = client_for(fresh_org)
    contact = next(r for r in fresh_org.records("Contact") if not r["IsDeleted"])
    for n, subject in enumerate(("fidelity a", "fidelity b", "fidelity c")):
        fresh_org.create_record("Task", {"Subject": subject, "WhoId": contact["Id"],
                                         "ActivityDate": f"2026-0{n + 1}-01"})
    soql = (f"SELECT Id, Name, (SELECT Subject FROM Tasks WHERE Subject LIKE 'fidelity%' "
            f"ORDER BY ActivityDate DESC LIMIT 2) FROM Contact WHERE Id = '{contact['Id']}'")
    [row] = api.get("/query", params={"q": soql}).json()["records"]
    tasks = row["Tasks"]
    assert tasks["totalSize"] == 2 and tasks["done"] is True
    assert [t["Subject"] for t in tasks["records"]] == ["fidelity c", "fidelity b"]
    assert tasks["records"][0]["attributes"]["type"] == "Task"
    # A parent without matching children has null, not an empty block.
    none = api.get("/query", params={"q": soql.replace("fidelity%", "nothing%")}).json()["records"][0]
    assert none["Tasks"] is None
    # The Account's contacts, through the child relationship's plural name.
    account = api.get("/query", params={"q": f"SELECT Id, (SELECT Id FROM Contacts) FROM Account "
                                             f"WHERE Id = '{contact['AccountId']}'"}).json()["records"][0]
    assert contact["Id"] in {c["Id"] for c in account["Contacts"]["records"]}


def test_fidelity_subquery_limits_answer_in_salesforces_shape(api: httpx.Client) -> None:
    unknown = _only(api.get("/query", params={"q": "SELECT Id, (SELECT Id FROM Foos) FROM Contact"}))
    assert unknown["errorCode"] == "INVALID_TYPE" and "Didn't understand relationship 'Foos'" in str(unknown["message"])
    nested = _only(api.get("/query", params={
        "q": "SELECT Id, (SELECT Id, (SELECT Id FROM Tasks) FROM Contacts) FROM Account"}))
    assert nested["errorCode"] == "MALFORMED_QUERY" and "not supported by this demo org" in str(nested["message"])
    many = ", ".join(["(SELECT Id FROM Tasks)"] * 21)
    too_many = _only(api.get("/query", params={"q": f"SELECT Id, {many} FROM Contact"}))
    assert too_many["errorCode"] == "MALFORMED_QUERY" and "No more than 20" in str(too_many["message"])
    assert "fields" not in too_many


def test_fidelity_collections_retrieve_by_post(org: DemoOrg, api: httpx.Client) -> None:
    live = [r["Id"] for r in org.records("Contact") if not r["IsDeleted"]][:3]
    answer = api.post("/composite/sobjects/Contact", json={"ids": [*live, "003000000000000AAA"],
                                                           "fields": ["Id", "LastName"]})
    assert answer.status_code == 200
    body = answer.json()
    assert [r["Id"] for r in body[:3]] == live and body[3] is None  # request order; unknown Id → null
    assert set(body[0]) == {"attributes", "Id", "LastName"}
    same = api.get("/composite/sobjects/Contact", params={"ids": ",".join(live), "fields": "Id,LastName"}).json()
    assert same == body[:3]
    over = api.post("/composite/sobjects/Contact", json={"ids": [live[0]] * 2001, "fields": ["Id"]})
    assert over.status_code == 400 and _only(over)["errorCode"] == "EXCEEDED_ID_LIMIT"
    bad_field = api.post("/composite/sobjects/Contact", json={"ids": live, "fields": ["Nope__x"]})
    assert bad_field.status_code == 400 and _only(bad_field)["errorCode"] == "INVALID_FIELD"


def test_fidelity_collections_retrieve_by_post_is_not_a_committed_write(fresh_org: DemoOrg,
                                                                         fresh_api: httpx.Client) -> None:
    """A lost-answer fault for writes must not swallow a read that happens to be a POST."""
    live = [r["Id"] for r in fresh_org.records("Contact") if not r["IsDeleted"]][:2]
    fresh_org.faults.drop_after_commit(1)
    answer = fresh_api.post("/composite/sobjects/Contact", json={"ids": live, "fields": ["Id"]})
    assert answer.status_code == 200 and len(answer.json()) == 2
    assert fresh_org.faults.pending["drops"] == 1
