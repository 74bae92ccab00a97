"""Faults and run-time controls, in-process and over ``/__demo__`` HTTP."""
# ruff: noqa: S608 - strings built here are SOQL sent to the demo org, not SQL

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from app.demo_org import DemoOrg
from app.demo_org.errors import SfError

Errors = Callable[[httpx.Response], list[str]]


def test_fail_next_with_503_then_500(fresh_org: DemoOrg, fresh_api: httpx.Client, errors_of: Errors) -> None:
    fresh_org.reset_stats()
    fresh_org.faults.fail_next(2, status=503)
    fresh_org.faults.fail_next(1, status=500)
    first, second, third = (fresh_api.get("/limits") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 500)
    assert errors_of(first) == ["SERVER_UNAVAILABLE"] and errors_of(third) == ["UNKNOWN_EXCEPTION"]
    assert fresh_api.get("/limits").status_code == 200
    stats = fresh_org.stats()
    assert [r["status"] for r in stats["requests"]] == [503, 503, 500, 200]
    assert stats["api_calls"] == 1, "failed requests never reached the org"
    with pytest.raises(ValueError, match="500 or 503"):
        fresh_org.faults.fail_next(1, status=404)


def test_failures_spare_the_sign_in_pages(fresh_org: DemoOrg) -> None:
    fresh_org.faults.fail_next(1)
    page = httpx.get(f"{fresh_org.login_url}/services/oauth2/authorize", trust_env=False,
                     params={"response_type": "code", "client_id": fresh_org.consumer_key,
                             "redirect_uri": fresh_org.callback_urls[0]})
    assert page.status_code == 200
    token = httpx.post(f"{fresh_org.login_url}/services/oauth2/token", data={"grant_type": "x"}, trust_env=False)
    assert token.status_code == 503, "the token endpoint is API traffic and does fail"


def test_drop_after_commit_commits_then_hangs_up(fresh_org: DemoOrg, fresh_api: httpx.Client) -> None:
    fresh_org.faults.drop_after_commit(1)
    rejected = fresh_api.post("/sobjects/Contact", json={"FirstName": "No last name"})
    assert rejected.status_code == 400, "a failed write commits nothing and keeps the fault armed"
    with pytest.raises(httpx.RemoteProtocolError):
        fresh_api.post("/sobjects/Contact", json={"LastName": "Committed-But-Lost"})
    stored = [r for r in fresh_org.records("Contact") if r["LastName"] == "Committed-But-Lost"]
    assert len(stored) == 1 and stored[0]["IsDeleted"] is False
    found = fresh_api.get("/query", params={"q": "SELECT Id FROM Contact WHERE LastName = 'Committed-But-Lost'"})
    assert found.json()["totalSize"] == 1, "the client can reconcile by looking the record up"
    assert fresh_api.post("/sobjects/Contact", json={"LastName": "Normal"}).status_code == 201
    assert any(r.get("dropped") for r in fresh_org.stats()["requests"])


def test_drop_after_commit_on_a_collection(fresh_org: DemoOrg, fresh_api: httpx.Client) -> None:
    fresh_org.faults.drop_after_commit(1)
    records = [{"attributes": {"type": "Task"}, "Subject": f"Lost reply {i}"} for i in range(3)]
    with pytest.raises(httpx.RemoteProtocolError):
        fresh_api.post("/composite/sobjects", json={"records": records})
    assert sum(1 for t in fresh_org.records("Task") if t["Subject"].startswith("Lost reply")) == 3


def test_latency_is_adjustable(fresh_org: DemoOrg, fresh_api: httpx.Client) -> None:
    fresh_org.faults.set_latency(20)
    assert fresh_org.faults.latency_ms == 20
    assert fresh_api.get("/limits").status_code == 200
    fresh_org.faults.set_latency(0)
    assert fresh_org.faults.pending == {"failures": 0, "drops": 0, "latency_ms": 0.0}


