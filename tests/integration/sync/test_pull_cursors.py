"""Query cursors as Salesforce keeps them (issue 20, item 3): at most 10 open per user, the oldest
released when an 11th opens, an idle one gone after 15 minutes — and the pull survives all of it,
including other queries of the same user opening cursors in the middle of its pages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import InvalidQuery
from app.store import Database, contacts, people
from app.sync.progress import SyncProgress
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from tests.integration.sync.conftest import add_connection, client_for

CONTACTS = 4100  # three pages of 2000
PREFS = PullPreferences(include_events=False, include_users=False)
MANY = "SELECT Id FROM Contact ORDER BY Id"  # more than one page at batchSize=200


@pytest.fixture(scope="module")
def cursor_org() -> Iterator[DemoOrg]:
    with DemoOrg(contacts=CONTACTS, seed=7) as running:
        yield running


@pytest.fixture
def org(cursor_org: DemoOrg) -> Iterator[DemoOrg]:
    cursor_org.faults.clear()
    yield cursor_org
    cursor_org.advance_clock(16 * 60)  # every cursor this test opened is gone for the next one


async def open_cursors(client: SalesforceClient, n: int) -> list[str]:
    """``n`` queries with more to read, each leaving a cursor open; their nextRecordsUrls."""
    urls = []
    for _ in range(n):
        page = await client.query_page(MANY, batch_size=200)
        assert page.next_records_url
        urls.append(page.next_records_url)
    return urls


async def test_cursor_expiry_after_fifteen_idle_minutes(org: DemoOrg) -> None:
    client, _ = client_for(org)
    async with client:
        [url] = await open_cursors(client, 1)
        org.advance_clock(14 * 60)
        second = await client.query_more(url, batch_size=200)  # used: idle time starts again
        assert second.next_records_url
        org.advance_clock(14 * 60)
        assert (await client.query_more(second.next_records_url, batch_size=200)).records
        org.advance_clock(15 * 60 + 1)
        with pytest.raises(InvalidQuery) as raised:
            await client.query_more(second.next_records_url, batch_size=200)
    assert raised.value.error_code == "INVALID_QUERY_LOCATOR" and raised.value.status == 400
    assert raised.value.fields == [] and org.open_cursors() == 0


async def test_cursor_expiry_eleventh_cursor_releases_the_oldest(org: DemoOrg) -> None:
    client, _ = client_for(org)
    async with client:
        urls = await open_cursors(client, 11)
        assert org.open_cursors() == 10
        with pytest.raises(InvalidQuery) as raised:
            await client.query_more(urls[0], batch_size=200)
        assert raised.value.error_code == "INVALID_QUERY_LOCATOR"
        for url in urls[1:]:  # the ten newest are all still readable
            assert (await client.query_more(url, batch_size=200)).records


async def test_cursor_expiry_single_page_queries_open_no_cursor(org: DemoOrg) -> None:
    client, _ = client_for(org)
    async with client:
        [url] = await open_cursors(client, 1)
        for _ in range(30):
            page = await client.query_page("SELECT Id FROM User LIMIT 1")
            assert page.done and not page.next_records_url
        assert org.open_cursors() == 1
        assert (await client.query_more(url, batch_size=200)).records


async def test_cursor_expiry_during_a_pull_other_queries_release_its_cursor(org: DemoOrg, db: Database) -> None:
    """Ten cursors opened by the same user between two pages of the pull (a history fetch, another
    window) release the pull's own: it carries on after its last committed record."""
    cid = await add_connection(db, org)
    client, _ = client_for(org)
    churn, _ = client_for(org)
    opened: list[asyncio.Task[list[str]]] = []

    def after_first_page(p: SyncProgress) -> None:
        if p.object == "Contact" and p.done == 2000 and not opened:
            opened.append(asyncio.ensure_future(open_cursors(churn, 10)))

    async with client, churn:
        engine = PullEngine(client, db, cid, PREFS, fetch_ahead=1, on_progress=after_first_page)
        # Hold the next page back until the churn has opened its ten cursors.
        real_more = client.query_more

        async def slow_more(url: str, *, batch_size: int | None = None) -> object:
            while not opened or not opened[0].done():
                await asyncio.sleep(0.01)
            return await real_more(url, batch_size=batch_size)

        client.query_more = slow_more  # type: ignore[method-assign]
        result = await engine.run()
    assert opened and opened[0].done() and len(opened[0].result()) == 10
    assert result.outcome == "ok", result.message
    live = {r["Id"] for r in org.records("Contact") if not r["IsDeleted"]}
    assert await db.run(lambda s: contacts.count(s, cid)) == len(live)
    assert await db.run(lambda s: people.existing_sf_ids(s, cid, live)) == live
    # first page, one refused locator, then a fresh query for the rest (2100 records: two pages)
    assert result.api_calls == 4


