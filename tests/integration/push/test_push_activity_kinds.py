"""Calls and meetings from the generic activity table, pushed by the unchanged engine against the demo org."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.demo_org import DemoOrg
from app.store import activities as activities_repo
from app.store.activities import ActivityDraftValue
from app.store.kinds import ItemKind
from app.sync.push.status import PushStatus
from tests.integration.push.conftest import PushEnv, workspace_env

WHEN = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)


async def _activity(env: PushEnv, kind: ItemKind, **fields: Any) -> ActivityDraftValue:
    contact = env.person()
    return await env.db.run(lambda s: activities_repo.create(s, env.connection_id, kind, contact_id=contact.id,
                                                             fields=fields))


def _call_fields(**extra: Any) -> dict[str, Any]:
    return {"when": WHEN.isoformat(), "duration_minutes": 12, "direction": "Inbound",
            "outcome": "Wants to roll over the 401(k)", "note": "Send the forms.", **extra}


async def test_log_call_push_creates_a_completed_call_task_with_the_call_fields(env: PushEnv) -> None:
    call = await _activity(env, ItemKind.CALL, **_call_fields())
    await env.queue(ItemKind.CALL, call.id)

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 1
    [task] = [r for r in env.live("Task") if r["TaskSubtype"] == "Call"]
    assert task["Subject"] == "Inbound call — Wants to roll over the 401(k)"
    assert (task["CallType"], task["CallDurationInSeconds"], task["CallDisposition"]) == \
        ("Inbound", 720, "Wants to roll over the 401(k)")
    assert task["Status"] == "Completed" and task["IsClosed"] is True
    assert task["WhoId"] == env.person().sf_id and task["Description"] == "Send the forms."
    stored = await env.db.run(lambda s: activities_repo.get(s, call.id))
    assert stored is not None and stored.state == "pushed" and stored.remote_id == task["Id"]


async def test_log_call_dropped_response_is_reconciled_not_duplicated(env: PushEnv) -> None:
    calls = [await _activity(env, ItemKind.CALL, **_call_fields(outcome=f"Call {n}")) for n in range(3)]
    await env.queue(ItemKind.CALL, *(c.id for c in calls))
    env.org.faults.drop_after_commit(1)

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 3 and report.reconciled == 3
    created = [r for r in env.live("Task") if r["TaskSubtype"] == "Call"]
    assert sorted(r["CallDisposition"] for r in created) == ["Call 0", "Call 1", "Call 2"]


async def test_log_call_org_without_call_disposition_skips_it_and_keeps_the_outcome(tmp_path: Path) -> None:
    with DemoOrg(contacts=6, seed=5, missing_fields=("Task.CallDisposition",)) as org:
        async with workspace_env(org, tmp_path / "workspace.db") as env:
            call = await _activity(env, ItemKind.CALL, **_call_fields())
            await env.queue(ItemKind.CALL, call.id)

            report = await env.push()

            assert report.status == PushStatus.DONE and report.pushed == 1, report
            [task] = [r for r in env.live("Task") if r["TaskSubtype"] == "Call"]
            assert "CallDisposition" not in task and task["CallType"] == "Inbound"
            assert task["Description"] == "Outcome: Wants to roll over the 401(k)\n\nSend the forms."


async def test_log_meeting_push_creates_an_event_on_the_client(env: PushEnv) -> None:
    start = WHEN + timedelta(days=3)
    meeting = await _activity(env, ItemKind.MEETING, subject="Rollover review (Notebridge)",
                              start=start.isoformat(), end=(start + timedelta(minutes=90)).isoformat(),
                              location="Office", note="Bring statements")
    await env.queue(ItemKind.MEETING, meeting.id)
    before = len(env.live("Event"))

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 1
    [event] = [r for r in env.live("Event") if r["Subject"] == "Rollover review (Notebridge)"]
    assert len(env.live("Event")) == before + 1
    assert event["WhoId"] == env.person().sf_id and event["Location"] == "Office"
    assert event["DurationInMinutes"] == 90 and event["StartDateTime"].startswith("2026-12-03T14:05:00")


async def test_log_meeting_longer_than_14_days_is_not_sent_and_says_why(env: PushEnv) -> None:
    meeting = await _activity(env, ItemKind.MEETING, start=WHEN.isoformat(),
                              end=(WHEN + timedelta(days=15)).isoformat())
    [row] = await env.queue(ItemKind.MEETING, meeting.id)
    before = len(env.live("Event"))

    report = await env.push()

    assert report.pushed == 0 and len(env.live("Event")) == before
    failed = await env.outbox(row.id)
    assert failed.state == "failed" and "at most 14 days" in (failed.last_error_message or "")
    assert "Nothing was sent" in (failed.last_error_hint or "")


async def test_log_meeting_dropped_response_is_reconciled_not_duplicated(env: PushEnv) -> None:
    meetings = [await _activity(env, ItemKind.MEETING, subject=f"Review {n}", start=WHEN.isoformat(),
                                end=(WHEN + timedelta(hours=1)).isoformat()) for n in range(2)]
    await env.queue(ItemKind.MEETING, *(m.id for m in meetings))
    env.org.faults.drop_after_commit(1)

    report = await env.push()

    assert report.pushed == 2 and report.reconciled == 2
    assert sorted(r["Subject"] for r in env.live("Event") if r["Subject"].startswith("Review ")) == \
        ["Review 0", "Review 1"]
