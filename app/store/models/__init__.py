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

The tables are declared by concept in this package — ``org.py`` (the connection and the Salesforce
mirror), ``work.py`` (the advisor's drafts and the outbox), ``bookkeeping.py`` (cursors, log, usage,
settings), on ``columns.py`` (constraint names, allowed values, column helpers) — and imported from
here: ``from app.store.models import Contact``.
"""

from app.store.models.columns import (
    CLIENT_OBJECTS,
    CONNECTION_STATES,
    ITEM_STATES,
    NOTE_TYPES,
    OUTBOX_KINDS,
    OUTBOX_OPERATIONS,
    OUTBOX_STATES,
    SOURCE_OBJECTS,
    SYNC_PHASES,
)
from app.store.models.org import Account, AccountContactRelation, Connection, Contact, Event, NameVariant, User
from app.store.models.work import ActivityDraft, Note, OutboxItem, Task

# isort: split
# (after the org and the work, so the metadata lists the tables in the order they always had)
from app.store.models.bookkeeping import ApiUsageSample, Setting, SyncCursor, SyncLogEntry

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
    "NameVariant",
    "Note",
    "OutboxItem",
    "Setting",
    "SyncCursor",
    "SyncLogEntry",
    "Task",
    "User",
]


# In a module of its own; imported here so every table is on SQLModel.metadata.
from app.store.history_models import HistoryItem, HistoryState

__all__ += ["HistoryItem", "HistoryState"]
