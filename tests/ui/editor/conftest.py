"""Editor and outbox UI tests: Qt and asyncio on one qasync loop, a real workspace file.

As in tests/ui/wizard: every ``async def`` test runs on a qasync ``QEventLoop`` (pytest-asyncio's loop
factory hook), so Qt timers (the autosave debounce) fire while a test awaits.  ``workspace`` is a real
SQLite workspace with a connection and a few people (a Contact with an account, and a Lead) — the
editors need no Salesforce org.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.store import Database
from app.store import contacts as contacts_repo
from app.store import tasks as tasks_repo
from app.store.models import Connection, Contact
from app.store.tasks import TaskPicklists
from tests.support.qt_loop import until

__all__ = ["Workspace", "seed_workspace", "until", "workspace"]

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


def seed_workspace(session: Session) -> tuple[int, int, int]:
    conn = Connection(org_id="00D000000000001AAA", user_id=USER_ID, username="advisor@example.com",
                      display_name="Avery Advisor", instance_url="https://example.my.salesforce.com",
                      login_url="https://login.salesforce.com", api_version="66.0", consumer_key="key")
    session.add(conn)
    session.flush()
    assert conn.id is not None
    contacts_repo.upsert_many(session, conn.id, [
        {"sf_id": "003000000000001AAA", "source_object": "Contact", "first_name": "Maria", "last_name": "Garcia",
         "name": "Maria Garcia", "account_sf_id": "001000000000001AAA", "account_name": "Garcia Household"},
        {"sf_id": "00Q000000000001AAA", "source_object": "Lead", "first_name": "Leo", "last_name": "Park",
         "name": "Leo Park", "account_sf_id": None, "account_name": "Park Dental"},
    ])
    tasks_repo.save_picklists(session, conn.id, TaskPicklists(
        ("Not Started", "In Progress", "Completed"), ("High", "Normal", "Low"), "Not Started", "Normal",
        ("Completed",)))
    ids = [c.id for c in session.exec(select(Contact).order_by(Contact.source_object)).all()]
    return conn.id, ids[0], ids[1]


@pytest.fixture
async def workspace(tmp_path: Path) -> AsyncIterator[Workspace]:
    db = await Database.open(tmp_path / "workspace.db")
    try:
        connection_id, contact_id, lead_id = await db.run(seed_workspace)
        contact, lead = await db.run(lambda s: (s.get(Contact, contact_id), s.get(Contact, lead_id)))
        yield Workspace(db, connection_id, contact, lead)
    finally:
        await db.close()
