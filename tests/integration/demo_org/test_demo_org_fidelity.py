"""The demo org's wire details checked against what Salesforce documents and sends (issue 20, items
4, 5, 7 and 8): where error bodies carry ``fields``, the activity lookups' labels in messages, the
form-encoded revoke error, and the per-app usage header."""

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
