"""The workspace's tables (SQLModel), one class per concept.

Rules every table follows, because later features depend on them:

* Everything that belongs to an org carries ``connection_id``: two orgs' workspaces share one file
  but never each other's rows.  Salesforce mirror tables (contacts, accounts, events, users, sync
  state) cascade away with their connection; the advisor's own work (notes, tasks, outbox) uses
  ``RESTRICT`` so deleting a connection can never silently destroy a draft.
* Salesforce records are keyed by ``(connection_id, sf_id)`` and written by upsert, so a page that
  is delivered twice (resume after a crash, overlap window) cannot create duplicates.
* No column holds a secret.  Tokens and the consumer secret live in the OS keyring only
  (``app.secrets``); ``tests`` check the schema for it.
* Timestamps are :class:`~app.store.types.UTCDateTime` (aware UTC in, aware UTC out).

**People live in one table.**  ``Contact`` holds every record the advisor can pick as a client:
Salesforce Contacts, Leads and — when the org works with households / person accounts — Accounts,
told apart by ``source_object``.  Salesforce Ids are unique across objects, so
``(connection_id, sf_id)`` stays unique.  One table gives one FTS index, one lazy list and one
detail query for the UI, instead of three of each.  Lead-only facts (``is_converted``, converted
ids, ``lead_status``) are nullable columns on the same row; a Lead's company goes in
``account_name``.  There is deliberately no separate Lead table.  ``Account`` is the mirror of the
org's Accounts (account/household names, ``WhatId`` targets, household members).

Changing a table means a new Alembic revision in ``migrations/versions`` — never editing an old one.
"""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.store.kinds import DRAFT_KINDS
from app.store.types import UTCDateTime, utcnow

# Named constraints: SQLite can only change a table by rebuilding it (Alembic batch mode), and a
# rebuild can only drop or alter a constraint it can name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Allowed values, kept as plain strings in the database so that old rows stay readable.
SOURCE_OBJECTS = ("Contact", "Lead", "Account")
NOTE_TYPES = ("ContentNote", "Note")
CLIENT_OBJECTS = ("Contact", "Account")
CONNECTION_STATES = ("connected", "needs_attention", "disconnected")
ITEM_STATES = ("draft", "queued", "sending", "pushed", "needs_attention", "waiting")
OUTBOX_STATES = ("queued", "sending", "pushed", "failed", "waiting")
OUTBOX_KINDS = DRAFT_KINDS  # stored as text ("note", "task", "call" …); see app.store.kinds
OUTBOX_OPERATIONS = ("create", "update")
SYNC_PHASES = ("full", "incremental")


def _new_uid() -> str:
    return str(uuid.uuid4())


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime)


def _updated() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime)


def _text_default() -> Any:
    return Field(default="", sa_column_kwargs={"server_default": ""})


def _false_default() -> Any:
    return Field(default=False, sa_column_kwargs={"server_default": "0"})


