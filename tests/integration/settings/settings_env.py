"""Shared set-up for the settings tests: a demo org, a real workspace file, a signed-in connection.

``connect(org, db)`` signs in through the org's real OAuth flow (the loopback receiver and an HTTP
stand-in for the browser) and saves the sign-in with the real ``ConnectionManager`` — refresh token in
the keyring backend tests/conftest.py chose, facts in SQLite.  ``pull(...)`` copies the org's clients
into the workspace with the real pull engine.  ``drafts(...)`` writes notes and tasks in every state.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.demo_org import DemoOrg
from app.store import Database
from app.store import contacts as contacts_repo
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.store.models import Contact
from app.sync.connection import ConnectionManager, OrgConnection
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from tests.integration.salesforce.sf_org import make_org, signed_in

ORG_NAME = "Morgan Wealth Partners"

__all__ = ["ORG_NAME", "Drafts", "connect", "drafts", "first_contacts", "make_org", "pull", "pulled_workspace"]


async def connect(org: DemoOrg, db: Database, **manager_options: Any) -> tuple[ConnectionManager, OrgConnection]:
    manager = ConnectionManager(db, **manager_options)
    result = await signed_in(org)
    connection = await manager.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                                            consumer_secret=None, org_name=ORG_NAME)
    return manager, connection


async def pull(manager: ConnectionManager, db: Database, **prefs: Any) -> None:
    active = manager.active
    assert active is not None
    client = await manager.client()
    result = await PullEngine(client, db, active.connection_id, PullPreferences(**prefs)).run(full=True)
    assert result.ok, result.message


@asynccontextmanager
async def pulled_workspace(path: Path, **org_options: Any) -> AsyncIterator[tuple[DemoOrg, Database,
                                                                                 ConnectionManager]]:
    """A demo org, a workspace at ``path`` signed in to it and fully pulled; closed when the block ends."""
    with make_org(**org_options) as org:
        db = await Database.open(path)
        manager, _connection = await connect(org, db)
        try:
            await pull(manager, db)
            yield org, db, manager
        finally:
            await manager.aclose()
            await db.close()


async def first_contacts(db: Database, connection_id: int, n: int = 3) -> list[Contact]:
    def read(session: Any) -> list[Contact]:
        page = contacts_repo.page(session, connection_id, 0, n)
        return [contacts_repo.get(session, connection_id, row.id) for row in page]

    return await db.run(read)


@dataclass
class Drafts:
    draft_note: notes_repo.NoteDraft
    queued_note: notes_repo.NoteDraft
    pushed_note_id: int
    draft_task: tasks_repo.TaskDraft


async def drafts(db: Database, connection_id: int, people: list[Contact]) -> Drafts:
    """A draft note, a queued note, a note already in Salesforce, and a draft task."""

    def write(session: Any) -> Drafts:
        draft = notes_repo.create(session, connection_id, contact_id=people[0].id, title="Estate planning",
                                  body_markdown="Talked about the **trust** for the grandchildren.")
        queued = notes_repo.create(session, connection_id, contact_id=people[1].id, title="Rollover call",
                                   body_markdown="Wants the 401(k) rolled into the IRA.")
        outbox_repo.enqueue(session, "note", queued.id)
        pushed = notes_repo.create(session, connection_id, contact_id=people[2].id, title="Already sent",
                                   body_markdown="This one is in Salesforce.")
        outbox_repo.enqueue(session, "note", pushed.id)
        row = outbox_repo.active_for(session, "note", pushed.id)
        assert row is not None
        outbox_repo.settle_pushed(session, row.id, remote_id="069000000000042AAA", remote_type="ContentNote",
                                  pushed_hash=None, built_from=None)
        task = tasks_repo.create(session, connection_id, contact_id=people[0].id, subject="Send trust documents",
                                 description="Attach the draft trust.")
        return Drafts(draft, queued, pushed.id, task)

    return await db.run(write)
