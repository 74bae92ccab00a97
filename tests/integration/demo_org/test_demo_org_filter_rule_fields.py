"""The demo org's firm-specific schema: custom fields on Contact, record types, roles — described as
Salesforce describes them and usable in SOQL — and an admin removing a field mid-life."""
# ruff: noqa: S608 - the strings built here are SOQL under test (fixture Ids), not SQL

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx

from app.demo_org import DemoOrg


def _count(api: httpx.Client, where: str) -> int:
    response = api.get("/query", params={"q": f"SELECT COUNT() FROM Contact WHERE {where}"})
    assert response.status_code == 200, response.text
    return int(response.json()["totalSize"])


def _live(org: DemoOrg) -> list[dict[str, Any]]:
    return [r for r in org.records("Contact") if not r["IsDeleted"]]


def test_filter_rule_describe_reports_custom_fields_as_salesforce_does(api: httpx.Client) -> None:
    described = api.get("/sobjects/Contact/describe").json()
    fields = {f["name"]: f for f in described["fields"]}
    aum, review, risk = fields["AUM__c"], fields["Next_Review__c"], fields["Risk_Profile__c"]
    assert (aum["type"], aum["custom"], aum["label"], aum["soapType"]) == (
        "currency", True, "Assets Under Management", "xsd:double")
    assert (aum["precision"], aum["scale"]) == (18, 2)
    assert (review["type"], review["custom"], review["label"], review["soapType"]) == (
        "date", True, "Next Review", "xsd:date")
    assert (risk["type"], risk["custom"], risk["label"]) == ("picklist", True, "Risk Profile")
    assert [(p["value"], p["label"], p["active"]) for p in risk["picklistValues"]] == [
        ("CONS", "Conservative", True), ("BAL", "Balanced", True), ("GROW", "Growth", True),
        ("AGGR", "Aggressive", True)]
    record_type = fields["RecordTypeId"]
    assert (record_type["type"], record_type["custom"], record_type["referenceTo"],
            record_type["relationshipName"]) == ("reference", False, ["RecordType"], "RecordType")
    assert fields["Email"]["custom"] is False


def test_filter_rule_describe_lists_record_types_with_the_master_last(api: httpx.Client) -> None:
    infos = api.get("/sobjects/Contact/describe").json()["recordTypeInfos"]
    assert [(i["developerName"], i["name"], i["master"], i["defaultRecordTypeMapping"]) for i in infos] == [
        ("Client", "Client", False, True), ("Prospect", "Prospective Client", False, False),
        ("Master", "Master", True, False)]
    assert infos[-1]["recordTypeId"] == "012000000000000AAA"
    assert all(set(i) == {"active", "available", "defaultRecordTypeMapping", "developerName", "master", "name",
                          "recordTypeId", "urls"} for i in infos)
    assert all(i["urls"]["layout"].endswith(i["recordTypeId"]) for i in infos)
    rows = api.get("/query", params={"q": "SELECT Id, DeveloperName FROM RecordType WHERE SobjectType = 'Contact'"})
    assert {r["Id"] for r in rows.json()["records"]} == {i["recordTypeId"] for i in infos[:-1]}
    assert api.get("/sobjects/Lead/describe").json()["recordTypeInfos"] == []


def test_filter_rule_soql_on_custom_fields_matches_the_rows(org: DemoOrg, api: httpx.Client) -> None:
    live = _live(org)
    assert _count(api, "Risk_Profile__c = 'grow'") == sum(r["Risk_Profile__c"] == "GROW" for r in live) > 0
    assert _count(api, "AUM__c > 1000000") == sum((r["AUM__c"] or 0) > 1_000_000 for r in live) > 0
    today = dt.datetime.now(dt.UTC).date()
    after = (today + dt.timedelta(days=1)).isoformat()
    assert _count(api, f"Next_Review__c > {today.isoformat()}") == sum(
        r["Next_Review__c"] is not None and r["Next_Review__c"] >= after for r in live)
    since = (today - dt.timedelta(days=730)).isoformat()
    assert _count(api, "LastModifiedDate = LAST_N_DAYS:730") == sum(r["LastModifiedDate"][:10] >= since for r in live)
    prospect = next(r["Id"] for r in org.records("RecordType") if r["DeveloperName"] == "Prospect")
    assert _count(api, "RecordType.DeveloperName = 'Prospect'") == _count(api, f"RecordTypeId = '{prospect}'") == sum(
        r["RecordTypeId"] == prospect for r in live) > 0


def test_filter_rule_owner_role_is_queryable_through_the_owner(org: DemoOrg, api: httpx.Client) -> None:
    users = {u["Id"]: u for u in org.records("User")}
    role = users[org.user_id]["UserRoleId"]
    team = {uid for uid, u in users.items() if u["UserRoleId"] == role}
    assert len(team) == 2
    assert _count(api, f"Owner.UserRoleId = '{role}'") == sum(r["OwnerId"] in team for r in _live(org))
    roles = api.get("/query", params={"q": "SELECT Id, Name FROM UserRole ORDER BY Name"}).json()["records"]
    assert [r["Name"] for r in roles] == ["Operations", "Wealth Team East"]


def test_field_mapping_removed_field_leaves_describe_and_soql(fresh_org: DemoOrg,
                                                              client_for: Callable[..., httpx.Client]) -> None:
    api = client_for(fresh_org)
    assert api.get("/query", params={"q": "SELECT AUM__c FROM Contact LIMIT 1"}).status_code == 200
    fresh_org.remove_field("Contact", "AUM__c")
    names = {f["name"] for f in api.get("/sobjects/Contact/describe").json()["fields"]}
    assert "AUM__c" not in names and "Next_Review__c" in names
    refused = api.get("/query", params={"q": "SELECT Id, AUM__c FROM Contact"})
    assert refused.status_code == 400
    assert refused.json()[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'AUM__c'" in refused.json()[0]["message"]
