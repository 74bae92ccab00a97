"""The demo org's Opportunity: required Name/StageName/CloseDate, an active stage only, and a required
custom field an admin added (docs/salesforce-fidelity.md: opportunity-stage-active, required-fields)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.demo_org import DemoOrg

Errors = Callable[[httpx.Response], list[str]]


def _account(api: httpx.Client) -> str:
    return str(api.get("/query", params={"q": "SELECT Id FROM Account LIMIT 1"}).json()["records"][0]["Id"])


def test_fidelity_write_opportunity_needs_name_stage_close_date_and_an_active_stage(
        api: httpx.Client, errors_of: Errors) -> None:
    account = _account(api)
    missing = api.post("/sobjects/Opportunity", json={"AccountId": account})
    assert errors_of(missing) == ["REQUIRED_FIELD_MISSING"]
    assert set(missing.json()[0]["fields"]) == {"Name", "StageName", "CloseDate"}
    describe = api.get("/sobjects/Opportunity/describe").json()
    stage = next(f for f in describe["fields"] if f["name"] == "StageName")
    listed = {p["value"]: p["active"] for p in stage["picklistValues"]}
    assert listed["Qualification"] is False and listed["Prospecting"] is True
    inactive = api.post("/sobjects/Opportunity", json={
        "AccountId": account, "Name": "Rollover", "StageName": "Qualification", "CloseDate": "2027-01-31"})
    assert errors_of(inactive) == ["INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"]
    assert inactive.json()[0]["fields"] == ["StageName"] and "Stage" in inactive.json()[0]["message"]
    made = api.post("/sobjects/Opportunity", json={
        "AccountId": account, "Name": "Rollover", "StageName": "Prospecting", "CloseDate": "2027-01-31",
        "Amount": 250000})
    assert made.status_code == 201
    row = api.get(f"/sobjects/Opportunity/{made.json()['id']}").json()
    assert row["AccountId"] == account and row["Amount"] == 250000


def test_fidelity_write_opportunity_required_custom_field_is_refused_by_name(
        client_for: Callable[..., httpx.Client], errors_of: Errors) -> None:
    with DemoOrg(contacts=8, seed=2, required_fields=("Opportunity.Custodian__c",)) as org:
        api = client_for(org)
        body = {"AccountId": _account(api), "Name": "IRA", "StageName": "Prospecting", "CloseDate": "2027-01-31"}
        refused = api.post("/sobjects/Opportunity", json=body)
        assert errors_of(refused) == ["REQUIRED_FIELD_MISSING"] and refused.json()[0]["fields"] == ["Custodian__c"]
        assert api.post("/sobjects/Opportunity", json={**body, "Custodian__c": "Schwab"}).status_code == 201
