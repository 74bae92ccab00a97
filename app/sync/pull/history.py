"""Fetching clients' history — notes, tasks, meetings, open opportunities — for a *set* of clients.

Clients go in batches of ``IDS_PER_QUERY``; each batch costs one query per object (Task, Event,
Note, ContentDocumentLink, ContentNote — a semi-join on the same links, not one query per few hundred
documents — and Opportunity) plus paging, so history for 2,000 clients is about fifty calls, not
2,000.  A batch asks only for what changed since its clients' last refresh
(``SystemModstamp`` minus the same overlap the contact pull uses); clients never fetched go in
batches of their own, from the beginning.  Everything comes through ``queryAll``: deleted rows
leave the timeline, archived activities (older than a year) are kept and marked.  Before each
batch the org's API usage is checked against the reserve the app keeps (``ApiBudget``): at the
reserve the fetch stops and says why, leaving the rest for the next run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.salesforce.client import SalesforceClient
from app.store import Database
from app.store import history as store
from app.store.types import utcnow
from app.sync.gc_pause import collector_paused
from app.sync.pull import history_queries as q
from app.sync.pull.history_records import (
    classic_note_row,
    content_note_row,
    event_row,
    note_text,
    opportunity_row,
    task_row,
)
from app.sync.pull.records import MalformedRecord, timestamp
from app.sync.push.budget import DEFAULT_RESERVE_FRACTION, ApiBudget

log = logging.getLogger(__name__)

OVERLAP = timedelta(minutes=5)  # as the contact pull: a record committed late still lands
BODIES_PER_OPEN = 25  # whole ContentNote bodies fetched when one client is opened (one call each)

Mapper = Callable[[Mapping[str, Any], str], dict[str, Any]]


@dataclass
class HistoryReport:
    clients: int = 0
    written: int = 0
    deleted: int = 0
    skipped: int = 0
    api_calls: int = 0
    paused: str = ""  # why it stopped early (API reserve reached), in plain words


@dataclass
class _Batch:
    targets: list[store.Targets]
    since: datetime | None
    newest: datetime | None = None
    owner: dict[str, str] = field(default_factory=dict)  # target Id -> the client it belongs to

    def __post_init__(self) -> None:
        for t in self.targets:
            for person in t.people:
                self.owner.setdefault(person, t.client_sf_id)

    @property
    def people(self) -> list[str]:
        return list(self.owner)

    @property
    def accounts(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for t in self.targets:
            if t.account_sf_id:
                found.setdefault(t.account_sf_id, []).append(t.client_sf_id)
        return found


class HistoryPuller:
    def __init__(self, client: SalesforceClient, db: Database, connection_id: int, *,
                 reserve_fraction: float = DEFAULT_RESERVE_FRACTION, overlap: timedelta = OVERLAP,
                 batch_size: int = q.IDS_PER_QUERY, now: Callable[[], datetime] = utcnow) -> None:
        self.client = client
        self.db = db
        self.connection_id = connection_id
        self.budget = ApiBudget(reserve_fraction)
        self.overlap = overlap
        self.batch_size = max(1, min(batch_size, q.IDS_PER_QUERY))
        self.now = now

    # ----------------------------------------------------------------------------------- public
    async def fetch(self, client_sf_ids: Sequence[str]) -> HistoryReport:
        """Bring these clients' history up to date (only what changed since each was last fetched).

        With the cyclic collector paused, as for the contact pull (``gc_pause``): 35,000 records of
        2,000 clients set off full collections that stop the loop (one took 0.55 s in the benchmark)."""
        with collector_paused():
            return await self._fetch(client_sf_ids)

    async def _fetch(self, client_sf_ids: Sequence[str]) -> HistoryReport:
        cid = self.connection_id
        report = HistoryReport()
        calls_before = self.client.api_calls

        def read(session: Any) -> tuple[list[store.Targets], dict[str, tuple[datetime, datetime | None]]]:
            return store.targets(session, cid, client_sf_ids), store.states(session, cid, client_sf_ids)

        targets, states = await self.db.run(read)
        # A set, not ``t not in fresh`` on the list: that compared every pair (2,000 clients: a 2 s stall).
        never = {t.client_sf_id for t in targets if t.client_sf_id not in states or states[t.client_sf_id][1] is None}
        fresh = [t for t in targets if t.client_sf_id in never]
        known = sorted((t for t in targets if t.client_sf_id not in never),
                       key=lambda t: states[t.client_sf_id][1] or self.now())
        for group, incremental in ((fresh, False), (known, True)):
            for start in range(0, len(group), self.batch_size):
                chunk = group[start : start + self.batch_size]
                since = None
                if incremental:
                    stamps = [states[t.client_sf_id][1] for t in chunk]
                    since = min(s for s in stamps if s is not None) - self.overlap
                if not self._may_spend(6, report):
                    report.api_calls = self.client.api_calls - calls_before
                    return report
                await self._batch(_Batch(chunk, since), report)
        report.api_calls = self.client.api_calls - calls_before
        return report

    async def fetch_bodies(self, client_sf_ids: Sequence[str], *, limit: int = BODIES_PER_OPEN) -> int:
        """Whole ContentNote bodies not yet on this computer (one call each, so only for clients the
        advisor opens, at most ``limit``).  Returns how many were fetched."""
        cid = self.connection_id
        missing = await self.db.run(lambda s: store.notes_without_body(s, cid, client_sf_ids))
        fetched = 0
        for sf_id in missing[:limit]:
            if not self._may_spend(1, HistoryReport()):
                break
            data = await self.client.blob("ContentNote", sf_id, "Content")
            text = note_text(data.decode("utf-8", errors="replace"))

            def save(session: Any, sf_id: str = sf_id, text: str = text) -> None:
                store.set_body(session, cid, sf_id, text)

            await self.db.run(save)
            fetched += 1
        return fetched

    # ---------------------------------------------------------------------------------- batches
    def _may_spend(self, calls: int, report: HistoryReport) -> bool:
        self.budget.update(self.client.api_usage)
        decision = self.budget.check(calls, self.now())
        if not decision.ok:
            report.paused = decision.reason
        return decision.ok

    async def _batch(self, batch: _Batch, report: HistoryReport) -> None:
        people = batch.people
        await self._object(q.tasks(people, batch.since), task_row, batch, "WhoId", report)
        await self._object(q.events(people, batch.since), event_row, batch, "WhoId", report)
        await self._object(q.notes(people, batch.since), classic_note_row, batch, "ParentId", report)
        await self._content_notes(batch, report)
        accounts = batch.accounts
        if accounts:
            await self._object(q.opportunities(list(accounts), batch.since), opportunity_row, batch, "AccountId",
                               report, fan_out=accounts)
        cid, clients, as_of, newest = self.connection_id, [t.client_sf_id for t in batch.targets], self.now(), \
            batch.newest
        # Never fetched and nothing seen: start the change feed a day back rather than trust this
        # computer's clock to agree with Salesforce's.
        if newest is None and batch.since is None:
            newest = as_of - timedelta(days=1)
        await self.db.run(lambda s: store.save_states(s, cid, clients, as_of, newest))
        report.clients += len(clients)

    async def _records(self, soql: str, *, include_deleted: bool = True) -> list[dict[str, Any]]:
        return await self.client.query_list(soql, include_deleted=include_deleted)

    async def _object(self, soql: str, mapper: Mapper, batch: _Batch, link_field: str, report: HistoryReport,
                      *, fan_out: Mapping[str, list[str]] | None = None) -> None:
        records = await self._records(soql)
        await self._write(records, mapper, batch, report, lambda r: _owners(r, link_field, batch, fan_out),
                          single_owner=fan_out is None)

    async def _write(self, records: list[dict[str, Any]], mapper: Mapper, batch: _Batch, report: HistoryReport,
                     owners: Callable[[dict[str, Any]], list[str]], *, single_owner: bool = False) -> None:
        # Mapped in a worker thread: 3,000 tasks of a batch are ~100 ms of Python the loop (and so the
        # window) would otherwise stall for (benchmarks/history.py measures it).
        mapped = await asyncio.to_thread(_map, records, mapper, owners)
        rows, gone = mapped.rows, mapped.gone
        if mapped.newest is not None and (batch.newest is None or mapped.newest > batch.newest):
            batch.newest = mapped.newest
        report.skipped += mapped.skipped
        cid = self.connection_id

        def write(session: Any) -> tuple[int, int]:
            if single_owner:  # a task moved to another person leaves the first one's timeline
                store.retire_other_clients(session, cid, [(r["sf_id"], r["client_sf_id"]) for r in rows])
            return store.upsert(session, cid, rows), store.mark_deleted(session, cid, gone)

        written, deleted = await self.db.run(write)
        report.written += written
        report.deleted += deleted

    async def _content_notes(self, batch: _Batch, report: HistoryReport) -> None:
        links = await self._records(q.links(batch.people), include_deleted=False)
        by_document: dict[str, list[str]] = {}
        for link in links:
            client = batch.owner.get(str(link.get("LinkedEntityId")))
            document = link.get("ContentDocumentId")
            if client and isinstance(document, str):
                by_document.setdefault(document, []).append(client)
        live = {(doc, client) for doc, clients in by_document.items() for client in clients}
        cid, clients = self.connection_id, [t.client_sf_id for t in batch.targets]
        report.deleted += await self.db.run(lambda s: store.sweep_unlinked_notes(s, cid, clients, live))
        if not by_document:
            return
        # One query for the batch's notes (a semi-join on the same links): with ~5 notes a client,
        # asking by document Id cost three queries a batch of 300 people.
        records = await self._records(q.content_notes_linked_to(batch.people, batch.since))
        await self._write(records, content_note_row, batch, report, lambda r: by_document.get(str(r.get("Id")), []))


@dataclass
class _Mapped:
    rows: list[dict[str, Any]] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # deleted in Salesforce
    newest: datetime | None = None
    skipped: int = 0


def _map(records: list[dict[str, Any]], mapper: Mapper, owners: Callable[[dict[str, Any]], list[str]]) -> _Mapped:
    """Records to rows (one per client they belong to); pure, so it runs off the loop."""
    out = _Mapped()
    for record in records:
        try:
            stamp = timestamp(record, "SystemModstamp", required=True)
            if stamp is not None and (out.newest is None or stamp > out.newest):
                out.newest = stamp
            if record.get("IsDeleted") is True:
                out.gone.append(str(record["Id"]))
                continue
            out.rows += [mapper(record, client) for client in owners(record)]
        except MalformedRecord as exc:
            log.warning("history record skipped: %s", exc)
            out.skipped += 1
    return out


def _owners(record: Mapping[str, Any], link_field: str, batch: _Batch,
            fan_out: Mapping[str, list[str]] | None) -> list[str]:
    """The clients a record belongs to: by its Who/Parent (a converted lead counts as its contact),
    or every household member of its account for opportunities."""
    target = record.get(link_field)
    if not isinstance(target, str):
        return []
    if fan_out is not None:
        return list(fan_out.get(target, []))
    client = batch.owner.get(target)
    return [client] if client else []


async def fetch_for(client: SalesforceClient, db: Database, connection_id: int, client_sf_ids: Sequence[str],
                    **options: Any) -> HistoryReport:
    """One-shot helper: fetch these clients' history with a fresh :class:`HistoryPuller`."""
    return await HistoryPuller(client, db, connection_id, **options).fetch(client_sf_ids)

