"""The demo org's Task reminder, as Salesforce's Task object reference gives it: IsReminderSet (boolean,
defaulted false) and ReminderDateTime (dateTime) in describe and DML — and an org whose field-level
security hides both, where describe leaves them out and a write naming them is refused."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.demo_org import DemoOrg


def _fields(api: httpx.Client) -> dict[str, dict[str, object]]:
    described = api.get("/sobjects/Task/describe").json()
    return {f["name"]: f for f in described["fields"]}


def _task(org: DemoOrg, record_id: str) -> dict[str, object]:
    return next(r for r in org.records("Task") if r["Id"] == record_id)


def test_new_task_reminder_fields_in_describe_and_dml(client_for: Callable[..., httpx.Client]) -> None:
    with DemoOrg(contacts=5, seed=2) as org:
        api = client_for(org)
        fields = _fields(api)
        assert fields["IsReminderSet"]["type"] == "boolean" and fields["IsReminderSet"]["defaultedOnCreate"]
        assert fields["ReminderDateTime"]["type"] == "datetime" and fields["ReminderDateTime"]["nillable"]
        assert all(fields[n]["createable"] and fields[n]["updateable"] for n in ("IsReminderSet", "ReminderDateTime"))

        plain = api.post("/sobjects/Task", json={"Subject": "No reminder"}).json()["id"]
        assert _task(org, plain)["IsReminderSet"] is False
        made = api.post("/sobjects/Task", json={"Subject": "Reminder", "IsReminderSet": True,
                                                "ReminderDateTime": "2030-01-02T09:30:00Z"}).json()["id"]
        record = _task(org, made)
        assert record["IsReminderSet"] is True and str(record["ReminderDateTime"]).startswith("2030-01-02T09:30:00")
        assert all(r["IsReminderSet"] is False for r in org.records("Task") if r["Id"] not in (plain, made))


def test_new_task_reminder_hidden_by_field_level_security(client_for: Callable[..., httpx.Client]) -> None:
    with DemoOrg(contacts=5, seed=2, task_reminders=False) as org:
        api = client_for(org)
        fields = _fields(api)
        assert "IsReminderSet" not in fields and "ReminderDateTime" not in fields
        refused = api.post("/sobjects/Task", json={"Subject": "Reminder", "IsReminderSet": True})
        assert refused.status_code == 400
        assert refused.json()[0]["errorCode"] == "INVALID_FIELD"
        assert api.post("/sobjects/Task", json={"Subject": "Plain"}).status_code == 201
