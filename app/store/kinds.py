"""What an outbox item is: a note, a task, a logged call, a meeting, a logged email, an opportunity or a new person.

A ``StrEnum`` because the kind is stored as text in ``outbox_item.kind`` and ``sync_log.item_kind``:
the members *are* the stored strings ("note", "task", "call", "meeting", "email", "person"), so rows
written before this enum existed read back unchanged and nothing needs migrating.  The store is the
lower layer, so the sync engines and the UI import the kind from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class ItemKind(StrEnum):
    """The kind of local item an outbox row sends to Salesforce."""

    NOTE = "note"
    TASK = "task"
    CALL = "call"        # a logged call: a completed Task with TaskSubtype=Call (app.store.activity_forms)
    MEETING = "meeting"  # a meeting logged here: an Event on the client (app.store.activity_forms)
    EMAIL = "email"      # a logged email: a completed Task with TaskSubtype=Email (app.store.activity_forms)
    OPPORTUNITY = "opportunity"  # a new deal: an Opportunity on the client's household/account
    PERSON = "person"  # a new person added in Notebridge (app.store.prospects), created before the others

    @property
    def noun(self) -> str:
        """The word an advisor reads ("Edit the task …")."""
        return self.value


class DraftTable(StrEnum):
    """The tables that hold drafts the outbox pushes as work items (``app.store.outbox.PushWork``)."""

    NOTE = "note"
    TASK = "task"
    ACTIVITY = "activity"  # one table for every other kind: its fields are a validated JSON payload


# Where each draft kind's drafts live.  Person rows are not here: app.store.prospects owns them.
# A new activity kind is one line here (its drafts go in the generic activity table) plus its form in
# app.store.activity_forms; see docs/architecture.md, "Worked example".
DRAFT_TABLE: Mapping[ItemKind, DraftTable] = MappingProxyType({
    ItemKind.NOTE: DraftTable.NOTE,
    ItemKind.TASK: DraftTable.TASK,
    ItemKind.CALL: DraftTable.ACTIVITY,
    ItemKind.MEETING: DraftTable.ACTIVITY,
    ItemKind.EMAIL: DraftTable.ACTIVITY,
    ItemKind.OPPORTUNITY: DraftTable.ACTIVITY,
})
DRAFT_KINDS: tuple[ItemKind, ...] = tuple(DRAFT_TABLE)


def draft_table(kind: str) -> DraftTable | None:
    """The table holding drafts of ``kind`` (None: not a draft kind, e.g. a new person)."""
    try:
        return DRAFT_TABLE.get(ItemKind(kind))
    except ValueError:
        return None


def is_activity(kind: str) -> bool:
    """Drafts of this kind live in the generic activity table (a call, a meeting …)."""
    return draft_table(kind) == DraftTable.ACTIVITY


def is_note(kind: str) -> bool:
    """Drafts of this kind are notes (a note table row), as opposed to tasks."""
    return draft_table(kind) == DraftTable.NOTE


__all__ = ["DRAFT_KINDS", "DRAFT_TABLE", "DraftTable", "ItemKind", "draft_table", "is_activity", "is_note"]
