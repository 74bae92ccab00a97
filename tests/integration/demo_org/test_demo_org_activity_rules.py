"""The demo org's rules for logged calls and meetings, over HTTP: each the client relies on, checked alone."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.demo_org import DemoOrg

Errors = Callable[[httpx.Response], list[str]]


def _contact(api: httpx.Client) -> str:
    return str(api.get("/query", params={"q": "SELECT Id FROM Contact LIMIT 1"}).json()["records"][0]["Id"])


def test_log_call_task_subtype_is_set_on_create_only(api: httpx.Client, errors_of: Errors) -> None:
    created = api.post("/sobjects/Task", json={"Subject": "Outbound call", "WhoId": _contact(api),
                                                "Status": "Completed", "TaskSubtype": "Call", "CallType": "Outbound",
                                                "CallDurationInSeconds": 300, "CallDisposition": "Left a voicemail"})
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    stored = api.get(f"/sobjects/Task/{task_id}").json()
    assert (stored["TaskSubtype"], stored["CallType"], stored["CallDurationInSeconds"]) == ("Call", "Outbound", 300)
    assert errors_of(api.patch(f"/sobjects/Task/{task_id}", json={"TaskSubtype": "Task"})) == \
        ["INVALID_FIELD_FOR_INSERT_UPDATE"]
    assert errors_of(api.post("/sobjects/Task", json={"Subject": "x", "CallType": "Sideways"})) == \
        ["INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"]


def test_log_call_org_without_a_call_field_refuses_it(client_for: Callable[..., httpx.Client],
                                                      errors_of: Errors) -> None:
    with DemoOrg(contacts=5, seed=2, missing_fields=("Task.CallDisposition",)) as org:
        api = client_for(org)
        names = {f["name"] for f in api.get("/sobjects/Task/describe").json()["fields"]}
        assert "CallDisposition" not in names and "CallType" in names
        refused = api.post("/sobjects/Task", json={"Subject": "x", "CallDisposition": "Reached"})
        assert refused.status_code == 400 and errors_of(refused) == ["INVALID_FIELD"]


def test_log_meeting_an_event_lasts_at_most_14_days(api: httpx.Client, errors_of: Errors) -> None:
    who = _contact(api)
    fourteen = api.post("/sobjects/Event", json={"Subject": "Offsite", "WhoId": who,
                                                  "StartDateTime": "2026-12-01T09:00:00.000+0000",
                                                  "EndDateTime": "2026-12-15T09:00:00.000+0000"})
    assert fourteen.status_code == 201, fourteen.text
    longer = api.post("/sobjects/Event", json={"Subject": "Offsite", "WhoId": who,
                                                "StartDateTime": "2026-12-01T09:00:00.000+0000",
                                                "EndDateTime": "2026-12-15T09:01:00.000+0000"})
    assert errors_of(longer) == ["FIELD_INTEGRITY_EXCEPTION"]
    by_minutes = api.post("/sobjects/Event", json={"Subject": "Offsite", "WhoId": who,
                                                    "StartDateTime": "2026-12-01T09:00:00.000+0000",
                                                    "DurationInMinutes": 14 * 24 * 60 + 1})
    assert errors_of(by_minutes) == ["FIELD_INTEGRITY_EXCEPTION"]


def test_log_email_task_subtype_email_create_only_and_description_at_most_32000(
        api: httpx.Client, errors_of: Errors) -> None:
    who = _contact(api)
    created = api.post("/sobjects/Task", json={"Subject": "Email: Rollover", "WhoId": who, "Status": "Completed",
                                                "TaskSubtype": "Email", "Description": "D" * 32_000})
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    stored = api.get(f"/sobjects/Task/{task_id}").json()
    assert stored["TaskSubtype"] == "Email" and len(stored["Description"]) == 32_000
    assert errors_of(api.patch(f"/sobjects/Task/{task_id}", json={"TaskSubtype": "Call"})) == \
        ["INVALID_FIELD_FOR_INSERT_UPDATE"]
    too_long = api.post("/sobjects/Task", json={"Subject": "Email: x", "WhoId": who, "TaskSubtype": "Email",
                                                 "Description": "D" * 32_001})
    assert errors_of(too_long) == ["STRING_TOO_LONG"]
