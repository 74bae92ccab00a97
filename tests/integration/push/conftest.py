"""Fixtures for the push engine: a demo org over HTTP, a real workspace file, a signed-in client.

``env`` gives each test its own org (faults and rules are org-wide) and its own SQLite workspace,
with the org's contacts and leads copied into the workspace as the pull would, and a connection row
for the org's advisor.  Tokens come from the org's OAuth token endpoint (``mint_tokens``); the
client refreshes through the real refresh-token grant.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app.demo_org import DemoOrg
from app.salesforce.auth import TokenRefresher
from app.salesforce.client import SalesforceClient
from app.store import Database
from app.store import contacts as contacts_repo
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.store.models import Connection, Contact
from app.sync.push.engine import PushEngine, PushReport, PushSettings

_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


@dataclass
class PushEnv:
    org: DemoOrg
    db: Database
    client: SalesforceClient
    refresher: TokenRefresher
    connection_id: int
    contacts: list[Contact]  # local rows: Contacts first, then Leads

    def person(self, source_object: str = "Contact", n: int = 0) -> Contact:
        """The n-th live Contact, or the n-th open (unconverted) Lead."""
        return [c for c in self.contacts if c.source_object == source_object and not c.is_converted
                and not c.is_deleted][n]

    def engine(self, **settings: Any) -> PushEngine:
        return PushEngine(self.client, self.db, self.connection_id, PushSettings(**settings))

    async def push(self, **settings: Any) -> PushReport:
        return await self.engine(**settings).push()

    async def note(self, contact: Contact | None = None, **fields: Any) -> notes_repo.NoteDraft:
        contact = contact or self.person()
        fields.setdefault("title", "Quarterly review")
        fields.setdefault("body_markdown", "Discussed **rebalancing**.\n\n- Send IRA form")
        return await self.db.run(lambda s: notes_repo.create(s, self.connection_id, contact_id=contact.id, **fields))

    async def task(self, contact: Contact | None = None, **fields: Any) -> tasks_repo.TaskDraft:
        contact = contact or self.person()
        fields.setdefault("subject", "Send IRA transfer form")
        return await self.db.run(lambda s: tasks_repo.create(s, self.connection_id, contact_id=contact.id, **fields))

    async def queue(self, kind: str, *ids: int) -> list[outbox_repo.OutboxRow]:
        return await self.db.run(lambda s: outbox_repo.enqueue_many(s, kind, ids))

    async def outbox(self, outbox_id: int) -> outbox_repo.OutboxRow:
        row = await self.db.run(lambda s: outbox_repo.get(s, outbox_id))
        assert row is not None
        return row

    async def get_note(self, note_id: int) -> notes_repo.NoteDraft:
        note = await self.db.run(lambda s: notes_repo.get(s, note_id))
        assert note is not None
        return note

    async def get_task(self, task_id: int) -> tasks_repo.TaskDraft:
        task = await self.db.run(lambda s: tasks_repo.get(s, task_id))
        assert task is not None
        return task

    def live(self, sobject: str) -> list[dict[str, Any]]:
        return [r for r in self.org.records(sobject) if not r.get("IsDeleted")]

    def links_to(self, document_id: str) -> list[dict[str, Any]]:
        return [r for r in self.live("ContentDocumentLink") if r["ContentDocumentId"] == document_id
                and not str(r["LinkedEntityId"]).startswith("005")]


def _people_rows(org: DemoOrg) -> list[dict[str, Any]]:
    rows = []
    for record in org.records("Contact"):
        rows.append({"sf_id": record["Id"], "source_object": "Contact", "first_name": record.get("FirstName"),
                     "last_name": record.get("LastName"), "name": record.get("Name"),
                     "account_sf_id": record.get("AccountId"), "is_deleted": bool(record.get("IsDeleted"))})
    for record in org.records("Lead"):
        rows.append({"sf_id": record["Id"], "source_object": "Lead", "first_name": record.get("FirstName"),
                     "last_name": record.get("LastName"), "name": record.get("Name"), "account_sf_id": None,
                     "is_deleted": bool(record.get("IsDeleted"))})
    for row in rows:  # Lead-only facts, as the pull records them
        source = next(r for r in org.records(row["source_object"]) if r["Id"] == row["sf_id"])
        row["is_converted"] = bool(source.get("IsConverted"))
        row["converted_contact_id"] = source.get("ConvertedContactId")
        row["converted_account_id"] = source.get("ConvertedAccountId")
    return rows


async def make_env(org: DemoOrg, db: Database, *, note_type: str = "ContentNote", **client_options: Any) -> PushEnv:
    tokens = org.mint_tokens()
    refresher = TokenRefresher(org.login_url, org.consumer_key, tokens["refresh_token"], ca_file=org.ca_file)
    client_options.setdefault("retry_backoff", 0.01)
    client_options.setdefault("retry_backoff_max", 0.05)
    client_options.setdefault("max_retries", 2)
    client = SalesforceClient(tokens["instance_url"], tokens["access_token"], refresh=refresher,
                              ca_file=org.ca_file, **client_options)

    def setup(session: Session) -> tuple[int, list[Contact]]:
        conn = Connection(org_id=org.org_id, user_id=org.user_id, username=org.username, display_name="Advisor",
                          instance_url=org.base_url, login_url=org.login_url, api_version="66.0",
                          consumer_key=org.consumer_key, note_type=note_type)
        session.add(conn)
        session.flush()
        assert conn.id is not None
        contacts_repo.upsert_many(session, conn.id, _people_rows(org))
        rows = list(session.exec(Contact.__table__.select().where(  # type: ignore[attr-defined]
            Contact.connection_id == conn.id).order_by(Contact.source_object, Contact.id)).all())
        people = [session.get(Contact, r.id) for r in rows]
        return conn.id, [p for p in people if p is not None]

    connection_id, people = await db.run(setup)
    people.sort(key=lambda c: (c.source_object != "Contact", c.id))
    return PushEnv(org, db, client, refresher, connection_id, people)


@asynccontextmanager
async def workspace_env(org: DemoOrg, path: Path) -> AsyncIterator[PushEnv]:
    """A workspace at ``path`` connected to ``org``, its client open until the block ends."""
    db = await Database.open(path)
    try:
        pushed = await make_env(org, db)
        async with pushed.client:
            yield pushed
    finally:
        await db.close()


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[PushEnv]:
    with DemoOrg(contacts=12, seed=5) as org:
        async with workspace_env(org, tmp_path / "workspace.db") as pushed:
            yield pushed
