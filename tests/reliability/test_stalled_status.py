"""A frozen org is "Salesforce isn't answering" everywhere: a push request that gets no answer within
its deadline turns the connection status (status bar badge, workspace banner) to not answering, the
push loop backs off and retries by itself, and once the org answers again the note that Salesforce
saved while frozen exists there exactly once.  Real demo org over HTTP (frozen with its ``freeze``
fault), real workspace file, real keyring; only the deadlines are short."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from app.salesforce.transport import Deadlines
from app.services.events import Events
from app.services.outbox_sync import OutboxSync
from app.store import Database, notes, outbox
from app.store import contacts as contact_rows
from app.store.kinds import ItemKind
from app.sync.connection import ConnectionManager, ConnectionStatus
from app.ui.settings.connection_card import status_words
from app.ui.workspace.states import PageFacts, _banner
from tests.integration.salesforce.sf_org import make_org
from tests.support.qt_loop import until
from tests.ui.test_app_connected import _save_connection
from tests.unit.store.test_store_contacts import person

SHORT = Deadlines(read=0.5, attempt=1.0, call=2.0, connect=1.0)


def _banner_for(status: ConnectionStatus) -> str:
    facts = PageFacts(connection_id=1, status=status, contacts_enabled=True, pick_mode=False, can_sync=True,
                      total=10, searching=False, shown=10, query="", syncing=False, progress_message=None,
                      last_result=None)
    view = _banner(facts)
    return view.text if view is not None else ""


def test_stalled_status_frozen_org_says_not_answering_backs_off_and_sends_once(tmp_path: Path) -> None:
    db_path = tmp_path / "workspace.sqlite3"
    with make_org(contacts=5) as org:
        connection_id = asyncio.run(_save_connection(db_path, org))
        parent = org.records("Contact")[0]["Id"]
        asyncio.run(_run(db_path, org, connection_id, parent))
        saved = [n for n in org.records("ContentNote") if n.get("Title") == "Frozen review"]
    assert len(saved) == 1, "saved while frozen, then looked up — never sent twice"


async def _run(db_path: Path, org: Any, connection_id: int, parent: str) -> None:
    db = await Database.open(db_path)
    connections = ConnectionManager(db, deadlines=SHORT)
    events = Events()
    seen: list[ConnectionStatus] = []
    connections.add_listener(seen.append)
    push = None
    try:
        await connections.load_active()
        assert (await connections.test_connection()).label == "Connected"
        await db.run(lambda s: contact_rows.upsert_many(s, connection_id, [person(parent, "Ada", "Frozen")]))

        def draft(session: Any) -> int:
            note = notes.create(session, connection_id, parent_sf_id=parent, title="Frozen review",
                                body_markdown="Talked about the plan.")
            outbox.enqueue(session, ItemKind.NOTE, note.id)
            return note.id

        note_id = await db.run(draft)
        org.faults.freeze(commit_writes=True)  # Salesforce saves the note, then never answers
        push = OutboxSync(db, connection_id, connections.client, events, connections, backoff_start=0.3)
        push.start()
        await until(lambda: connections.status.not_answering, "the status says Salesforce isn't answering",
                    timeout=30)
        text, kind, tooltip = status_words(connections.status)
        assert (text, kind) == ("Not answering", "warn") and "isn't answering" in tooltip
        assert "isn't answering" in _banner_for(connections.status)
        assert connections.status.state == "connected", "still signed in: nothing to reconnect"
        probes_while_frozen = push.loop.probes
        await until(lambda: push is not None and push.loop.probes > probes_while_frozen + 1,
                    "the loop keeps probing with backoff", timeout=30)

        org.faults.thaw()
        await until(lambda: _pushed(db, note_id), "the note is sent once Salesforce answers", timeout=60)
        await until(lambda: connections.status.label == "Connected", "the status is Connected again", timeout=30)
        assert _banner_for(connections.status) == ""
        assert any(s.not_answering for s in seen) and seen[-1].label == "Connected"
    finally:
        org.faults.thaw()
        if push is not None:
            await push.aclose()
        await connections.aclose()
        await db.close()


async def _pushed(db: Database, note_id: int) -> bool:
    draft = await db.run(lambda s: notes.get(s, note_id))
    return draft is not None and draft.state == "pushed"


def test_stalled_status_a_pull_with_no_answer_says_not_answering_too(tmp_path: Path) -> None:
    from app.sync.pull.scheduler import PullScheduler

    db_path = tmp_path / "workspace.sqlite3"

    async def run(org: Any) -> None:
        db = await Database.open(db_path)
        connections = ConnectionManager(db, deadlines=SHORT)
        scheduler = PullScheduler(db, connections)
        try:
            await connections.load_active()
            assert (await connections.test_connection()).label == "Connected"
            org.faults.freeze()
            result = await asyncio.wait_for(scheduler.sync_now(), 60)
            assert result.error_code == "DEADLINE_EXCEEDED", result
            assert connections.status.not_answering and connections.status.label == "Not answering"
            org.faults.thaw()
            assert (await scheduler.sync_now()).ok
            assert connections.status.label == "Connected"
        finally:
            org.faults.thaw()
            await scheduler.aclose()
            await connections.aclose()
            await db.close()

    with make_org(contacts=5) as org:
        asyncio.run(_save_connection(db_path, org))
        asyncio.run(run(org))
