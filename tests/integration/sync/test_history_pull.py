"""The history pull against the demo org over real HTTP, into a real workspace file: notes of both
kinds, tasks open/closed/archived, meetings, opportunities, deletions, converted leads, API calls."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.store import Database
from app.store import history as store
from app.sync.pull.history import HistoryPuller
from tests.integration.sync.conftest import add_connection, client_for, engine


async def _rows(db: Database, cid: int, client_sf_id: str) -> list[store.HistoryRow]:
    return await db.run(lambda s: store.for_clients(s, cid, [client_sf_id]))


def _busiest(org: DemoOrg, *, min_tasks: int = 0) -> str:
    """The contact with the most seeded notes (both kinds) among those with ``min_tasks`` tasks or more."""
    tasks: Counter[str] = Counter(t["WhoId"] for t in org.records("Task") if not t["IsArchived"])
    score: Counter[str] = Counter({who: 1 for who, n in tasks.items() if n >= min_tasks})
    for note in org.records("Note"):
        score[note["ParentId"]] += 2
    for link in org.records("ContentDocumentLink"):
        score[link["LinkedEntityId"]] += 3
    return next(i for i, _ in score.most_common() if i and i.startswith("003") and tasks[i] >= min_tasks)


def _expected(org: DemoOrg, contact: str) -> dict[str, set[str]]:
    live = lambda rows: {r["Id"] for r in rows if not r["IsDeleted"]}  # noqa: E731
    docs = {link["ContentDocumentId"] for link in org.records("ContentDocumentLink")
            if link["LinkedEntityId"] == contact and not link["IsDeleted"]}
    account = next(c["AccountId"] for c in org.records("Contact") if c["Id"] == contact)
    return {
        "task": live(t for t in org.records("Task") if t["WhoId"] == contact),
        "event": live(e for e in org.records("Event") if e["WhoId"] == contact),
        "note": live(n for n in org.records("Note") if n["ParentId"] == contact),
        "content_note": live(n for n in org.records("ContentNote") if n["Id"] in docs),
        "opportunity": live(o for o in org.records("Opportunity") if o["AccountId"] == account),
    }


async def test_history_of_a_client_has_every_kind(org: DemoOrg, db: Database, connection_id: int,
                                                  client: SalesforceClient) -> None:
    await engine(client, db, connection_id).run()
    contact = _busiest(org)
    report = await HistoryPuller(client, db, connection_id).fetch([contact])
    assert report.clients == 1 and not report.paused
    rows = await _rows(db, connection_id, contact)
    account = next(c["AccountId"] for c in org.records("Contact") if c["Id"] == contact)
    rows += await _rows(db, connection_id, account)
    got: dict[str, set[str]] = {}
    for row in rows:
        got.setdefault(row.kind.value, set()).add(row.sf_id)
    expected = _expected(org, contact)
    for kind, ids in expected.items():
        assert got.get(kind, set()) == ids, kind
    assert expected["note"] or expected["content_note"]
    classic = [r for r in rows if r.kind is store.HistoryKind.NOTE]
    assert all(r.has_body and r.preview for r in classic)
    enhanced = [r for r in rows if r.kind is store.HistoryKind.CONTENT_NOTE]
    assert all(r.preview and "<p>" not in r.preview for r in enhanced)
    # Whole bodies of enhanced notes come on demand (one call each), as plain text.
    fetched = await HistoryPuller(client, db, connection_id).fetch_bodies([contact])
    assert fetched == len(enhanced)
    bodies = [await db.run(lambda s, i=r.id: store.body_of(s, connection_id, i)) for r in enhanced]
    assert all(b is not None and b[2] and "<p>" not in b[2] for b in bodies)


async def test_history_tasks_open_closed_and_archived(org: DemoOrg, db: Database, connection_id: int,
                                                      client: SalesforceClient) -> None:
    await engine(client, db, connection_id).run()
    archived = next(t for t in org.records("Task") if t["IsArchived"])
    contact = archived["WhoId"]
    open_id = org.create_record("Task", {"WhoId": contact, "Subject": "Call about RMD schedule",
                                         "Status": "In Progress"})
    closed_id = org.create_record("Task", {"WhoId": contact, "Subject": "Send beneficiary form",
                                           "Status": "Completed"})
    await HistoryPuller(client, db, connection_id).fetch([contact])
    rows = {r.sf_id: r for r in await _rows(db, connection_id, contact)}
    assert rows[archived["Id"]].is_archived and rows[archived["Id"]].is_closed
    assert rows[open_id].status == "In Progress" and not rows[open_id].is_closed
    assert rows[closed_id].is_closed and not rows[closed_id].is_archived


async def test_history_incremental_sees_changes_and_deletions(org: DemoOrg, db: Database, connection_id: int,
                                                              client: SalesforceClient) -> None:
    await engine(client, db, connection_id).run()
    contact = _busiest(org, min_tasks=2)
    note_id = org.create_record("Note", {"ParentId": contact, "Title": "Beneficiary review", "Body": "Spoke."})
    puller = HistoryPuller(client, db, connection_id)
    await puller.fetch([contact])
    before = {r.sf_id: r for r in await _rows(db, connection_id, contact)}
    task = next(r for r in before.values() if r.kind is store.HistoryKind.TASK)
    note = before[note_id]
    org.delete_record(task.sf_id)
    org.delete_record(note.sf_id)
    changed = next(r for r in before.values() if r.kind is store.HistoryKind.TASK and r.sf_id != task.sf_id)
    org.update_record("Task", changed.sf_id, {"Subject": "Review RMD schedule again"})
    calls = client.api_calls
    report = await puller.fetch([contact])
    after = {r.sf_id: r for r in await _rows(db, connection_id, contact)}
    assert task.sf_id not in after and note.sf_id not in after
    assert after[changed.sf_id].title == "Review RMD schedule again"
    assert report.deleted >= 2
    # Incremental: asks only for what changed (about one query per object), not everything again.
    assert client.api_calls - calls <= 7


async def test_history_of_a_converted_lead_shows_under_its_contact(org: DemoOrg, db: Database, connection_id: int,
                                                                   client: SalesforceClient) -> None:
    lead = next(r for r in org.records("Lead") if not r["IsConverted"])
    task_id = org.create_record("Task", {"WhoId": lead["Id"], "Subject": "Intro call", "Status": "Completed"})
    contact = org.convert_lead(lead["Id"])
    # Leads in the workspace: that is where the conversion (lead -> contact) is known.
    await engine(client, db, connection_id, include_leads=True).run()
    await HistoryPuller(client, db, connection_id).fetch([contact])
    assert task_id in {r.sf_id for r in await _rows(db, connection_id, contact)}


async def test_history_for_many_clients_costs_few_calls(org: DemoOrg, db: Database, connection_id: int,
                                                        client: SalesforceClient) -> None:
    await engine(client, db, connection_id).run()
    contacts = [c["Id"] for c in org.records("Contact") if not c["IsDeleted"]]
    assert len(contacts) >= 250
    report = await HistoryPuller(client, db, connection_id, batch_size=100).fetch(contacts)
    batches = -(-len(contacts) // 100)
    assert report.clients == len(contacts)
    # Six queries a batch (Task, Event, Note, links, ContentNote, Opportunity): calls grow with batches,
    # not with clients.
    assert report.api_calls <= 6 * batches + 2, report
    assert report.api_calls < len(contacts) // 10
    counted: dict[str, Any] = await db.run(lambda s: {"n": store.count_clients(s, connection_id)})
    assert counted["n"] == len(contacts)


async def test_history_pauses_at_the_api_reserve(tmp_path: Path) -> None:
    with DemoOrg(contacts=60, seed=2, api_limit=100) as small:
        db = await Database.open(tmp_path / "reserve.db")
        try:
            cid = await add_connection(db, small)
            sf, _ = client_for(small)
            async with sf:
                await engine(sf, db, cid).run()
                contacts = [c["Id"] for c in small.records("Contact")][:50]
                # A 95% reserve on a 100-call day, with the pull's calls already spent: nothing is left
                # to spend, so the fetch stops before its first batch and says why.
                report = await HistoryPuller(sf, db, cid, reserve_fraction=0.95).fetch(contacts)
                assert report.paused and "API" in report.paused
                assert report.api_calls == 0 and report.clients == 0
                fine = await HistoryPuller(sf, db, cid, reserve_fraction=0.0).fetch(contacts[:5])
                assert fine.clients == 5 and not fine.paused
        finally:
            await db.close()
