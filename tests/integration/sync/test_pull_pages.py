"""Fetching pages ahead: in order, complete, no wasted calls; predictions checked against real links."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from app.demo_org import DemoOrg
from app.salesforce.results import QueryPage
from app.store import Database, contacts
from app.sync.pull.base import PullContext
from app.sync.pull.engine import PullEngine
from app.sync.pull.pages import PageWalker, _Plan
from app.sync.pull.types import PullPreferences
from tests.integration.sync.conftest import add_connection, client_for


def page(next_url: str | None, n: int = 2000, total: int = 7000) -> QueryPage:
    return QueryPage([{"Id": str(i)} for i in range(n)], total, next_url is None, next_url)


def test_plan_predicts_locator_offsets_and_stops_at_the_end() -> None:
    plan = _Plan.from_page(page("/services/data/v62.0/query/01gXX0000000001AAA-2000"))
    assert plan is not None
    assert plan.after("/services/data/v62.0/query/01gXX0000000001AAA-2000") == \
        "/services/data/v62.0/query/01gXX0000000001AAA-4000"
    assert plan.after("/services/data/v62.0/query/01gXX0000000001AAA-6000") is None  # 8000 > total
    assert plan.after("/services/data/v62.0/query/01gOTHER-4000") is None  # another locator: no guess


def test_no_plan_for_links_it_does_not_understand() -> None:
    assert _Plan.from_page(page("/services/data/v62.0/query/opaque-token")) is None
    assert _Plan.from_page(page(None)) is None
    assert _Plan.from_page(page("/services/data/v62.0/queryAll/01gXX-2000", n=0)) is None


async def test_pages_fetched_ahead_arrive_complete_in_order_without_extra_calls(tmp_path: object) -> None:
    from pathlib import Path

    with DemoOrg(contacts=9000, seed=8, latency_ms=20) as org:
        db = await Database.open(Path(str(tmp_path)) / "ahead.db")
        try:
            cid = await add_connection(db, org)
            client, _ = client_for(org)
            order: list[int] = []
            async with client:
                org.reset_stats()
                engine = PullEngine(client, db, cid, PullPreferences(include_events=False, include_users=False),
                                    on_progress=lambda p: order.append(p.done))
                result = await engine.run()
                assert result.api_calls == 5 == org.stats()["api_calls"]  # 5 pages, nothing wasted

                walker = PageWalker(client, asyncio.Event())
                first = await client.query_page("SELECT Id FROM Contact ORDER BY Id", batch_size=2000)
                seen: list[str] = []

                async def write(p: QueryPage, last: bool) -> None:
                    seen.extend(r["Id"] for r in p.records)

                await walker.walk(first, write)
            assert [d for d in order if d] == [2000, 4000, 6000, 8000, 9000]
            assert await db.run(lambda s: contacts.count(s, cid)) == 9000
            assert seen == sorted(seen) and len(seen) == len(set(seen)) == 9000
            assert walker.wasted_calls == 0
        finally:
            await db.close()


freed_on: list[str] = []


class Row:
    def __del__(self) -> None:
        freed_on.append(threading.current_thread().name)


class Prepared:
    def __init__(self, n: int) -> None:
        self.rows = [Row() for _ in range(n)]

    def big_lists(self) -> tuple[list[Row], ...]:
        return (self.rows,)


async def test_written_pages_are_freed_in_the_worker_thread_not_on_the_loop() -> None:
    freed_on.clear()
    written: list[tuple[int, list[dict[str, object]]]] = []

    async def write(p: QueryPage, last: bool, prepared: Prepared) -> None:
        written.append((len(p.records), p.records))

    executor = ThreadPoolExecutor(1, thread_name_prefix="test-prepare")
    with DemoOrg(contacts=5000, seed=8, latency_ms=5) as org:
        client, _ = client_for(org)
        async with client:
            first = await client.query_page("SELECT Id FROM Contact ORDER BY Id", batch_size=2000)
            walker = PageWalker(client, asyncio.Event(), executor=executor)
            await walker.walk_prepared(first, lambda p: Prepared(len(p.records)), write)
    executor.shutdown(wait=True)
    assert [n for n, _ in written] == [2000, 2000, 1000]
    assert all(records == [] for _, records in written)  # each page emptied once written
    assert len(freed_on) == 5000 and set(freed_on) == {"test-prepare_0"}


async def test_a_pull_lets_its_worker_free_the_last_page_before_it_stops() -> None:
    freed_on.clear()

    async def write(p: QueryPage, last: bool, prepared: Prepared) -> None:
        return None

    with DemoOrg(contacts=3000, seed=8, latency_ms=5) as org:
        client, _ = client_for(org)
        async with client:
            first = await client.query_page("SELECT Id FROM Contact ORDER BY Id", batch_size=2000)
            pull = PullContext(client, None, 1, PullPreferences())  # type: ignore[arg-type]  # no database needed
            await pull.walk_prepared(first, lambda p: Prepared(len(p.records)), write)
    for _ in range(100):  # the worker finishes on its own time; the loop never waits for it
        if len(freed_on) == 3000:
            break
        await asyncio.sleep(0.05)
    assert len(freed_on) == 3000 and set(freed_on) == {"notebridge-pull-prepare_0"}
