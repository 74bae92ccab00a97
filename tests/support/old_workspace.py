"""A workspace as an older Notebridge left it: the schema of an old migration, with drafts and queued items.

The schema is made by running the real migrations only up to ``revision`` (the oldest, ``0001``, by
default), and the rows are written with plain SQL in that revision's columns — not through today's
models, which describe the newest schema.  So the file is what an advisor's laptop holds before the
upgrade: WAL mode, a connection, clients, unsent drafts, and notes and tasks queued in the outbox.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine

from app.store.migrate import alembic_config

OLDEST_REVISION = "0001"
# One of the advisor's settings, as the old app saved it (Settings → Sending).
SETTING_KEY = "push.preferences"
SETTING_VALUE = {"attach_to": "contact", "api_reserve_percent": 25}


@dataclass
class OldWorkspace:
    path: Path
    connection_id: int
    draft_notes: list[str] = field(default_factory=list)    # titles
    draft_tasks: list[str] = field(default_factory=list)    # subjects
    queued_notes: list[str] = field(default_factory=list)
    queued_tasks: list[str] = field(default_factory=list)


def migrate_to(path: Path, revision: str = OLDEST_REVISION) -> None:
    """An empty workspace file at ``revision``, made by the real migration scripts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
    finally:
        engine.dispose()


def _now() -> str:
    """Timestamps as SQLAlchemy's DateTime stored them (naive UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")


def make_old_workspace(path: Path, org: Any, *, revision: str = OLDEST_REVISION, drafts: int = 2,
                       queued: int = 2) -> OldWorkspace:
    """An old workspace at ``path`` signed in to the demo ``org``, with ``drafts`` unsent notes and tasks
    each and ``queued`` notes and tasks each waiting in the outbox."""
    migrate_to(path, revision)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")  # as the app keeps it
        now = _now()
        cur = conn.execute(
            "INSERT INTO connection (org_id, user_id, username, display_name, org_name, instance_url, login_url,"
            " api_version, consumer_key, note_type, client_object, include_leads, status, created_at, updated_at)"
            " VALUES (?, ?, ?, 'Advisor', 'Demo', ?, ?, '66.0', ?, 'ContentNote', 'Contact', 0, 'connected', ?, ?)",
            (org.org_id, org.user_id, org.username, org.base_url, org.login_url, org.consumer_key, now, now))
        cid = int(cur.lastrowid or 0)
        conn.execute("INSERT INTO setting (connection_id, key, value, updated_at) VALUES (?, ?, ?, ?)",
                     (cid, SETTING_KEY, json.dumps(SETTING_VALUE), now))
        people = [r for r in org.records("Contact") if not r.get("IsDeleted")][:3]
        contact_ids = []
        for person in people:
            cur = conn.execute(
                "INSERT INTO contact (connection_id, sf_id, source_object, first_name, last_name, name,"
                " account_sf_id, is_deleted, updated_at) VALUES (?, ?, 'Contact', ?, ?, ?, ?, 0, ?)",
                (cid, person["Id"], person.get("FirstName"), person.get("LastName"), person.get("Name") or "",
                 person.get("AccountId"), now))
            contact_ids.append((int(cur.lastrowid or 0), person))
        made = OldWorkspace(path, cid)
        for n in range(drafts + queued):
            contact_id, person = contact_ids[n % len(contact_ids)]
            state = "draft" if n < drafts else "queued"
            title = f"Review before the upgrade #{n}"
            subject = f"Call back before the upgrade #{n}"
            cur = conn.execute(
                "INSERT INTO note (uid, connection_id, contact_id, parent_sf_id, title, body_markdown, tags, state,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '[]', ?, ?, ?)",
                (str(uuid.uuid4()), cid, contact_id, person["Id"], title, f"Discussed **plan {n}**.", state, now,
                 now))
            note_id = int(cur.lastrowid or 0)
            cur = conn.execute(
                "INSERT INTO task (uid, connection_id, contact_id, subject, due_date, priority, status, owner_id,"
                " who_id, what_id, description, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, '2026-12-01', 'Normal', 'Not Started', ?, ?, ?, '', ?, ?, ?)",
                (str(uuid.uuid4()), cid, contact_id, subject, org.user_id, person["Id"], person.get("AccountId"),
                 state, now, now))
            task_id = int(cur.lastrowid or 0)
            if state == "draft":
                made.draft_notes.append(title)
                made.draft_tasks.append(subject)
                continue
            made.queued_notes.append(title)
            made.queued_tasks.append(subject)
            for kind, item_id in (("note", note_id), ("task", task_id)):
                conn.execute(
                    "INSERT INTO outbox_item (key, connection_id, kind, item_id, operation, state, attempts,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, 'create', 'queued', 0, ?, ?)",
                    (str(uuid.uuid4()), cid, kind, item_id, now, now))
        conn.commit()
    finally:
        conn.close()
    return made
