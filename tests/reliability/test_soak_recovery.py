"""What the soak's restarts found about getting the outbox moving again (``benchmarks/soak_recovery.py``):
the app's own waits after a restart, each counted in requests and scheduled times, never timed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import ServerUnavailable
from app.store import outbox_views
from app.sync.progress import SyncProgress
from app.sync.push.engine import PushEngine, PushSettings
from app.sync.push.loop import BACKOFF_START, PushLoop
from tests.integration.push.conftest import PushEnv, workspace_env
from tests.support.qt_loop import until


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[PushEnv]:
    with DemoOrg(contacts=12, seed=5) as org:
        async with workspace_env(org, tmp_path / "workspace.db") as pushed:
            yield pushed


class Killed(BaseException):
    """Stands for SIGKILL: nothing after the request runs (a BaseException, so no handler settles it)."""


async def test_soak_restart_reports_a_found_create_as_moved_before_sending_anything(env: PushEnv) -> None:
    """A kill after Salesforce saved a task, then a restart: the lookup that finds it settles it, and
    the push says so at once (the status bar, the soak's "moved") — not only after its next request,
    which a fault may hold up for seconds."""
    first = await env.task(subject="Saved before the kill", status="Not Started", priority="Normal")
    await env.queue("task", first.id)
    original = env.client.request

    async def request(method: str, path: str, **kwargs: Any) -> Any:
        answer = await original(method, path, **kwargs)
        if method == "POST":
            raise Killed  # Salesforce created the task; the answer is never read
        return answer

    env.client.request = request  # type: ignore[method-assign]
    with contextlib.suppress(Killed):
        await env.push()
    env.client.request = original  # type: ignore[method-assign]
    second = await env.task(subject="Queued after the restart", status="Not Started", priority="Normal")
    await env.queue("task", second.id)

    progress: list[SyncProgress] = []
    calls_before = env.client.api_calls
    engine = PushEngine(env.client, env.db, env.connection_id, PushSettings(), on_progress=progress.append)
    report = await engine.push()

    assert progress, report
    assert progress[0].done == 1 and progress[0].object == "Task", progress[0]
    assert progress[0].api_calls - calls_before == 1  # the one lookup: nothing sent yet
    assert report.reconciled == 1 and report.pushed == 2, report
    subjects = sorted(t["Subject"] for t in env.live("Task") if t["Subject"] in (first.subject, second.subject))
    assert subjects == ["Queued after the restart", "Saved before the kill"]  # each once


async def test_soak_loop_looks_again_half_a_second_after_a_blip(env: PushEnv) -> None:
    """A restarted app whose first create met one 503: the loop stops the run (a 503 on a create is
    not retried blindly) and looks again — a free probe first — 0.5 s later (± jitter), not 2 s; the
    soak saw restarts sit still for 2 s after a blip that was already over."""
    task = await env.task(subject="Sent after one 503", status="Not Started", priority="Normal")
    await env.queue("task", task.id)
    original = env.client.request
    refused = 0

    async def request(method: str, path: str, **kwargs: Any) -> Any:
        nonlocal refused
        if method == "POST" and not refused:
            refused += 1
            raise ServerUnavailable("Salesforce is unavailable (HTTP 503).", status=503)
        return await original(method, path, **kwargs)

    env.client.request = request  # type: ignore[method-assign]

    async def client() -> SalesforceClient:
        return env.client

    loop = PushLoop(env.db, env.connection_id, client)  # the app's own backoff, not a test's
    waits: list[timedelta] = []

    async def stopped_then_pushed() -> bool:
        rows = await env.db.run(lambda s: outbox_views.entries(s, env.connection_id))
        row = rows[0].outbox
        if row.state == "waiting" and row.next_try_at is not None and not waits:
            waits.append(row.next_try_at - row.updated_at)
        return row.state == "pushed" and loop.runs == 2

    loop.start()
    try:
        await until(stopped_then_pushed, timeout=20)
    finally:
        await loop.aclose()
    assert BACKOFF_START == 0.5
    assert refused == 1 and loop.runs == 2 and loop.probes == 1, (refused, loop.runs, loop.probes)
    assert waits and waits[0] <= timedelta(seconds=BACKOFF_START * 1.2), waits
    assert [t["Subject"] for t in env.live("Task") if t["Subject"] == "Sent after one 503"] == ["Sent after one 503"]


async def test_soak_restart_sends_the_rest_before_sitting_out_the_settle_window(env: PushEnv) -> None:
    """A kill while a create was on its way (recorded as sent, never reached Salesforce), then a quick
    restart: the lookup finds nothing, but inside the settle window that proves nothing, so the item
    must not be sent yet.  The rest of the outbox goes first instead of waiting with it; the item is
    looked at again after its window and sent then — once.  Counted in requests, in order."""
    lost = await env.task(subject="Killed on its way", status="Not Started", priority="Normal")
    await env.queue("task", lost.id)
    original = env.client.request

    async def killed(method: str, path: str, **kwargs: Any) -> Any:
        if method == "POST":
            raise Killed  # sent_at is committed; the request never left
        return await original(method, path, **kwargs)

    env.client.request = killed  # type: ignore[method-assign]
    with contextlib.suppress(Killed):
        await env.push()
    other = await env.task(subject="Queued before the restart", status="Not Started", priority="Normal")
    await env.queue("task", other.id)

    requests: list[str] = []

    async def request(method: str, path: str, **kwargs: Any) -> Any:
        body = str(kwargs.get("json_body") or "")
        what = "query" if "/query" in path else method
        if method == "POST":
            what += " lost" if lost.subject in body else " other"
        requests.append(what)
        return await original(method, path, **kwargs)

    env.client.request = request  # type: ignore[method-assign]
    report = await env.push()  # the default settle window: 2 s after the lost create was sent

    posts = [r for r in requests if r.startswith("POST")]
    assert posts == ["POST other", "POST lost"], requests
    first_post = requests.index("POST other")
    assert requests[:first_post].count("query") == 1, requests  # one lookup, no wait, then the rest
    assert requests[first_post:requests.index("POST lost")].count("query") >= 1, requests  # looked again
    assert report.pushed == 2 and report.reconciled == 0, report
    for subject in (lost.subject, other.subject):
        assert [t["Subject"] for t in env.live("Task") if t["Subject"] == subject] == [subject]
