"""The setup wizard's draft: everything the advisor has typed so far, so a restart resumes in place.

The draft is one JSON value in the ``Setting`` table, global scope (``connection_id`` NULL), under
``WIZARD_DRAFT_KEY``: before sign-in there is no connection to hang it on, and only one wizard runs
at a time. It never holds a secret — the consumer secret the advisor pastes goes to the keyring
under ``draft_secret_key(draft.draft_id)``; the draft only records that one exists (``has_secret``).

Loading is forgiving: an unknown or damaged value gives a fresh draft (the advisor retypes a few
fields) rather than an error on start-up, and unknown keys from a newer version are ignored.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from app.store import settings as settings_rows
from app.store import sync_state
from app.store.models import Connection, Setting
from app.store.types import utcnow

if TYPE_CHECKING:
    from app.store.db import Database

log = logging.getLogger(__name__)

WIZARD_DRAFT_KEY = "wizard.draft"
DRAFT_FORMAT = 1

# Keys a draft may hold (names match app.salesforce/secrets wording); values are checked on load.
PATHS = ("admin", "key", "demo")
ORG_KINDS = ("production", "sandbox", "mydomain")
APP_KINDS = ("external", "connected")


def draft_secret_key(draft_id: str) -> str:
    """The keyring "connection key" for a secret typed before any connection exists."""
    return f"wizard-draft-{draft_id}"


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class WizardDraft:
    """What the advisor entered, page by page. Plain data; the UI decides what each field means."""

    draft_id: str = field(default_factory=_new_id)
    page: str = "welcome"
    path: str = "admin"
    org_kind: str = "production"
    org_address: str = ""
    allow_custom_domain: bool = False
    app_kind: str = "external"
    contact_email: str = ""
    consumer_key: str = ""
    has_secret: bool = False
    connection_id: int | None = None
    preferences: dict[str, Any] = field(default_factory=dict)
    first_sync_started: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = DRAFT_FORMAT
        return data

    @classmethod
    def from_json(cls, value: Any) -> WizardDraft:
        """A draft from a stored value; anything unreadable falls back to the default for that field."""
        if not isinstance(value, Mapping):
            return cls()
        defaults = cls()
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in value:
                continue
            raw, default = value[f.name], getattr(defaults, f.name)
            if f.name == "connection_id":
                ok = raw is None or (isinstance(raw, int) and not isinstance(raw, bool))
            elif isinstance(default, bool):
                ok = isinstance(raw, bool)
            elif isinstance(default, dict):
                ok = isinstance(raw, Mapping)
                raw = dict(raw) if ok else raw
            else:
                ok = isinstance(raw, str)
            if ok:
                kwargs[f.name] = raw
        draft = cls(**kwargs)
        if draft.path not in PATHS:
            draft.path = defaults.path
        if draft.org_kind not in ORG_KINDS:
            draft.org_kind = defaults.org_kind
        if draft.app_kind not in APP_KINDS:
            draft.app_kind = defaults.app_kind
        if not draft.draft_id:
            draft.draft_id = _new_id()
        return draft


# -- session functions (run through Database.run) --------------------------------------------------

def _row(session: Session) -> Setting | None:
    statement = select(Setting).where(col(Setting.connection_id).is_(None), Setting.key == WIZARD_DRAFT_KEY)
    return session.exec(statement).first()


def load_draft(session: Session) -> WizardDraft | None:
    """The saved draft, or None when the wizard has never been started (or was finished)."""
    row = _row(session)
    if row is None:
        return None
    return WizardDraft.from_json(row.value)


def save_draft(session: Session, draft: WizardDraft) -> None:
    row = _row(session)
    if row is None:
        row = Setting(connection_id=None, key=WIZARD_DRAFT_KEY)
    row.value = draft.to_json()
    row.updated_at = utcnow()
    session.add(row)


def clear_draft(session: Session) -> None:
    row = _row(session)
    if row is not None:
        session.delete(row)


# -- async front door ----------------------------------------------------------------------------

async def aload_draft(db: Database) -> WizardDraft | None:
    return await db.run(load_draft)


async def asave_draft(db: Database, draft: WizardDraft) -> None:
    # Snapshot on the calling thread: the draft keeps changing while the DB thread writes.
    snapshot = WizardDraft.from_json(draft.to_json())
    await db.run(lambda session: save_draft(session, snapshot))


async def aclear_draft(db: Database) -> None:
    await db.run(clear_draft)


def save_connection_settings(session: Session, connection_id: int, values: Mapping[str, Any]) -> None:
    """Write the preferences the wizard collected as per-connection settings (one row per key)."""
    for key, value in values.items():
        statement = select(Setting).where(Setting.connection_id == connection_id, Setting.key == key)
        row = session.exec(statement).first()
        if row is None:
            row = Setting(connection_id=connection_id, key=key)
        row.value = value
        row.updated_at = utcnow()
        session.add(row)


def save_connection_preferences(
    session: Session, connection_id: int, pull: Mapping[str, Any], settings: Mapping[str, Any]
) -> None:
    """The wizard's Preferences page in one transaction: pull settings plus its own settings."""
    sync_state.set_pull_settings(session, connection_id, **pull)
    save_connection_settings(session, connection_id, settings)


def saved_connection_preferences(session: Session, connection_id: int, extra_keys: Mapping[str, str]) -> dict[str, Any]:
    """The Preferences page's values as saved for a connection, in the draft's names.

    Reopening the wizard for a connection that exists starts from these, so it never quietly resets
    what the advisor chose (Leads unticked, the interval back to its default). ``extra_keys`` maps a
    draft name to the per-connection setting that holds it.
    """
    row = session.get(Connection, connection_id)
    if row is None:
        return {}
    pulled = sync_state.pull_settings(session, connection_id)
    values: dict[str, Any] = {
        "note_type": row.note_type, "client_object": row.client_object, "include_leads": bool(row.include_leads),
        "contact_sync": pulled.contacts_enabled, "sync_interval_minutes": pulled.interval_minutes,
        "record_scope": "pick" if pulled.pick_mode else pulled.record_scope,
    }
    for name, key in extra_keys.items():
        value = settings_rows.get(session, connection_id, key)
        if value is not None:
            values[name] = value
    if values.get("task_assignee_id") == row.user_id:
        values["task_assignee_id"] = None  # "me" is the default, not a colleague
    return values
