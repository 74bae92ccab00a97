"""An independent client, unchanged: simple-salesforce over HTTPS with the org's throwaway CA.

simple-salesforce builds ``https://`` URLs only, which is one reason the org speaks TLS. The requests
Session gets ``trust_env = False`` so that CA bundles from the environment cannot override ours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from app.demo_org import DemoOrg


@pytest.fixture(scope="module")
def tls_org() -> Iterator[DemoOrg]:
    with DemoOrg(contacts=450, seed=21, tls=True) as running:
        yield running


@pytest.fixture
def sf(tls_org: DemoOrg) -> Iterator[Salesforce]:
    session = requests.Session()
    session.verify = tls_org.ca_file
    session.trust_env = False
    tokens = tls_org.mint_tokens()
    yield Salesforce(instance_url=tokens["instance_url"], session_id=tokens["access_token"], session=session,
                     version="62.0")
    session.close()


def test_tls_org_serves_https_on_localhost(tls_org: DemoOrg) -> None:
    assert tls_org.base_url.startswith("https://localhost:")
    assert tls_org.ca_file and tls_org.ca_file.endswith(".pem")
    session = requests.Session()
    session.trust_env = False
    with pytest.raises(requests.exceptions.SSLError):
        session.get(f"{tls_org.base_url}/services/data/", timeout=10)


def test_query_all_pages_through_everything(sf: Salesforce, tls_org: DemoOrg) -> None:
    tls_org.reset_stats()
    result = sf.query_all("SELECT Id, Name, Account.Name, Owner.Name FROM Contact ORDER BY Id",
                          headers={"Sforce-Query-Options": "batchSize=200"})
    assert result["totalSize"] == 450
    assert len({r["Id"] for r in result["records"]}) == 450
    assert all(r["Account"]["Name"] for r in result["records"])
    assert tls_org.stats()["api_calls"] == 3
    assert sf.api_usage["api-usage"].total == 100_000
    deleted = sf.query_all("SELECT Id FROM Contact WHERE IsDeleted = true", include_deleted=True)
    assert deleted["totalSize"] == 0


def test_crud(sf: Salesforce) -> None:
    created = sf.Contact.create({"FirstName": "Simple", "LastName": "Salesforce", "Email": "ss@example.com"})
    assert created["success"] is True
    record_id = created["id"]
    assert sf.Contact.get(record_id)["Name"] == "Simple Salesforce"
    assert sf.Contact.update(record_id, {"Title": "Tester"}) == 204
    assert sf.Contact.get(record_id)["Title"] == "Tester"
    assert sf.Contact.upsert("External_Id__c/ss-1", {"LastName": "Upserted"}) == 201
    assert sf.Contact.upsert("External_Id__c/ss-1", {"Title": "Again"}) == 200
    assert sf.Contact.get_by_custom_id("External_Id__c", "ss-1")["Title"] == "Again"
    assert sf.Contact.delete(record_id) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(record_id)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Contact.create({"LastName": "x" * 100})
    assert caught.value.content[0]["errorCode"] == "STRING_TOO_LONG"
    assert sf.Contact.describe()["name"] == "Contact"
    assert sf.Contact.metadata()["objectDescribe"]["keyPrefix"] == "003"


def test_collections_through_restful(sf: Salesforce) -> None:
    body = {"allOrNone": False, "records": [
        {"attributes": {"type": "Account"}, "Name": "Collected One"},
        {"attributes": {"type": "Contact"}, "FirstName": "No Last Name"},
        {"attributes": {"type": "Contact"}, "LastName": "Collected"},
    ]}
    results = sf.restful("composite/sobjects", method="POST", json=body)
    assert [r["success"] for r in results] == [True, False, True]
    assert "id" not in results[1]
    assert results[1]["errors"] == [{"statusCode": "REQUIRED_FIELD_MISSING",
                                     "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}]
    updates = sf.restful("composite/sobjects", method="PATCH", json={"records": [
        {"attributes": {"type": "Account"}, "id": results[0]["id"], "Phone": "(555) 010-0000"},
        {"attributes": {"type": "Contact"}, "id": results[2]["id"], "LastName": ""},
    ]})
    assert updates[0] == {"id": results[0]["id"], "success": True, "errors": []}
    assert updates[1]["id"] == results[2]["id"] and updates[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    fetched = sf.restful("composite/sobjects/Account", params={"ids": results[0]["id"], "fields": "Name,Phone"})
    assert fetched[0]["Phone"] == "(555) 010-0000"
    deleted = sf.restful("composite/sobjects", method="DELETE",
                         params={"ids": f"{results[0]['id']},{results[2]['id']},nope"})
    assert [d["success"] for d in deleted] == [True, True, False]
    assert deleted[2]["errors"][0]["statusCode"] == "MALFORMED_ID"


def test_collections_all_or_none_rolls_back(sf: Salesforce, tls_org: DemoOrg) -> None:
    before = len(tls_org.records("Contact"))
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": [
        {"attributes": {"type": "Contact"}, "LastName": "Would Succeed"},
        {"attributes": {"type": "Contact"}, "LastName": "y" * 81},
    ]})
    assert results[0]["success"] is False
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert len(tls_org.records("Contact")) == before
    too_many = {"records": [{"attributes": {"type": "Contact"}, "LastName": str(i)} for i in range(201)]}
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful("composite/sobjects", method="POST", json=too_many)


def test_composite_with_references(sf: Salesforce) -> None:
    response = sf.restful("composite", method="POST", json={"allOrNone": False, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "household",
         "body": {"Name": "Composite Household"}},
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "member",
         "body": {"LastName": "Member", "AccountId": "@{household.id}"}},
        {"method": "GET", "url": "/services/data/v62.0/sobjects/Contact/@{member.id}?fields=AccountId",
         "referenceId": "check"},
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "broken",
         "body": {"FirstName": "No Last"}},
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Task", "referenceId": "dependent",
         "body": {"Subject": "x", "WhoId": "@{broken.id}"}},
    ]})["compositeResponse"]
    by_ref = {r["referenceId"]: r for r in response}
    assert by_ref["household"]["httpStatusCode"] == 201
    assert by_ref["household"]["httpHeaders"]["Location"].endswith(by_ref["household"]["body"]["id"])
    assert by_ref["check"]["body"]["AccountId"] == by_ref["household"]["body"]["id"]
    assert by_ref["broken"]["httpStatusCode"] == 400
    assert by_ref["broken"]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert by_ref["dependent"]["body"][0]["errorCode"] == "PROCESSING_HALTED"


def test_composite_all_or_none_halts_everything(sf: Salesforce, tls_org: DemoOrg) -> None:
    before = len(tls_org.records("Account"))
    response = sf.restful("composite", method="POST", json={"allOrNone": True, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "a",
         "body": {"Name": "Rolled Back"}},
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "b", "body": {}},
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "c",
         "body": {"Name": "Never Run"}},
    ]})["compositeResponse"]
    codes = [(r["referenceId"], r["httpStatusCode"], r["body"][0]["errorCode"]) for r in response]
    assert codes == [("a", 400, "PROCESSING_HALTED"), ("b", 400, "REQUIRED_FIELD_MISSING"),
                     ("c", 400, "PROCESSING_HALTED")]
    assert len(tls_org.records("Account")) == before
    too_many = {"compositeRequest": [{"method": "GET", "url": "/services/data/v62.0/limits", "referenceId": f"r{i}"}
                                     for i in range(26)]}
    with pytest.raises(SalesforceMalformedRequest):
        sf.restful("composite", method="POST", json=too_many)
    tls_org.reset_stats()
    sf.restful("composite", method="POST", json={"compositeRequest": too_many["compositeRequest"][:3]})
    assert tls_org.stats()["api_calls"] == 1, "a composite request counts as one call"


def test_updated_deleted_and_limits(sf: Salesforce, tls_org: DemoOrg) -> None:
    victim = sf.Contact.create({"LastName": "Soon Gone"})["id"]
    sf.Contact.delete(victim)
    now = dt.datetime.now(dt.UTC)
    updated = sf.Contact.updated(now - dt.timedelta(days=2), now + dt.timedelta(minutes=1))
    deleted = sf.Contact.deleted(now - dt.timedelta(days=2), now + dt.timedelta(minutes=1))
    assert isinstance(updated["ids"], list) and updated["latestDateCovered"]
    assert isinstance(deleted["deletedRecords"], list) and deleted["earliestDateAvailable"]
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] == 100_000
    assert limits["DailyApiRequests"]["Remaining"] == 100_000 - tls_org.stats()["api_usage"]


def test_expired_session_surfaces_as_401(sf: Salesforce, tls_org: DemoOrg) -> None:
    tls_org.expire_access_tokens()
    with pytest.raises(SalesforceExpiredSession) as caught:
        sf.query("SELECT Id FROM Contact LIMIT 1")
    assert caught.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