def test_api_limit(client_for: Callable[..., httpx.Client], errors_of: Errors) -> None:
    with DemoOrg(contacts=5, api_limit=10) as org:
        api = client_for(org)
        org.set_api_usage(9)
        last = api.get("/limits")
        assert last.status_code == 200 and last.headers["Sforce-Limit-Info"] == "api-usage=10/10"
        assert last.json()["DailyApiRequests"] == {"Max": 10, "Remaining": 0}
        over = api.get("/limits")
        assert over.status_code == 403 and errors_of(over) == ["REQUEST_LIMIT_EXCEEDED"]
        assert over.headers["Sforce-Limit-Info"] == "api-usage=10/10"
        org.set_api_usage(0)
        assert api.get("/limits").headers["Sforce-Limit-Info"] == "api-usage=1/10"


def test_expire_access_tokens(fresh_org: DemoOrg, fresh_api: httpx.Client, errors_of: Errors) -> None:
    assert fresh_api.get("/limits").status_code == 200
    fresh_org.expire_access_tokens()
    expired = fresh_api.get("/limits")
    assert expired.status_code == 401 and errors_of(expired) == ["INVALID_SESSION_ID"]


def test_validation_rule(fresh_org: DemoOrg, fresh_api: httpx.Client) -> None:
    contact_id = fresh_api.post("/sobjects/Contact", json={"LastName": "Before Rule"}).json()["id"]
    fresh_org.enable_validation_rule("contact", "email", "Email is required for clients")
    created = fresh_api.post("/sobjects/Contact", json={"LastName": "Blocked"})
    assert created.json() == [{"message": "Email is required for clients",
                               "errorCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": ["Email"]}]
    updated = fresh_api.patch(f"/sobjects/Contact/{contact_id}", json={"Title": "x"})
    assert updated.json()[0]["errorCode"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert fresh_api.post("/sobjects/Account", json={"Name": "Unaffected"}).status_code == 201
    fresh_org.clear_validation_rules()
    assert fresh_api.post("/sobjects/Contact", json={"LastName": "After"}).status_code == 201
    with pytest.raises(ValueError, match="no field"):
        fresh_org.enable_validation_rule("Contact", "Nope", "x")


def test_delete_record_cascades_from_account(fresh_org: DemoOrg, fresh_api: httpx.Client) -> None:
    account = next(a for a in fresh_org.records("Account") if not a["IsDeleted"])
    members = [c["Id"] for c in fresh_org.records("Contact") if c["AccountId"] == account["Id"]]
    assert members
    fresh_org.delete_record(account["Id"])
    rows = fresh_api.get("/queryAll", params={"q": f"SELECT Id, IsDeleted FROM Contact WHERE AccountId = "
                                                  f"'{account['Id']}'"}).json()["records"]
    assert {r["Id"] for r in rows} == set(members) and all(r["IsDeleted"] for r in rows)
    with pytest.raises(SfError, match="entity is deleted"):
        fresh_org.delete_record(account["Id"])


def test_convert_lead(fresh_org: DemoOrg, fresh_api: httpx.Client) -> None:
    lead = next(r for r in fresh_org.records("Lead") if not r["IsConverted"])
    contact_id = fresh_org.convert_lead(lead["Id"])
    converted = fresh_api.get(f"/sobjects/Lead/{lead['Id']}").json()
    assert converted["IsConverted"] is True and converted["ConvertedContactId"] == contact_id
    assert converted["Status"] == "Closed - Converted" and converted["ConvertedAccountId"].startswith("001")
    contact = fresh_api.get(f"/sobjects/Contact/{contact_id}").json()
    assert contact["LastName"] == lead["LastName"] and contact["AccountId"] == converted["ConvertedAccountId"]
    assert fresh_api.patch(f"/sobjects/Lead/{lead['Id']}", json={"Rating": "Hot"}).json()[0]["errorCode"] == \
        "CANNOT_UPDATE_CONVERTED_LEAD"
    with pytest.raises(SfError, match="converted lead"):
        fresh_org.convert_lead(lead["Id"])


def test_server_side_update_bumps_system_modstamp(fresh_org: DemoOrg, fresh_api: httpx.Client) -> None:
    contact = next(c for c in fresh_org.records("Contact") if not c["IsDeleted"])
    fresh_org.update_record("Contact", contact["Id"], {"title": "Changed Elsewhere"})
    after = next(c for c in fresh_org.records("Contact") if c["Id"] == contact["Id"])
    assert after["Title"] == "Changed Elsewhere"
    assert after["SystemModstamp"] > contact["SystemModstamp"]
    assert after["LastModifiedById"] != fresh_org.user_id, "changed by a colleague"
    soql = f"SELECT Id FROM Contact WHERE SystemModstamp > {contact['SystemModstamp'].replace('.000+0000', 'Z')}"
    assert contact["Id"] in {r["Id"] for r in fresh_api.get("/query", params={"q": soql}).json()["records"]}
    made = fresh_org.create_record("Account", {"Name": "Made Elsewhere"})
    assert fresh_api.get(f"/sobjects/Account/{made}").json()["CreatedById"] != fresh_org.user_id


def test_controls_over_http(fresh_org: DemoOrg, fresh_api: httpx.Client) -> None:
    with httpx.Client(base_url=f"{fresh_org.base_url}/__demo__", trust_env=False,
                      headers={"Authorization": f"Bearer {fresh_org.control_token}"}) as control:
        assert control.get("/info").json() == fresh_org.info()
        assert control.post("/fail_next", json={"n": 1, "status": 500}).json() == {"ok": True, "result": None}
        assert fresh_api.get("/limits").status_code == 500
        leads = control.get("/records/Lead").json()
        fresh = next(lead for lead in leads if not lead["IsConverted"])
        assert control.post("/convert_lead", json={"lead_id": fresh["Id"]}).json()["result"].startswith("003")
        again = control.post("/convert_lead", json={"lead_id": fresh["Id"]}).json()
        assert again["ok"] is False and again["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
        tokens = control.post("/mint_tokens").json()["result"]
        assert tokens["access_token"] and tokens["instance_url"] == fresh_org.base_url
        assert control.post("/set_api_usage", json={"used": 42}).status_code == 200
        assert fresh_api.get("/limits").headers["Sforce-Limit-Info"] == "api-usage=43/100000"
        assert control.post("/set_api_usage", json={"nope": 1}).status_code == 400
        assert control.post("/launch", json={}).status_code == 404
        assert control.get("/records/Nope").status_code == 400
        assert "requests" in control.get("/stats").json()
        assert control.post("/enable_validation_rule", json={"sobject": "Task", "field": None,
                                                             "message": "Blocked by rule"}).json()["ok"] is True
    assert fresh_api.post("/sobjects/Task", json={"Subject": "x"}).json()[0]["fields"] == []
    assert not any(r["path"].startswith("/__demo__") for r in fresh_org.stats()["requests"])


def test_determinism_per_seed() -> None:
    first, second, other = DemoOrg(contacts=30, seed=5), DemoOrg(contacts=30, seed=5), DemoOrg(contacts=30, seed=6)
    stable = ("Id", "FirstName", "LastName", "Email", "AccountId", "MailingCity", "Birthdate")

    def snapshot(org: DemoOrg) -> list[tuple[object, ...]]:
        return [tuple(c[k] for k in stable) for c in org.records("Contact")]

    assert snapshot(first) == snapshot(second)
    assert snapshot(first) != snapshot(other)
    assert (first.consumer_key, first.consumer_secret) == (second.consumer_key, second.consumer_secret)
    assert first.consumer_key != other.consumer_key
    assert first.consumer_key.startswith("3MVG9") and len(first.consumer_key) == 85
    assert len(first.records("Contact")) == 30
    with pytest.raises(RuntimeError, match="not running"):
        _ = first.base_url


def test_person_accounts(client_for: Callable[..., httpx.Client]) -> None:
    with DemoOrg(contacts=80, person_accounts=True, seed=2) as org:
        api = client_for(org)
        people = api.get("/query", params={"q": "SELECT Id, Name, PersonContactId FROM Account "
                                                "WHERE IsPersonAccount = true"}).json()["records"]
        assert people and all(p["PersonContactId"].startswith("003") for p in people)
        made = api.post("/sobjects/Account", json={"FirstName": "Pat", "LastName": "Person"}).json()["id"]
        account = api.get(f"/sobjects/Account/{made}").json()
        assert account["IsPersonAccount"] is True and account["Name"] == "Pat Person"
        contact = api.get(f"/sobjects/Contact/{account['PersonContactId']}").json()
        assert contact["IsPersonAccount"] is True and contact["AccountId"] == made
