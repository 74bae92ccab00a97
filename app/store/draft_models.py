"""Which table holds the drafts of a kind: the one place a kind is mapped to its rows.

Notes and tasks have tables of their own; every other kind (a call, a meeting …) shares
``activity_draft``, told apart by its ``kind`` column — so a number is only a draft of ``kind`` when
that row's kind says so (:func:`get_draft`).
"""

from __future__ import annotations

from sqlmodel import Session

from app.store.kinds import DraftTable, ItemKind, draft_table
from app.store.models import ActivityDraft, Note, Task

DraftModel = Note | Task | ActivityDraft
DRAFT_MODELS: dict[DraftTable, type[Note] | type[Task] | type[ActivityDraft]] = {
    DraftTable.NOTE: Note, DraftTable.TASK: Task, DraftTable.ACTIVITY: ActivityDraft}


def model_of(kind: ItemKind) -> type[Note] | type[Task] | type[ActivityDraft]:
    """The model holding drafts of ``kind`` (``ValueError`` for a kind without drafts)."""
    table = draft_table(kind)
    if table is None:
        raise ValueError(f"unknown outbox kind {kind!r}")
    return DRAFT_MODELS[table]


def get_draft(session: Session, kind: ItemKind, item_id: int) -> DraftModel | None:
    """The row of a draft of ``kind`` (None: gone, or the number belongs to another activity kind)."""
    item = session.get(model_of(kind), item_id)
    if not isinstance(item, Note | Task | ActivityDraft):
        return None
    if isinstance(item, ActivityDraft) and item.kind != kind:
        return None  # one table holds every activity kind
    return item


__all__ = ["DRAFT_MODELS", "DraftModel", "get_draft", "model_of"]
