"""Hostile server: answers that arrive but cannot be trusted end in a specific ``SalesforceError``
within bounded time, and the push engine holds or retries the item with a reason — never a
``JSONDecodeError``, never a hang, never a second copy in Salesforce.

The byte-level misbehaviour comes from ``HostileServer`` (raw asyncio sockets on 127.0.0.1); the
push tests use a real SQLite workspace and finish the job against the demo org afterwards.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    DeadlineExceeded,
    OutcomeUnknown,
    PagingLoop,
    ResponseProblem,
    SalesforceError,
    UnreadableResponse,
)
from app.salesforce.transport import Deadlines
from app.store import outbox as outbox_repo
from app.sync.push.engine import PushEngine, PushSettings
from tests.integration.push.conftest import PushEnv, workspace_env
from tests.reliability.hostile_server import Hostile, HostileServer

FAST = Deadlines(read=0.5, attempt=1.0, call=3.0, connect=1.0, max_body_bytes=1024 * 1024)
BOUND = 20.0  # generous: "does not hang", not a performance claim
TASK = {"attributes": {"type": "Task"}, "Subject": "Send the IRA form", "Status": "Not Started",
        "Priority": "Normal"}

EXPECTED: dict[Hostile, tuple[type[SalesforceError], str]] = {
    Hostile.HTML: (UnreadableResponse, ResponseProblem.NOT_JSON),
    Hostile.TRUNCATED: (UnreadableResponse, ResponseProblem.TRUNCATED),
    Hostile.ERROR_BODY: (UnreadableResponse, ResponseProblem.ERROR_BODY),
    Hostile.EMPTY_OBJECT: (UnreadableResponse, ResponseProblem.WRONG_SHAPE),
    Hostile.LOGIN_REDIRECT: (UnreadableResponse, ResponseProblem.REDIRECT),
    Hostile.HUGE: (UnreadableResponse, ResponseProblem.TOO_LARGE),
    Hostile.HUGE_UNDECLARED: (UnreadableResponse, ResponseProblem.TOO_LARGE),
    Hostile.INVALID_UTF8: (UnreadableResponse, ResponseProblem.INVALID_UTF8),
    Hostile.NEVER_ENDS: (DeadlineExceeded, "DEADLINE_EXCEEDED"),
    Hostile.DRIP: (DeadlineExceeded, "DEADLINE_EXCEEDED"),
    Hostile.SILENT: (DeadlineExceeded, "DEADLINE_EXCEEDED"),
    Hostile.PAGING_LOOP: (PagingLoop, ResponseProblem.PAGING_LOOP),
    Hostile.ODD_ERROR: (SalesforceError, "WEIRD_ERROR"),
}
# Answers that say nothing new when asked again are not retried; timeouts are, within the deadline.
NOT_RETRIED = {Hostile.HTML, Hostile.TRUNCATED, Hostile.ERROR_BODY, Hostile.EMPTY_OBJECT,
               Hostile.LOGIN_REDIRECT, Hostile.HUGE, Hostile.HUGE_UNDECLARED, Hostile.INVALID_UTF8, Hostile.ODD_ERROR}


def hostile_client(server: HostileServer) -> SalesforceClient:
    return SalesforceClient(server.url, "00Dhostile!token", api_version="66.0", deadlines=FAST,
                            max_retries=2, retry_backoff=0.01, retry_backoff_max=0.02)


@pytest.mark.parametrize("mode", list(Hostile))
async def test_hostile_server_query_ends_in_a_specific_error(mode: Hostile) -> None:
    async with HostileServer(mode) as server, hostile_client(server) as client:
        started = time.monotonic()
        with pytest.raises(SalesforceError) as caught:
            await client.query_list("SELECT Id, Name FROM Contact")
        elapsed = time.monotonic() - started
    cls, code = EXPECTED[mode]
    assert type(caught.value) is cls, repr(caught.value)
    assert caught.value.error_code == code
    assert elapsed < BOUND
    message = str(caught.value)
    assert "Traceback" not in message and "JSONDecodeError" not in message and "{" not in message
    if mode in NOT_RETRIED:
        assert len(server.requests) == 1
    if mode is Hostile.PAGING_LOOP:
        assert len(server.requests) <= 4  # the loop is noticed, not followed 899 times
    if mode in (Hostile.HUGE, Hostile.HUGE_UNDECLARED):
        assert server.bytes_sent < 50 * 1024 * 1024  # the client hung up instead of reading it all


@pytest.mark.parametrize("mode", sorted(set(Hostile) - {Hostile.PAGING_LOOP, Hostile.ODD_ERROR}))
async def test_hostile_server_create_answer_means_outcome_unknown(mode: Hostile) -> None:
    """A create whose answer cannot be read may have been saved: OutcomeUnknown (reconcile first),
    never "failed" (which would send it again) and never a parse error."""
    async with HostileServer(mode) as server, hostile_client(server) as client:
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown):
            await client.create_many([TASK, TASK])
        with pytest.raises(OutcomeUnknown):
            await client.create("Task", TASK)
        assert time.monotonic() - started < 2 * BOUND
        assert [m for m, _p in server.requests] == ["POST", "POST"]  # never re-sent blindly


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[PushEnv]:
    with DemoOrg(contacts=6, seed=7) as org:
        async with workspace_env(org, tmp_path / "workspace.db") as pushed:
            yield pushed


PUSH_MODES = [Hostile.HTML, Hostile.TRUNCATED, Hostile.ERROR_BODY, Hostile.EMPTY_OBJECT, Hostile.LOGIN_REDIRECT,
              Hostile.HUGE, Hostile.INVALID_UTF8, Hostile.DRIP, Hostile.SILENT]


@pytest.mark.parametrize("mode", PUSH_MODES)
async def test_hostile_server_push_holds_items_and_sends_each_once_later(env: PushEnv, mode: Hostile) -> None:
    settings = PushSettings(reconcile_settle=timedelta(0), retry_after=timedelta(0))
    tasks = [await env.task(subject=f"Hostile {mode} {n}", status="Not Started", priority="Normal")
             for n in range(3)]
    rows = await env.queue("task", *[t.id for t in tasks])
    async with HostileServer(mode) as server, hostile_client(server) as client:
        report = await PushEngine(client, env.db, env.connection_id, settings).push()  # must not raise
    assert report.status == "offline", report
    assert report.pushed == 0 and report.needs_attention == 0 and report.waiting == 3
    assert report.reason and "JSON" not in report.reason
    for row in rows:
        held = await env.outbox(row.id)
        assert held.state == "waiting", held
        assert held.last_error_message  # a reason the advisor can read
        assert held.remote_id is None
        # The create was sent and its answer unreadable: the outcome stays unknown, to be looked up.
        assert held.sent_at is not None and held.outcome_unknown

    # Later, Salesforce answers properly: the lookup finds nothing (the hostile server saved
    # nothing), so each task is sent exactly once.
    report = await PushEngine(env.client, env.db, env.connection_id, settings).push()
    assert report.status == "done" and report.pushed == 3, report
    subjects = [t["Subject"] for t in env.live("Task")]
    for task in tasks:
        assert subjects.count(task.subject) == 1
    for row in rows:
        assert (await env.outbox(row.id)).state == "pushed"


async def test_hostile_server_push_retry_waits_without_losing_items(env: PushEnv) -> None:
    """Items held after a hostile answer are due again after ``retry_after`` — not failed, not dropped."""
    task = await env.task(subject="Held task", status="Not Started", priority="Normal")
    [row] = await env.queue("task", task.id)
    settings = PushSettings(retry_after=timedelta(minutes=5))
    async with HostileServer(Hostile.HTML) as server, hostile_client(server) as client:
        await PushEngine(client, env.db, env.connection_id, settings).push()
    held = await env.outbox(row.id)
    assert held.state == "waiting" and held.next_try_at is not None
    due_now = await env.db.run(lambda s: outbox_repo.due(s, env.connection_id, held.next_try_at - timedelta(minutes=1)))
    assert row.id not in [w.outbox.id for w in due_now]
