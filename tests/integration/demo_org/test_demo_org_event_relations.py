"""The demo org's EventRelation over HTTP: Shared Activities on or off, and each rule the push relies on."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.demo_org import DemoOrg

Errors = Callable[[httpx.Response], list[str]]
START, END = "2026-12-07T15:00:00.000+0000", "2026-12-07T16:00:00.000+0000"


QUERIES = {"Contact": "SELECT Id FROM Contact LIMIT 3", "Lead": "SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1"}


def _ids(api: httpx.Client, sobject: str, n: int) -> list[str]:
    rows = api.get("/query", params={"q": QUERIES[sobject]}).json()["records"][:n]
    return [str(r["Id"]) for r in rows]


def _event(api: httpx.Client, who: str) -> str:
    created = api.post("/sobjects/Event", json={"Subject": "Review", "WhoId": who, "StartDateTime": START,
                                                "EndDateTime": END})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _relations(api: httpx.Client, event: str) -> list[tuple[str, bool]]:
    query = f"SELECT RelationId, IsParent FROM EventRelation WHERE EventId = '{event}'"  # noqa: S608 - our own Id
    rows = api.get("/query", params={"q": query})
    assert rows.status_code == 200, rows.text
    return sorted((r["RelationId"], r["IsParent"]) for r in rows.json()["records"])


def test_log_meeting_demo_org_with_shared_activities_relates_contacts_once(
        client_for: Callable[..., httpx.Client], errors_of: Errors) -> None:
    with DemoOrg(contacts=8, seed=3, shared_activities=True) as org:
        api = client_for(org)
        names = {f["name"] for f in api.get("/sobjects/EventRelation/describe").json()["fields"]}
        assert {"IsParent", "IsWhat", "RelationId", "EventId"} <= names
        client, spouse, son = _ids(api, "Contact", 3)
        event = _event(api, client)
        assert _relations(api, event) == [(client, True)]  # the WhoId is one of them, kept by Salesforce
        added = api.post("/sobjects/EventRelation", json={"EventId": event, "RelationId": spouse, "IsParent": True})
        assert added.status_code == 201, added.text
        again = api.post("/sobjects/EventRelation", json={"EventId": event, "RelationId": spouse, "IsParent": True})
        assert errors_of(again) == ["DUPLICATE_VALUE"]
        [lead] = _ids(api, "Lead", 1)
        mixed = api.post("/sobjects/EventRelation", json={"EventId": event, "RelationId": lead, "IsParent": True})
        assert errors_of(mixed) == ["FIELD_INTEGRITY_EXCEPTION"]  # up to 50 contacts or one lead
        assert api.post("/sobjects/EventRelation", json={"EventId": event, "RelationId": son,
                                                         "IsParent": True}).status_code == 201
        assert _relations(api, event) == sorted([(client, True), (spouse, True), (son, True)])


def test_log_meeting_demo_org_without_shared_activities_has_no_is_parent(
        api: httpx.Client, errors_of: Errors) -> None:
    names = {f["name"] for f in api.get("/sobjects/EventRelation/describe").json()["fields"]}
    assert "IsInvitee" in names and "IsParent" not in names
    client, spouse = _ids(api, "Contact", 2)
    event = _event(api, client)
    refused = api.post("/sobjects/EventRelation", json={"EventId": event, "RelationId": spouse, "IsParent": True})
    assert refused.status_code == 400 and errors_of(refused) == ["INVALID_FIELD"]
    invitee = api.post("/sobjects/EventRelation", json={"EventId": event, "RelationId": spouse, "IsInvitee": True})
    assert invitee.status_code == 201, invitee.text
