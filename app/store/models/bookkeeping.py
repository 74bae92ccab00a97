"""The workspace's bookkeeping: sync cursors, the sync log, API usage samples and settings."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.store.models.columns import updated
from app.store.types import UTCDateTime, utcnow


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
    updated_at: datetime = updated()


class SyncLogEntry(SQLModel, table=True):
    """One pull or push run, for the sync log screen and for support."""

    __tablename__ = "sync_log"
    __table_args__ = (Index("ix_sync_log_connection_started", "connection_id", "started_at"),
                      Index("ix_sync_log_connection_step_started", "connection_id", "step", "started_at"))

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
    # 0012_sync_log_step: which step of the sync the entry was part of (``app.store.sync_steps.SyncStep``);
    # NULL for a push run's own summary row, which spans every kind.
    step: str | None = None


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
    updated_at: datetime = updated()
