"""The advisor's own work: notes, tasks, other activity drafts, and the outbox that pushes them.

These rows use ``RESTRICT`` on their connection, so deleting a connection can never silently destroy
a draft (the rules are in :mod:`app.store.models`).
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from app.store.models.columns import created, new_uid, updated
from app.store.types import UTCDateTime


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
    uid: str = Field(default_factory=new_uid, unique=True)
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
    created_at: datetime = created()
    updated_at: datetime = updated()


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
    uid: str = Field(default_factory=new_uid, unique=True)
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
    created_at: datetime = created()
    updated_at: datetime = updated()


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
    uid: str = Field(default_factory=new_uid, unique=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="RESTRICT")
    kind: str
    contact_id: int | None = Field(default=None, foreign_key="contact.id", ondelete="SET NULL")
    who_id: str | None = None
    what_id: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    state: str = "draft"
    remote_id: str | None = None
    last_pushed_hash: str | None = None
    created_at: datetime = created()
    updated_at: datetime = updated()


class OutboxItem(SQLModel, table=True):
    """One pending write to Salesforce.  ``key`` is generated here, before the first attempt, so a
    create whose response was lost can be recognised (reconciled) instead of sent twice."""

    __tablename__ = "outbox_item"
    __table_args__ = (
        Index("ix_outbox_due", "connection_id", "state", "next_try_at"),
        Index("ix_outbox_item", "kind", "item_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_uid, unique=True)
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
    created_at: datetime = created()
    updated_at: datetime = updated()