class Connection(SQLModel, table=True):
    """One signed-in Salesforce org user.  Identity and preferences only — never a secret.

    The refresh token, access token and consumer secret are in the keyring, keyed by this row's
    ``org_id``/``user_id``; ``consumer_key`` is the app's public client id, not a secret.
    """

    __tablename__ = "connection"
    __table_args__ = (UniqueConstraint("org_id", "user_id", name="uq_connection_org_user"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: str
    user_id: str
    username: str
    display_name: str = ""
    org_name: str | None = None
    instance_url: str
    login_url: str
    api_version: str
    consumer_key: str
    note_type: str = "ContentNote"
    client_object: str = "Contact"
    include_leads: bool = False
    status: str = "connected"
    created_at: datetime = _created()
    updated_at: datetime = _updated()


class Contact(SQLModel, table=True):
    """A person the advisor can search for and write about (Contact, Lead or person Account).

    ``name_key``, ``sort_key``, ``email_key``, ``search_name`` and ``search_phone`` are derived by
    :func:`app.store.contacts.upsert_many`; the FTS triggers index them.  Write contacts through that
    function so the derived columns stay true.  NOT NULL columns carry server defaults because the
    bulk upsert inserts only the columns a sync page provides.
    """

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("connection_id", "sf_id", name="uq_contact_connection_sf_id"),
        # is_deleted sits before the key so live-row lists, counts and prefix scans stay index-only;
        # source_object after it so the list's type filter does too (migration 0005).
        Index("ix_contact_live_name", "connection_id", "is_deleted", "name_key"),
        Index("ix_contact_live_sort", "connection_id", "is_deleted", "sort_key", "id", "source_object"),
        Index("ix_contact_email_key", "connection_id", "email_key"),
        Index("ix_contact_account", "connection_id", "account_sf_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    source_object: str = Field(default="Contact", sa_column_kwargs={"server_default": "Contact"})
    first_name: str | None = None
    last_name: str | None = None
    name: str = _text_default()
    email: str | None = None
    phone: str | None = None
    mobile_phone: str | None = None
    title: str | None = None
    account_sf_id: str | None = None
    account_name: str | None = None
    mailing_street: str | None = None
    mailing_city: str | None = None
    mailing_state: str | None = None
    mailing_postal_code: str | None = None
    mailing_country: str | None = None
    owner_id: str | None = None
    last_modified: datetime | None = Field(default=None, sa_type=UTCDateTime)
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_deleted: bool = _false_default()
    read_only: bool = _false_default()
    # No longer matches the advisor's filter rules but kept: it has drafts or queued items (migration 0007).
    outside_filter: bool = _false_default()
    # The advisor's extra fields as Salesforce sent them ({API name: value}; app.sync.pull.field_map).
    extra_fields: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    extra_text: str | None = None  # their searchable text (picklists by label), in contact_fts's "extra" column
    # Lead-only facts (None/False for Contacts and Accounts).
    lead_status: str | None = None
    is_converted: bool = _false_default()
    converted_contact_id: str | None = None
    converted_account_id: str | None = None
    # Derived search columns (see app.store.search_text).
    name_key: str = _text_default()
    sort_key: str = _text_default()
    email_key: str | None = None
    search_name: str = _text_default()
    search_phone: str = _text_default()
    updated_at: datetime = _updated()


class Account(SQLModel, table=True):
    """Mirror of a Salesforce Account: a company, a household, or a person account."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("connection_id", "sf_id", name="uq_account_connection_sf_id"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    name: str = ""
    type: str | None = None
    is_person_account: bool = False
    phone: str | None = None
    billing_street: str | None = None
    billing_city: str | None = None
    billing_state: str | None = None
    billing_postal_code: str | None = None
    billing_country: str | None = None
    owner_id: str | None = None
    last_modified: datetime | None = Field(default=None, sa_type=UTCDateTime)
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_deleted: bool = False
    updated_at: datetime = _updated()


class NameVariant(SQLModel, table=True):
    """The typo-tolerant name index: every name word (``word``) under itself and each of its
    one-letter deletions (``variant``), so "hellen" finds Helen with one lookup — see
    ``app.store.fuzzy_text``.  Written beside the contacts (``app.store.fuzzy_index``); a word whose
    contacts were renamed or deleted may stay until the next rebuild, which is harmless: the
    contacts are found through the FTS index, which only holds live rows.  WITHOUT ROWID: the key
    is the whole row."""

    __tablename__ = "name_variant"
    __table_args__ = {"sqlite_with_rowid": False}

    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE", primary_key=True)
    variant: str = Field(primary_key=True)
    word: str = Field(primary_key=True)


class AccountContactRelation(SQLModel, table=True):
    """Mirror of a Salesforce AccountContactRelation: a person who belongs to a household (Account)
    besides, or as well as, the one their Contact sits under ("Contacts to Multiple Accounts").

    Only orgs with that feature have the object (the pull checks the global describe); the names are
    kept so a member not synced to this computer can still be listed.
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_accountcontactrelation.htm
    """

    __tablename__ = "account_contact_relation"
    __table_args__ = (
        UniqueConstraint("connection_id", "sf_id", name="uq_account_contact_relation_connection_sf_id"),
        Index("ix_acr_account", "connection_id", "account_sf_id"),
        Index("ix_acr_contact", "connection_id", "contact_sf_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    account_sf_id: str
    contact_sf_id: str
    account_name: str | None = None
    contact_name: str | None = None
    roles: str | None = None  # multi-select picklist, ";"-separated as Salesforce sends it
    is_direct: bool = False
    is_active: bool = True
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_deleted: bool = False
    updated_at: datetime = _updated()


class Event(SQLModel, table=True):
    """A meeting from Salesforce (timeline in the contact detail; target for Client-tagged notes)."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("connection_id", "sf_id", name="uq_event_connection_sf_id"),
        Index("ix_event_who", "connection_id", "who_id", "start_at"),
        Index("ix_event_what", "connection_id", "what_id", "start_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    subject: str = ""
    start_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_all_day: bool = False
    location: str | None = None
    who_id: str | None = None
    what_id: str | None = None
    owner_id: str | None = None
    description: str | None = None
    last_modified: datetime | None = Field(default=None, sa_type=UTCDateTime)
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_deleted: bool = False
    updated_at: datetime = _updated()


class User(SQLModel, table=True):
    """A Salesforce user (record owners, task assignees)."""

    __tablename__ = "sf_user"
    __table_args__ = (UniqueConstraint("connection_id", "sf_id", name="uq_sf_user_connection_sf_id"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    name: str = ""
    email: str | None = None
    username: str | None = None
    is_active: bool = True
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = _updated()


class Note(SQLModel, table=True):
    """A note drafted by the advisor.  Exists on disk before anything else happens to it.

    ``parent_sf_id`` (Contact, Lead or Account Id) is what the push uses; ``contact_id`` is the
    local row for the UI and survives re-syncs because contacts are soft-deleted, never removed.
    """

    __tablename__ = "note"
    __table_args__ = (
        Index("ix_note_connection_state", "connection_id", "state"),
        Index("ix_note_contact", "contact_id"),
        Index("ix_note_event", "event_id"),
        Index("ix_note_parent_sf_id", "connection_id", "parent_sf_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=_new_uid, unique=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="RESTRICT")
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    parent_sf_id: str | None = None
    event_id: int | None = Field(default=None, foreign_key="event.id", ondelete="SET NULL")
    event_sf_id: str | None = None
    title: str = ""
    body_markdown: str = ""
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    template: str | None = None
    state: str = "draft"
    remote_id: str | None = None
    remote_type: str | None = None
    last_pushed_hash: str | None = None
    last_pushed_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created()
    updated_at: datetime = _updated()


class Task(SQLModel, table=True):
    """A task drafted by the advisor (possibly from a meeting note's action item)."""

    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_connection_state", "connection_id", "state"),
        Index("ix_task_contact", "contact_id"),
        Index("ix_task_note", "note_id"),
        Index("ix_task_who", "connection_id", "who_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=_new_uid, unique=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="RESTRICT")
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    note_id: int | None = Field(default=None, foreign_key="note.id", ondelete="SET NULL")
    subject: str = ""
    due_date: date | None = None
    priority: str | None = None
    status: str | None = None
    owner_id: str | None = None
    who_id: str | None = None
    what_id: str | None = None
    description: str = ""
    # The Task's reminder (IsReminderSet / ReminderDateTime) where the org lets us write it.
    # ``reminder_set`` None: the advisor never chose, so nothing is sent and Salesforce keeps its value.
    reminder_set: bool | None = None
    reminder_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state: str = "draft"
    remote_id: str | None = None
    last_pushed_hash: str | None = None
    last_pushed_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _created()
    updated_at: datetime = _updated()


class ActivityDraft(SQLModel, table=True):
    """A call, a meeting … logged by the advisor: every activity kind that is neither a note nor a task.

    One table for all of them (``kind`` says which, an :class:`~app.store.kinds.ItemKind`); the kind's
    own fields are the JSON object ``fields``, checked against its form on every save
    (:mod:`app.store.activity_forms`).  The client, the state and the Salesforce Id are real columns,
    as in ``note`` and ``task``, because the outbox, the Drafts list and the client view filter on them.
    """

    __tablename__ = "activity_draft"
    __table_args__ = (
        Index("ix_activity_draft_connection_state", "connection_id", "state"),
        Index("ix_activity_draft_contact", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=_new_uid, unique=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="RESTRICT")
    kind: str
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    who_id: str | None = None
    what_id: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    state: str = "draft"
    remote_id: str | None = None
    last_pushed_hash: str | None = None
    created_at: datetime = _created()
    updated_at: datetime = _updated()


class OutboxItem(SQLModel, table=True):
    """One pending write to Salesforce.  ``key`` is generated here, before the first attempt, so a
    create whose response was lost can be recognised (reconciled) instead of sent twice."""

    __tablename__ = "outbox_item"
    __table_args__ = (
        Index("ix_outbox_due", "connection_id", "state", "next_try_at"),
        Index("ix_outbox_item", "kind", "item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=_new_uid, unique=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="RESTRICT")
    kind: str
    item_id: int
    operation: str = "create"
    state: str = "queued"
    attempts: int = 0
    next_try_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error_code: str | None = None
    last_error_message: str | None = None
    last_error_hint: str | None = None
    remote_id: str | None = None
    # Written before a request leaves (0003_push): a create with sent_at and no remote_id is looked up,
    # never blindly re-sent.
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_payload: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    link_id: str | None = None
    conflict: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    notice: str | None = None
    created_at: datetime = _created()
    updated_at: datetime = _updated()


class SyncCursor(SQLModel, table=True):
    """Where a pull of one object stands; committed in the same transaction as the page it follows."""

    __tablename__ = "sync_cursor"
    __table_args__ = (UniqueConstraint("connection_id", "object", name="uq_sync_cursor_connection_object"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    object: str
    phase: str = "full"
    last_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_id: str | None = None
    next_records_url: str | None = None
    record_offset: int | None = None
    updated_at: datetime = _updated()


class SyncLogEntry(SQLModel, table=True):
    """One pull or push run, for the sync log screen and for support."""

    __tablename__ = "sync_log"
    __table_args__ = (Index("ix_sync_log_connection_started", "connection_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    direction: str
    object: str | None = None
    record_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    outcome: str = "running"
    error_code: str | None = None
    error_message: str | None = None
    api_calls: int = 0
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    # 0004_settings: a push writes one row per item and names the local note/task/person it was about.
    item_kind: str | None = None
    item_id: int | None = None


class ApiUsageSample(SQLModel, table=True):
    """The org's daily API usage in one five-minute slot, for the settings page's 24-hour chart
    (``app.store.api_usage``).  ``own_calls``: calls Notebridge itself made in the slot."""

    __tablename__ = "api_usage_sample"
    __table_args__ = (Index("ix_api_usage_sample_connection_taken", "connection_id", "taken_at"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    taken_at: datetime = Field(sa_type=UTCDateTime)
    used: int
    max_calls: int
    own_calls: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Setting(SQLModel, table=True):
    """A JSON value per connection (``connection_id`` set) or for the whole app (``None``).

    Two partial unique indexes keep one value per key in each scope; a plain unique constraint
    would not, because SQLite treats NULLs as distinct.
    """

    __tablename__ = "setting"
    __table_args__ = (
        Index(
            "ux_setting_connection_key",
            "connection_id",
            "key",
            unique=True,
            sqlite_where=text("connection_id IS NOT NULL"),
        ),
        Index("ux_setting_global_key", "key", unique=True, sqlite_where=text("connection_id IS NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int | None = Field(default=None, foreign_key="connection.id", ondelete="CASCADE")
    key: str
    value: Any = Field(default=None, sa_type=JSON)
    updated_at: datetime = _updated()


__all__ = [
    "CLIENT_OBJECTS",
    "CONNECTION_STATES",
    "ITEM_STATES",
    "NOTE_TYPES",
    "OUTBOX_KINDS",
    "OUTBOX_OPERATIONS",
    "OUTBOX_STATES",
    "SOURCE_OBJECTS",
    "SYNC_PHASES",
    "Account",
    "AccountContactRelation",
    "ActivityDraft",
    "ApiUsageSample",
    "Connection",
    "Contact",
    "Event",
    "Note",
    "OutboxItem",
    "Setting",
    "SyncCursor",
    "SyncLogEntry",
    "Task",
    "User",
]


# In a module of its own (this one is long); imported here so every table is on SQLModel.metadata.
from app.store.history_models import HistoryItem, HistoryState  # noqa: E402

__all__ += ["HistoryItem", "HistoryState"]
