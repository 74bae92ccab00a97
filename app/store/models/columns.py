"""What every table shares: constraint names, the allowed values and the column helpers.

Imported first by every table module (:mod:`app.store.models`), so the naming convention is on the
metadata before any table is declared.
"""

import uuid
from typing import Any

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


def new_uid() -> str:
    return str(uuid.uuid4())


def created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime)


def updated() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime)


def text_default() -> Any:
    return Field(default="", sa_column_kwargs={"server_default": ""})


def false_default() -> Any:
    return Field(default=False, sa_column_kwargs={"server_default": "0"})
