"""Meeting prep: the background sync fetches the history of clients with a meeting soon and of the
clients the advisor owns — and it costs a handful of API calls, not one per client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.store import Database
from app.store import history as store
from app.store.models import Connection
from app.sync.pull.history import HistoryPuller, HistoryReport
from app.sync.pull.history_prefetch import PrefetchPreferences, clients_to_prefetch, prefetch, save
from app.sync.pull.scheduler import PullScheduler
from tests.integration.sync.conftest import add_connection, client_for, engine, signed_in_workspace


async def _be_the_advisor(db: Database, cid: int, org: DemoOrg) -> str:
    advisor = next(u["Id"] for u in org.records("User") if u["Username"] == org.info()["username"])

    def change(session: Any) -> None:
        row = session.get(Connection, cid)
        row.user_id = advisor

    await db.run(change)
    return advisor


def _meeting_clients(org: DemoOrg, days: int) -> set[str]:
    now = datetime.now(UTC)
    end = now + timedelta(days=days)
    found = set()
    for event in org.records("Event"):
        start = datetime.fromisoformat(event["StartDateTime"].replace("+0000", "+00:00"))
        if not event["IsDeleted"] and now <= start <= end and event["WhoId"]:
            found.add(event["WhoId"])
    return found


async def test_history_prefetch_meetings_only_costs_a_few_calls(org: DemoOrg, db: Database, connection_id: int,
                                                              client: SalesforceClient) -> None:
    await engine(client, db, connection_id).run()
    prefs = PrefetchPreferences(window_days=30, owned_clients=False)
    wanted = await clients_to_prefetch(db, connection_id, prefs)
    assert set(wanted) >= _meeting_clients(org, 29) and len(wanted) >= 5
    org.reset_stats()
    report = await prefetch(client, db, connection_id, reserve_fraction=0.1, prefs=prefs)
    assert report.clients == len(wanted)
    # One batch: Task, Event, Note, ContentDocumentLink, ContentNote, Opportunity.
    assert report.api_calls <= 6
    assert org.stats()["api_calls"] == report.api_calls  # the org counted the same calls
    states = await db.run(lambda s: store.states(s, connection_id, wanted))
    assert set(states) == set(wanted)


async def test_history_prefetch_owned_clients_and_the_second_time(org: DemoOrg, db: Database, connection_id: int,
                                                                  client: SalesforceClient) -> None:
    await engine(client, db, connection_id).run()
    advisor = await _be_the_advisor(db, connection_id, org)
    owned = {c["Id"] for c in org.records("Contact") if c["OwnerId"] == advisor and not c["IsDeleted"]}
    await save(db, connection_id, PrefetchPreferences(window_days=14, owned_clients=True))
    wanted = await clients_to_prefetch(db, connection_id, PrefetchPreferences(14, True))
    assert owned <= set(wanted) and len(wanted) > 200
    first = await prefetch(client, db, connection_id, reserve_fraction=0.1)
    assert first.clients == len(wanted)
    batches = -(-len(wanted) // 300)
    assert first.api_calls <= 6 * batches + 2 < len(wanted) // 20
    # The second time only changes are asked for: the same few calls, nothing rewritten.
    second = await prefetch(client, db, connection_id, reserve_fraction=0.1)
    assert second.clients == len(wanted) and second.api_calls <= 6 * batches + 2
    assert second.written <= first.written


async def test_history_prefetch_runs_after_a_background_sync(tmp_path: Path) -> None:
    async with signed_in_workspace(tmp_path / "ws.db", contacts=80, seed=4) as (_org, db, manager):
        scheduler = PullScheduler(db, manager)
        try:
            result = await scheduler.sync_now()
            assert result.ok, result.message
            report = scheduler.last_history  # fetched as part of the sync run
            assert isinstance(report, HistoryReport) and report.clients > 0 and not report.paused
            cid = manager.active.connection_id if manager.active else 0
            assert await db.run(lambda s: store.count_clients(s, cid)) == report.clients
        finally:
            await scheduler.aclose()


class _Recording(HistoryPuller):
    """The real puller, noting which object each query asked for (to count them per batch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objects: list[str] = []

    async def _records(self, soql: str, *, include_deleted: bool = True) -> list[dict[str, Any]]:
        self.objects.append(soql.split(" FROM ", 1)[1].split()[0])  # the outer query's object
        return await super()._records(soql, include_deleted=include_deleted)


async def test_history_prefetch_of_a_meeting_book_asks_for_content_notes_once_a_batch(tmp_path: Path) -> None:
    """600 clients meeting soon, ~5 notes and ~10 tasks each (the benchmark's shape, scaled down):
    the ContentNotes of a batch come in one semi-join query, not one per 300 documents, so the
    calls stay at about seven a batch (tasks take two pages of 2,000)."""
    with DemoOrg(contacts=1500, seed=3, meeting_clients=600) as org:
        db = await Database.open(tmp_path / "workspace.db")
        cid = await add_connection(db, org)
        sf, _refresher = client_for(org)
        try:
            async with sf as client:
                await engine(client, db, cid).run()
                wanted = await clients_to_prefetch(db, cid, PrefetchPreferences(window_days=14, owned_clients=False))
                assert set(wanted) == _meeting_clients(org, 14) and len(wanted) == 600
                people = set(wanted)
                notes = sum(1 for link in org.records("ContentDocumentLink") if link["LinkedEntityId"] in people)
                assert notes > 2 * 300  # more documents than one Id list holds, in each batch
                org.reset_stats()
                puller = _Recording(client, db, cid, reserve_fraction=0.1)
                report = await puller.fetch(wanted)
        finally:
            stored = await db.read(lambda c: c.execute(
                "SELECT count(*) FROM history_item WHERE kind = 'content_note' AND NOT is_deleted").fetchone()[0])
            await db.close()
        batches = 2
        assert report.clients == 600 and report.api_calls == org.stats()["api_calls"]
        assert puller.objects.count("ContentNote") == batches
        assert puller.objects.count("ContentDocumentLink") == batches
        assert report.api_calls <= 7 * batches, puller.objects
        assert stored == notes
