"""Defect 5: the REST client validates every answer and bounds every call.

Against the demo org over real HTTP (its ``garble_next`` fault answers 200 with ``{}``, an error list,
HTML, … instead of handling the request) and the raw ``HostileServer`` for paging loops and silence.
The headline case: after a dropped create, a lookup answered with ``{}`` must not read as "not
found" — that used to send 5 tasks 15 extra times.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import DeadlineExceeded, PagingLoop, ResponseProblem, UnreadableResponse
from app.salesforce.results import QueryPage
from app.salesforce.transport import Deadlines
from app.sync.pull.pages import PageWalker
from app.sync.push.engine import PushEngine, PushSettings
from tests.integration.push.conftest import PushEnv, workspace_env
from tests.reliability.hostile_server import Hostile, HostileServer

GARBLES = {
    "empty_object": ResponseProblem.WRONG_SHAPE,
    "error_list": ResponseProblem.ERROR_BODY,
    "html": ResponseProblem.NOT_JSON,
    "truncated": ResponseProblem.TRUNCATED,
    "invalid_utf8": ResponseProblem.INVALID_UTF8,
    "login_redirect": ResponseProblem.REDIRECT,
}


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[PushEnv]:
    with DemoOrg(contacts=8, seed=11) as org:
        async with workspace_env(org, tmp_path / "workspace.db") as pushed:
            yield pushed


@pytest.mark.parametrize("kind", sorted(GARBLES))
async def test_client_validation_garbled_query_is_an_error_not_zero_rows(env: PushEnv, kind: str) -> None:
    query = "SELECT Id FROM Contact"
    expected = len(await env.client.query_list(query))
    assert expected > 0
    env.org.faults.garble_next(1, kind, method="GET")
    with pytest.raises(UnreadableResponse) as caught:
        await env.client.query_list(query)
    assert caught.value.problem is GARBLES[kind]
    assert "try again" in str(caught.value)
    assert len(await env.client.query_list(query)) == expected  # the next answer is read as usual


@pytest.mark.parametrize("kind", ["empty_object", "error_list", "html"])
async def test_client_validation_unreadable_lookup_after_dropped_create_never_resends(
    env: PushEnv, kind: str,
) -> None:
    """5 tasks, the create's response dropped after commit, and every lookup answered with ``kind``:
    each run holds the tasks (outcome unknown) instead of sending them again."""
    settings = PushSettings(reconcile_settle=timedelta(0), retry_after=timedelta(0))
    tasks = [await env.task(subject=f"Follow-up {n}", status="Not Started", priority="Normal") for n in range(5)]
    rows = await env.queue("task", *[t.id for t in tasks])
    await env.client.ensure_api_version()  # so the first GET garbled is the lookup
    env.org.faults.drop_after_commit(1)
    for _run in range(4):
        env.org.faults.garble_next(3, kind, method="GET")
        report = await PushEngine(env.client, env.db, env.connection_id, settings).push()
        assert report.status == "offline" and report.pushed == 0, report
        assert len([t for t in env.live("Task") if t["Subject"].startswith("Follow-up")]) == 5
        for row in rows:
            held = await env.outbox(row.id)
            assert held.state == "waiting" and held.outcome_unknown and held.last_error_message
        env.org.faults.clear()

    report = await PushEngine(env.client, env.db, env.connection_id, settings).push()
    assert report.status == "done" and report.reconciled == 5 and report.pushed == 5, report
    created = [t for t in env.live("Task") if t["Subject"].startswith("Follow-up")]
    assert len(created) == 5  # not 20
    remote_ids = {(await env.outbox(row.id)).remote_id for row in rows}
    assert remote_ids == {t["Id"] for t in created}


async def test_client_validation_paging_loop_stops_after_a_few_requests() -> None:
    async with HostileServer(Hostile.PAGING_LOOP) as server, \
            SalesforceClient(server.url, "00Dloop!token", api_version="66.0") as client:
        with pytest.raises(PagingLoop):
            async for _record in client.query("SELECT Id FROM Contact"):
                pass
        assert client.api_calls <= 4
    assert len(server.requests) <= 4


async def test_client_validation_paging_loop_on_the_same_page_is_caught_by_query_more() -> None:
    """Callers that walk pages themselves (the pull) get the simplest loop caught on every page."""
    async with HostileServer(Hostile.PAGING_LOOP) as server, \
            SalesforceClient(server.url, "00Dloop!token", api_version="66.0") as client:
        page = await client.query_more("/services/data/v66.0/query/01gHOSTILE-2")
        assert page.next_records_url == "/services/data/v66.0/query/01gHOSTILE-3"
        with pytest.raises(PagingLoop):
            await client.query_more("/services/data/v66.0/query/01gHOSTILE-9")
    assert len(server.requests) == 2


async def test_client_validation_total_deadline_includes_retries() -> None:
    """A silent server: many retries allowed, but the call's total deadline ends it after a few."""
    deadlines = Deadlines(read=0.4, attempt=1.0, call=1.5, connect=1.0)
    async with HostileServer(Hostile.SILENT) as server, \
            SalesforceClient(server.url, "00Dsilent!token", api_version="66.0", deadlines=deadlines,
                             max_retries=50, retry_backoff=0.01, retry_backoff_max=0.02) as client:
        with pytest.raises(DeadlineExceeded) as caught:
            await client.query_list("SELECT Id FROM Contact")
    assert len(server.requests) <= 4  # 1.5 s of 0.4 s silences, not 51 attempts
    assert "did not" in str(caught.value)


