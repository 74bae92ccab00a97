"""The push under two refusals real orgs send (issue 20, items 1 and 2): the concurrent long-request
limit holds items for a minute without touching the API budget, and a session the app's policy keeps
from the REST API holds them (no refresh) with what the admin changes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from app.salesforce.client import SalesforceClient
from app.store import outbox_views
from app.store.types import utcnow
from app.sync.push import actions as push_actions
from app.sync.push.budget import ApiBudget
from app.sync.push.engine import PushEngine
from app.sync.push.loop import LoopStatus, PushLoop
from app.sync.push.status import LoopState, PushStatus
from tests.integration.push.conftest import PushEnv
from tests.support.qt_loop import until


async def test_concurrent_limit_push_waits_a_minute_and_keeps_the_budget(env: PushEnv) -> None:
    task = await env.task(subject="concurrent_limit task", status="Not Started", priority="Normal")
    [row] = await env.queue("task", task.id)
    await env.client.query_list("SELECT Id FROM Contact LIMIT 1")  # today's usage is known
    budget = ApiBudget()
    env.org.concurrent_limit_next(100)

    report = await PushEngine(env.client, env.db, env.connection_id, budget=budget).push()

    assert report.status is PushStatus.BUSY and report.error_code == "CONCURRENT_REQUEST_LIMIT"
    assert report.next_try_at is not None and report.next_try_at - utcnow() <= timedelta(minutes=1)
    assert "not your daily API allowance" in report.reason
    waiting = await env.outbox(row.id)
    assert waiting.state == "waiting" and "busy" in (waiting.last_error_message or "")
    assert budget.check(1, utcnow()).ok  # the budget was not marked as spent
    assert not [t for t in env.live("Task") if t["Subject"] == "concurrent_limit task"]

    env.org.faults.clear()
    await push_actions.retry_now(env.db, [row.id])
    assert (await PushEngine(env.client, env.db, env.connection_id, budget=budget).push()).pushed == 1
    assert len([t for t in env.live("Task") if t["Subject"] == "concurrent_limit task"]) == 1


async def test_rest_session_policy_push_holds_items_without_refreshing(env: PushEnv) -> None:
    note = await env.note(title="rest_session_policy note")
    [row] = await env.queue("note", note.id)
    env.org.refuse_rest_sessions()

    report = await env.push()

    assert report.status is PushStatus.SESSION_POLICY and report.error_code == "REST_SESSION_POLICY"
    assert report.next_try_at is None and env.refresher.attempts == 0
    waiting = await env.outbox(row.id)
    assert waiting.state == "waiting" and "Manage user data via APIs (api)" in (waiting.last_error_message or "")
    assert not [n for n in env.live("ContentNote") if n["Title"] == "rest_session_policy note"]

    env.org.refuse_rest_sessions(False)  # the admin changed the app
    await push_actions.retry_now(env.db, [row.id])
    assert (await env.push()).pushed == 1


async def test_concurrent_limit_loop_shows_busy_and_does_not_hammer(env: PushEnv) -> None:
    statuses: list[LoopStatus] = []
    task = await env.task(subject="concurrent_limit loop", status="Not Started", priority="Normal")
    await env.queue("task", task.id)
    env.org.concurrent_limit_next(1000)

    async def client() -> SalesforceClient:
        return env.client

    loop = PushLoop(env.db, env.connection_id, client, on_status=statuses.append, backoff_start=0.05)
    loop.start()
    try:
        await until(lambda: any(s.state == LoopState.BUSY for s in statuses))
        busy = next(s for s in statuses if s.state == LoopState.BUSY)
        assert "busy" in busy.reason and busy.next_try_at is not None
        runs = loop.runs
        await asyncio.sleep(0.3)
        assert loop.runs == runs  # waits for its minute, no retry loop
        env.org.faults.clear()
        await push_actions.retry_now(env.db, [w.outbox.id for w in await env.db.run(
            lambda s: outbox_views.entries(s, env.connection_id))])
        loop.wake()
        await until(lambda: any(t["Subject"] == "concurrent_limit loop" for t in env.live("Task")))
    finally:
        await loop.aclose()


async def test_rest_session_policy_loop_waits_to_be_woken(env: PushEnv) -> None:
    statuses: list[LoopStatus] = []
    note = await env.note(title="rest_session_policy loop")
    await env.queue("note", note.id)
    env.org.refuse_rest_sessions()

    async def client() -> SalesforceClient:
        return env.client

    loop = PushLoop(env.db, env.connection_id, client, on_status=statuses.append, backoff_start=0.05)
    loop.start()
    try:
        await until(lambda: any(s.state == LoopState.SESSION_POLICY for s in statuses))
        reason = next(s for s in statuses if s.state == LoopState.SESSION_POLICY).reason
        assert "admin" in reason and "Manage user data via APIs (api)" in reason
        runs = loop.runs
        await asyncio.sleep(0.3)
        assert loop.runs == runs and env.refresher.attempts == 0
        assert (await env.get_note(note.id)).state == "waiting"
        env.org.refuse_rest_sessions(False)
        await push_actions.retry_now(env.db, [w.outbox.id for w in await env.db.run(
            lambda s: outbox_views.entries(s, env.connection_id))])
        loop.wake()
        await until(lambda: any(n["Title"] == "rest_session_policy loop" for n in env.live("ContentNote")))
    finally:
        await loop.aclose()
