"""The demo org's write rules that are strict where Salesforce's docs leave room (docs/salesforce-fidelity.md)."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx

from app.demo_org import DemoOrg

Errors = Callable[[httpx.Response], list[str]]


def _note_and_contact(api: httpx.Client) -> tuple[str, str]:
    contact = api.get("/query", params={"q": "SELECT Id FROM Contact LIMIT 1"}).json()["records"][0]["Id"]
    content = base64.b64encode(b"<p>Review</p>").decode()
    note = api.post("/sobjects/ContentNote", json={"Title": "fidelity_write link", "Content": content})
    assert note.status_code == 201
    return note.json()["id"], contact


def test_fidelity_write_link_visibility_shared_users_only_for_a_user(
        api: httpx.Client, org: DemoOrg, errors_of: Errors) -> None:
    document, contact = _note_and_contact(api)
    refused = api.post("/sobjects/ContentDocumentLink", json={
        "ContentDocumentId": document, "LinkedEntityId": contact, "ShareType": "V", "Visibility": "SharedUsers"})
    assert refused.status_code == 400 and errors_of(refused) == ["FIELD_INTEGRITY_EXCEPTION"]
    assert refused.json()[0]["fields"] == ["Visibility"]
    bad_share = api.post("/sobjects/ContentDocumentLink", json={
        "ContentDocumentId": document, "LinkedEntityId": contact, "ShareType": "Viewer"})
    assert errors_of(bad_share) == ["INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"]
    accepted = api.post("/sobjects/ContentDocumentLink", json={
        "ContentDocumentId": document, "LinkedEntityId": contact, "ShareType": "V", "Visibility": "AllUsers"})
    assert accepted.status_code == 201  # what the app sends
    again = api.post("/sobjects/ContentDocumentLink", json={
        "ContentDocumentId": document, "LinkedEntityId": contact, "ShareType": "V", "Visibility": "AllUsers"})
    assert errors_of(again) == ["DUPLICATE_VALUE"] and again.json()[0]["fields"] == ["LinkedEntityId"]


def test_fidelity_write_classic_notes_off_refuses_create_but_still_reads(
        client_for: Callable[..., httpx.Client], errors_of: Errors) -> None:
    with DemoOrg(contacts=8, seed=2, classic_notes=False) as org:
        api = client_for(org)
        contact = api.get("/query", params={"q": "SELECT Id FROM Contact LIMIT 1"}).json()["records"][0]["Id"]
        refused = api.post("/sobjects/Note", json={"ParentId": contact, "Title": "fidelity_write classic"})
        assert refused.status_code == 400 and errors_of(refused) == ["INVALID_TYPE_FOR_OPERATION"]
        assert api.get("/query", params={"q": "SELECT Id, Title FROM Note LIMIT 5"}).status_code == 200
        assert api.get("/sobjects/Note/describe").json()["createable"] is False
    with DemoOrg(contacts=8, seed=2) as default_org:  # on by default: existing orgs keep them
        api = client_for(default_org)
        contact = api.get("/query", params={"q": "SELECT Id FROM Contact LIMIT 1"}).json()["records"][0]["Id"]
        assert api.post("/sobjects/Note", json={"ParentId": contact, "Title": "ok"}).status_code == 201


def test_fidelity_write_event_needs_a_start_and_a_duration_or_end(api: httpx.Client, errors_of: Errors) -> None:
    start = "2026-05-01T10:00:00.000+0000"
    missing = api.post("/sobjects/Event", json={"Subject": "Review", "StartDateTime": start})
    assert errors_of(missing) == ["REQUIRED_FIELD_MISSING"] and missing.json()[0]["fields"] == ["DurationInMinutes"]
    backwards = api.post("/sobjects/Event", json={"Subject": "Review", "StartDateTime": start,
                                                  "EndDateTime": "2026-05-01T09:00:00.000+0000"})
    assert errors_of(backwards) == ["FIELD_INTEGRITY_EXCEPTION"]
    made = api.post("/sobjects/Event", json={"Subject": "Review", "StartDateTime": start, "DurationInMinutes": 45})
    assert made.status_code == 201
    stored = api.get(f"/sobjects/Event/{made.json()['id']}").json()
    assert stored["EndDateTime"].startswith("2026-05-01T10:45:00")
    assert stored["ActivityDateTime"] == stored["StartDateTime"]