def test_client_validation_default_deadlines_are_sensible() -> None:
    defaults = Deadlines()
    assert defaults.read < 120 and defaults.read <= defaults.attempt <= defaults.call <= 300
    assert defaults.max_body_bytes < 50 * 1024 * 1024


async def test_client_validation_unreadable_versions_list_is_not_no_api_version(env: PushEnv) -> None:
    """``{}`` for the versions list is an unreadable answer (try later), not "this org offers no
    API version" (which would make every item need the advisor's attention)."""
    client = SalesforceClient(env.org.base_url, env.org.mint_tokens()["access_token"], ca_file=env.org.ca_file)
    async with client:
        env.org.faults.garble_next(1, "empty_object", method="GET")
        with pytest.raises(UnreadableResponse):
            await client.ensure_api_version()
        assert await client.ensure_api_version()


async def test_client_validation_pull_page_walker_stops_a_paging_loop() -> None:
    """The pull walks pages itself (fetching ahead): a loop there ends after a few requests too."""
    async with HostileServer(Hostile.PAGING_LOOP) as server, \
            SalesforceClient(server.url, "00Dloop!token", api_version="66.0") as client:
        first = await client.query_page("SELECT Id FROM Contact")
        written: list[int] = []

        async def write(page: QueryPage, _last: bool) -> None:
            written.append(len(page.records))

        with pytest.raises(PagingLoop):
            await PageWalker(client, asyncio.Event()).walk(first, write)
    assert len(server.requests) <= 6
    assert len(written) <= 4


async def test_client_validation_push_never_raises_for_an_unexpected_error(env: PushEnv) -> None:
    """``push()`` promises a report, never an exception: an error no step expected (here a 400 with an
    unknown code on the picklist lookup) holds the items with a reason."""
    task = await env.task(subject="Needs the org's default status")  # no status: picklists are read
    [row] = await env.queue("task", task.id)
    deadlines = Deadlines(read=1.0, attempt=2.0, call=4.0, connect=1.0)
    async with HostileServer(Hostile.ODD_ERROR) as server, \
            SalesforceClient(server.url, "00Dodd!token", api_version="66.0", deadlines=deadlines) as client:
        report = await PushEngine(client, env.db, env.connection_id, PushSettings()).push()
    assert report.status == "offline" and report.waiting == 1, report
    assert "Something odd." in report.reason
    held = await env.outbox(row.id)
    assert held.state == "waiting" and held.last_error_code == "WEIRD_ERROR"


async def test_client_validation_push_reason_is_plain_words(env: PushEnv) -> None:
    task = await env.task(subject="Plain words", status="Not Started", priority="Normal")
    [row] = await env.queue("task", task.id)
    async with HostileServer(Hostile.HTML) as server, \
            SalesforceClient(server.url, "00Dhtml!token", api_version="66.0") as client:
        report = await PushEngine(client, env.db, env.connection_id, PushSettings()).push()
    assert report.reason == ("Salesforce's answer could not be read (a web page instead of data). "
                             "Nothing is lost or sent twice; Notebridge tries again by itself.")
    assert (await env.outbox(row.id)).last_error_message == report.reason
