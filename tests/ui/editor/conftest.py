"""Editor and outbox UI tests: Qt and asyncio on one qasync loop, a real workspace file.

As in tests/ui/wizard: every ``async def`` test runs on a qasync ``QEventLoop`` (pytest-asyncio's loop
factory hook), so Qt timers (the autosave debounce) fire while a test awaits.  ``workspace`` is a real
SQLite workspace with a connection and a few people (a Contact with an account, and a Lead), and no
org behind it: the editors work offline.  ``org_workspace`` is the same people on a connection signed
in to a demo org over HTTP: the task editor gets the org's Status/Priority values the way the app does
(nothing is seeded for it), through ``Workspace.launcher()``.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from app.demo_org import DemoOrg
from app.store import Database
from app.store import contacts as contacts_repo
from app.store.models import Connection, Contact
from app.sync.connection import ConnectionManager
from app.ui.editor.window import EditorLauncher
from tests.integration.salesforce.sf_org import make_org, signed_in
from tests.support.qt_loop import until

__all__ = ["Workspace", "org_workspace", "seed_people", "seed_workspace", "until", "workspace"]

_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

USER_ID = "005000000000001AAA"


@dataclass
class Workspace:
    db: Database
    connection_id: int
    contact: Contact
    lead: Contact
    user_id: str = USER_ID
    connections: ConnectionManager | None = None  # signed in to a demo org (``org_workspace``)
    org: DemoOrg | None = None

    def org_values(self, sobject: str) -> list[str]:
        """The demo org's own TaskStatus/TaskPriority values, in its order (what the editor must offer)."""
        assert self.org is not None
        rows = sorted(self.org.records(sobject), key=lambda r: r["SortOrder"])
        return [r["ApiName"] for r in rows]

    def launcher(self, **options: Any) -> EditorLauncher:
        """The editors as the shell makes them: with the connection's client when there is one."""
        client = self.connections.client if self.connections is not None else None
        return EditorLauncher(self.db, self.connection_id, client=client, **options)


def seed_workspace(session: Session) -> tuple[int, int, int]:
    conn = Connection(org_id="00D000000000001AAA", user_id=USER_ID, username="advisor@example.com",
                      display_name="Avery Advisor", instance_url="https://example.my.salesforce.com",
                      login_url="https://login.salesforce.com", api_version="66.0", consumer_key="key")
    session.add(conn)
    session.flush()
    assert conn.id is not None
    contact_id, lead_id = seed_people(session, conn.id)
    return conn.id, contact_id, lead_id


def seed_people(session: Session, connection_id: int) -> tuple[int, int]:
    """A Contact in a household, and a Lead (nothing about the org's task values: they are asked)."""
    contacts_repo.upsert_many(session, connection_id, [
        {"sf_id": "003000000000001AAA", "source_object": "Contact", "first_name": "Maria", "last_name": "Garcia",
         "name": "Maria Garcia", "account_sf_id": "001000000000001AAA", "account_name": "Garcia Household"},
        {"sf_id": "00Q000000000001AAA", "source_object": "Lead", "first_name": "Leo", "last_name": "Park",
         "name": "Leo Park", "account_sf_id": None, "account_name": "Park Dental"},
    ])
    ids = [c.id for c in session.exec(select(Contact).where(Contact.connection_id == connection_id)
                                      .order_by(Contact.source_object)).all()]
    assert ids[0] is not None and ids[1] is not None
    return ids[0], ids[1]


@pytest.fixture
async def workspace(tmp_path: Path) -> AsyncIterator[Workspace]:
    db = await Database.open(tmp_path / "workspace.db")
    try:
        connection_id, contact_id, lead_id = await db.run(seed_workspace)
        contact, lead = await db.run(lambda s: (s.get(Contact, contact_id), s.get(Contact, lead_id)))
        yield Workspace(db, connection_id, contact, lead)
    finally:
        await db.close()


@pytest.fixture
async def org_workspace(tmp_path: Path) -> AsyncIterator[Workspace]:
    """A new connection to a demo org, as right after the wizard: no task values cached yet."""
    with make_org(contacts=5, seed=3) as org:
        db = await Database.open(tmp_path / "workspace.db")
        connections = ConnectionManager(db)
        try:
            result = await signed_in(org)
            saved = await connections.save_sign_in(result, login_url=result.login_url,
                                                   consumer_key=org.consumer_key, consumer_secret=None)
            cid = saved.connection_id
            contact_id, lead_id = await db.run(lambda s: seed_people(s, cid))
            contact, lead = await db.run(lambda s: (s.get(Contact, contact_id), s.get(Contact, lead_id)))
            yield Workspace(db, cid, contact, lead, user_id=saved.user_id, connections=connections,
                            org=org)
        finally:
            await connections.aclose()
            await db.close()
