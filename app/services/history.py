"""Client history: "show the client's timeline", "bring it up to date", "read the whole note",
"how many clients have history here", and the meeting-prep prefetch settings.

The timeline is read from the workspace only (one read on the database thread), so it is there
offline; ``refresh`` asks Salesforce for what changed for one client — a small, cheap set of calls —
and is meant to run in the background while the screen already shows the stored timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from app.salesforce.errors import SalesforceError
from app.services.timeline import EntryKind, Timeline, TimelineEntry, build
from app.store import activities, contacts, history_search, notes, tasks, users
from app.store import history as store
from app.store.history_search import HistoryHit
from app.store.types import utcnow
from app.sync.connection import NotConnected
from app.sync.pull import history_prefetch
from app.sync.pull.history import HistoryPuller, HistoryReport
from app.sync.pull.history_prefetch import WINDOWS, PrefetchPreferences
from app.sync.push import preferences as push_preferences

if TYPE_CHECKING:
    from app.salesforce.client import SalesforceClient
    from app.store.db import Database

__all__ = ["WINDOWS", "ClientHistory", "EntryKind", "HistoryHit", "HistoryReport", "NoteText", "PrefetchPreferences",
           "RefreshOutcome", "Timeline", "TimelineEntry"]

log = logging.getLogger(__name__)


class RefreshOutcome(StrEnum):
    REFRESHED = "refreshed"
    OFFLINE = "offline"  # no connection or no answer: the stored timeline stays
    PAUSED = "paused"  # the API reserve is reached
    GONE = "gone"  # the client is no longer in the workspace


@dataclass(frozen=True)
class NoteText:
    title: str
    text: str | None  # plain text; None when the whole note is not on this computer yet


class ClientHistory:
    def __init__(self, db: Database, client: Callable[[], Awaitable[SalesforceClient]] | None = None) -> None:
        """``client``: how to reach Salesforce (``ConnectionManager.client``); None works offline only."""
        self.db = db
        self.client = client

    async def timeline(self, connection_id: int, contact_id: int, now: datetime | None = None) -> Timeline | None:
        """The client's timeline from the workspace (None when the client is gone)."""
        moment = now or utcnow()

        def read(session: Any) -> Timeline | None:
            contact = contacts.get(session, connection_id, contact_id)
            if contact is None:
                return None
            ids = [contact.sf_id, *([contact.account_sf_id] if contact.account_sf_id else [])]
            rows = store.for_clients(session, connection_id, ids)
            owners = sorted({r.owner_id for r in rows if r.owner_id})
            names = users.names(session, connection_id, owners) if owners else {}
            state = store.states(session, connection_id, [contact.sf_id]).get(contact.sf_id)
            own_notes = notes.list_for(session, connection_id, contact_id=contact_id, limit=100)
            own_tasks = tasks.list_for(session, connection_id, contact_id=contact_id, limit=100)
            logged = activities.list_for(session, connection_id, contact_id=contact_id, limit=100)
            pushed = [i.remote_id for group in (own_notes, own_tasks, logged) for i in group if i.remote_id]
            return build(rows, own_notes, own_tasks, names, moment, state[0] if state else None, logged,
                         store.deleted_ids(session, connection_id, pushed))

        return await self.db.run(read)

    async def refresh(self, connection_id: int, contact_id: int) -> RefreshOutcome:
        """Bring one client's history up to date from Salesforce (and fetch its notes' whole text)."""
        sf_id = await self.db.run(lambda s: _sf_id(s, connection_id, contact_id))
        if sf_id is None:
            return RefreshOutcome.GONE
        try:
            puller = await self._puller(connection_id)
            if puller is None:
                return RefreshOutcome.OFFLINE
            report = await puller.fetch([sf_id])
            if report.paused:
                return RefreshOutcome.PAUSED
            await puller.fetch_bodies([sf_id])
        except (SalesforceError, NotConnected, OSError) as exc:
            log.info("history refresh stopped: %s", type(exc).__name__)
            return RefreshOutcome.OFFLINE
        return RefreshOutcome.REFRESHED

    async def note_text(self, connection_id: int, history_id: int) -> NoteText | None:
        """The whole note as plain text (fetched now when online and not stored yet)."""
        found = await self.db.run(lambda s: _note(s, connection_id, history_id))
        if found is None:
            return None
        kind, sf_id, title, text = found
        if kind not in (store.HistoryKind.CONTENT_NOTE, store.HistoryKind.NOTE):
            return NoteText(title, text or title)  # a task or meeting found by search: its subject
        if text is None and kind is store.HistoryKind.CONTENT_NOTE:
            try:
                puller = await self._puller(connection_id)
                if puller is not None:
                    client_ids = await self.db.run(lambda s: _clients_of(s, connection_id, sf_id))
                    await puller.fetch_bodies(client_ids)
                    found = await self.db.run(lambda s: _note(s, connection_id, history_id))
                    text = found[3] if found else None
            except (SalesforceError, NotConnected, OSError):
                pass
        return NoteText(title, text)

    async def search(self, connection_id: int, text: str, limit: int = 20) -> list[HistoryHit]:
        """Synced notes and tasks containing ``text`` ("RMD", "beneficiary"), each with its client.
        A read (no session, no write lock): it runs on every keystroke."""
        return await self.db.read(lambda c: history_search.search(c, connection_id, text, limit))

    async def clients_with_history(self, connection_id: int) -> int:
        return await self.db.run(lambda s: store.count_clients(s, connection_id))

    async def prefetch_preferences(self, connection_id: int) -> PrefetchPreferences:
        return await history_prefetch.load(self.db, connection_id)

    async def save_prefetch_preferences(self, connection_id: int, prefs: PrefetchPreferences) -> None:
        await history_prefetch.save(self.db, connection_id, prefs)

    async def prefetch(self, connection_id: int) -> HistoryReport:
        """Meeting prep: the history of clients meeting soon (and owned ones, unless turned off)."""
        if self.client is None:
            return HistoryReport()
        try:
            client = await self.client()
        except NotConnected:
            return HistoryReport(paused="Salesforce is not connected.")
        reserve = await _reserve(self.db, connection_id)
        return await history_prefetch.prefetch(client, self.db, connection_id, reserve_fraction=reserve)

    async def _puller(self, connection_id: int) -> HistoryPuller | None:
        if self.client is None:
            return None
        client = await self.client()
        return HistoryPuller(client, self.db, connection_id, reserve_fraction=await _reserve(self.db, connection_id))


async def _reserve(db: Database, connection_id: int) -> float:
    """The share of the org's daily API calls the app leaves for others (the push setting)."""
    prefs = await push_preferences.load(db, connection_id)
    return min(0.99, max(0.0, prefs.api_reserve_percent / 100))


def _sf_id(session: Any, connection_id: int, contact_id: int) -> str | None:
    contact = contacts.get(session, connection_id, contact_id)
    return contact.sf_id if contact is not None else None


def _note(session: Any, connection_id: int, history_id: int) -> tuple[store.HistoryKind, str, str, str | None] | None:
    found = store.body_of(session, connection_id, history_id)
    if found is None:
        return None
    kind, sf_id, body, title = found
    return kind, sf_id, title, body


def _clients_of(session: Any, connection_id: int, sf_id: str) -> list[str]:
    return store.clients_of(session, connection_id, sf_id)