async def test_cursor_expiry_interleaved_pulls_of_one_user_both_complete(org: DemoOrg, tmp_path: Path) -> None:
    """Two workspaces of the same Salesforce user pulling at once, while a third task keeps opening
    cursors: however the org releases them, both end complete."""
    live = {r["Id"] for r in org.records("Contact") if not r["IsDeleted"]}
    stop = asyncio.Event()

    async def churn() -> None:
        client, _ = client_for(org)
        async with client:
            while not stop.is_set():
                await open_cursors(client, 3)
                await asyncio.sleep(0)

    async def pull(db: Database) -> tuple[str, int, set[str]]:
        cid = await add_connection(db, org)
        client, _ = client_for(org)
        async with client:
            result = await PullEngine(client, db, cid, PREFS).run()
        count = await db.run(lambda s: contacts.count(s, cid))
        found = await db.run(lambda s: people.existing_sf_ids(s, cid, live))
        return result.outcome, count, found

    one = await Database.open(tmp_path / "one.db")
    two = await Database.open(tmp_path / "two.db")
    released_before = org.stats()["cursors"]["released"]
    churning = asyncio.ensure_future(churn())
    try:
        results = await asyncio.wait_for(asyncio.gather(pull(one), pull(two)), timeout=120)
    finally:
        stop.set()
        await churning
        await one.close()
        await two.close()
    assert org.stats()["cursors"]["released"] > released_before  # the limit was in play
    for outcome, count, found in results:
        assert outcome == "ok" and count == len(live) and found == live


async def test_cursor_expiry_during_an_incremental_pull_pauses_briefly_and_the_next_run_completes(
    org: DemoOrg, db: Database,
) -> None:
    """Without a resume point of its own mid-query, an incremental pull that loses its locator stops as
    "busy" (a minute), keeping what it wrote, and the next run picks up every change."""
    cid = await add_connection(db, org)
    client, _ = client_for(org)
    churn, _ = client_for(org)
    async with client, churn:
        assert (await PullEngine(client, db, cid, PREFS).run()).outcome == "ok"
        for row in org.records("Contact"):
            if not row["IsDeleted"]:
                org.update_record("Contact", row["Id"], {"Title": "cursor_expiry"})
        opened: list[asyncio.Task[list[str]]] = []

        def after_first_page(p: SyncProgress) -> None:
            if p.object == "Contact" and p.done == 2000 and not opened:
                opened.append(asyncio.ensure_future(open_cursors(churn, 10)))

        real_more = client.query_more

        async def slow_more(url: str, *, batch_size: int | None = None) -> object:
            while not opened or not opened[0].done():
                await asyncio.sleep(0.01)
            return await real_more(url, batch_size=batch_size)

        client.query_more = slow_more  # type: ignore[method-assign]
        stopped = await PullEngine(client, db, cid, PREFS, fetch_ahead=1, on_progress=after_first_page).run()
        client.query_more = real_more  # type: ignore[method-assign]
        assert stopped.outcome == "busy" and stopped.error_code == "INVALID_QUERY_LOCATOR"
        assert stopped.retry_at is not None and "kept" in stopped.message
        assert stopped.counts.get("Contact.written", 0) == 2000
        resumed = await PullEngine(client, db, cid, PREFS).run()
    assert resumed.outcome == "ok"
    live = sum(1 for r in org.records("Contact") if not r["IsDeleted"])
    assert resumed.counts.get("Contact.written", 0) >= live - 2000
