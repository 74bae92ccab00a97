"""What an outbox item is: a note, a task or a new person.

A ``StrEnum`` because the kind is stored as text in ``outbox_item.kind`` and ``sync_log.item_kind``:
the members *are* the stored strings ("note", "task", "person"), so rows written before this enum
existed read back unchanged and nothing needs migrating.  The store is the lower layer, so the sync
engines and the UI import the kind from here.
"""

from __future__ import annotations

from enum import StrEnum


class ItemKind(StrEnum):
    """The kind of local item an outbox row sends to Salesforce."""

    NOTE = "note"
    TASK = "task"
    PERSON = "person"  # a new person added in Notebridge (app.store.prospects), created before the others

    @property
    def noun(self) -> str:
        """The word an advisor reads ("Edit the task …")."""
        return self.value


# Kinds whose drafts live in their own table and are pushed by the outbox's note/task functions;
# person rows are owned by app.store.prospects.
DRAFT_KINDS: tuple[ItemKind, ...] = (ItemKind.NOTE, ItemKind.TASK)

__all__ = ["DRAFT_KINDS", "ItemKind"]
