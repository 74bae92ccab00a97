"""The tables of each client's Salesforce history (notes, tasks, meetings, opportunities), kept apart
from ``models.py`` because they are one concept with one owner (``app/store/history.py``).

One row per (record, client): a ContentNote linked to two people is shown under both, so the client
is part of the key.  Rows mirror Salesforce, so they cascade away with their connection.  Bodies are
kept as plain text only: nothing from Salesforce is ever stored (or shown) as live HTML.
"""

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.store.types import UTCDateTime, utcnow


class HistoryItem(SQLModel, table=True):
    """A Salesforce note, task, meeting or opportunity shown on a client's timeline."""

    __tablename__ = "history_item"
    __table_args__ = (
        UniqueConstraint("connection_id", "sf_id", "client_sf_id", name="uq_history_item_connection_sf_id_client"),
        Index("ix_history_item_client", "connection_id", "client_sf_id", "occurs_at"),
        Index("ix_history_item_recent", "connection_id", "occurs_at"),  # search: newest first (0013)
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    client_sf_id: str  # the Contact, Lead or Account it hangs on (WhoId, ParentId, LinkedEntityId, AccountId)
    kind: str  # HistoryKind (app/store/history.py)
    title: str = ""
    preview: str = ""  # the first lines, plain text
    body: str | None = None  # the whole note, plain text; None until fetched
    occurs_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # note date, meeting start
    due_date: date | None = None  # task due date, opportunity close date
    status: str | None = None  # task status, opportunity stage
    is_closed: bool = False
    is_archived: bool = False
    amount: float | None = None
    owner_id: str | None = None
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_deleted: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HistoryState(SQLModel, table=True):
    """When a client's history was last brought up to date, and the incremental resume point."""

    __tablename__ = "history_state"
    __table_args__ = (UniqueConstraint("connection_id", "client_sf_id", name="uq_history_state_connection_client"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    client_sf_id: str
    as_of: datetime = Field(sa_type=UTCDateTime)  # this computer's clock, for "as of 08:14 today"
    last_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)  # Salesforce's clock
