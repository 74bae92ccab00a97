"""The background loop: wakes on new work, waits politely while offline or signed out, and
resumes by itself — counted in loop turns and probes, never in wall-clock time."""

from __future__ import annotations

import asyncio

from app.salesforce.client import SalesforceClient
from app.store import outbox_views
from app.store.outbox_views import OutboxCounts
from app.sync.push.loop import LoopStatus, PushLoop, status_text
from tests.integration.push.conftest import PushEnv
from tests.support.qt_loop import until


def _loop(env: PushEnv, statuses: list[LoopStatus] | None = None, **options: object) -> PushLoop:
    async def client() -> SalesforceClient:
        return env.client

    options.setdefault("backoff_start", 0.05)
    return PushLoop(env.db, env.connection_id, client, on_status=(statuses.append if statuses is not None else None),
                    **options)  # type: ignore[arg-type]


async def _nothing_pending(env: PushEnv, loop: PushLoop, runs: int = 0) -> bool:
    counts = await env.db.run(lambda s: outbox_views.counts(s, env.connection_id))
    return counts.pending == 0 and loop.runs >= runs


async def test_loop_sleeps_until_woken_then_pushes(env: PushEnv) -> None:
    loop = _loop(env)
    loop.start()
    try:
        await until(lambda: loop.state == "idle")
        await asyncio.sleep(0.2)
        assert loop.runs == 0  # nothing to do: no polling
        task = await env.task(status="Not Started", priority="Normal")
        await env.queue("task", task.id)
        loop.wake()
        await until(lambda: _nothing_pending(env, loop, runs=1))
        assert (await env.get_task(task.id)).state == "pushed"
    finally:
        await loop.aclose()


async def test_offline_probes_with_backoff_and_resumes_by_itself(env: PushEnv) -> None:
    statuses: list[LoopStatus] = []
    task = await env.task(subject="Sent after the outage", status="Not Started", priority="Normal")
    await env.queue("task", task.id)
    env.org.faults.fail_next(12, status=503)
    loop = _loop(env, statuses)
    loop.start()
    try:
        await until(lambda: any(s.state == "offline" for s in statuses))
        waiting = await env.db.run(lambda s: outbox_views.entries(s, env.connection_id))
        assert waiting[0].outbox.state == "waiting"
        await until(lambda: _nothing_pending(env, loop))
        await until(lambda: statuses[-1].state == "idle")
    finally:
        await loop.aclose()
    assert [t["Subject"] for t in env.live("Task") if t["Subject"] == "Sent after the outage"] == [
        "Sent after the outage"]
    assert loop.probes >= 1
    assert loop.runs + loop.probes <= 12  # backoff, not a busy loop


async def test_signed_out_waits_for_sign_in_instead_of_retrying(env: PushEnv) -> None:
    class NeedsAttention(RuntimeError):
        reason = "Salesforce signed you out. Sign in again."

    signed_in = False
    calls = 0

    async def client() -> SalesforceClient:
        nonlocal calls
        calls += 1
        if not signed_in:
            raise NeedsAttention()
        return env.client

    statuses: list[LoopStatus] = []
    loop = PushLoop(env.db, env.connection_id, client, on_status=statuses.append, backoff_start=0.05)
    note = await env.note(title="Written on the plane")
    await env.queue("note", note.id)
    loop.start()
    try:
        await until(lambda: any(s.state == "signed_out" for s in statuses))
        await asyncio.sleep(0.3)
        assert calls == 1  # waits to be woken, no retry loop
        assert (await env.get_note(note.id)).state == "waiting"
        signed_in = True
        loop.wake()
        await until(lambda: _nothing_pending(env, loop))
    finally:
        await loop.aclose()
    assert (await env.get_note(note.id)).state == "pushed"


async def test_auto_push_sends_complete_drafts_left_alone(env: PushEnv) -> None:
    ready = await env.note(title="Ready to go")
    unfinished = await env.note(title="", body_markdown="half a thought")
    loop = _loop(env, auto_push_idle=0.1)
    loop.start()
    try:
        await until(lambda: _state(env, ready.id, "pushed"))
    finally:
        await loop.aclose()
    assert (await env.get_note(unfinished.id)).state == "draft"


async def _state(env: PushEnv, note_id: int, state: str) -> bool:
    return (await env.get_note(note_id)).state == state


def test_status_text_reads_like_the_issue() -> None:
    assert status_text(OutboxCounts(waiting=3, sending=2), sending=2, state="sending") == "3 waiting · sending 2…"
    assert status_text(OutboxCounts(waiting=1, needs_attention=2), state="offline") == (
        "1 waiting (offline) · 2 need attention")
    assert status_text(OutboxCounts()) == ""
