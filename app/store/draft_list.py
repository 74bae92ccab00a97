"""Drafts nobody has sent: the list an advisor opens or discards them from, and discard with undo.

A draft here is a note, task or activity (call, meeting …) in state ``draft`` that Salesforce never
had (``remote_id`` empty): an edited, already-pushed item is not offered, since discarding it could
not take back what Salesforce holds.  Discard deletes the row and hands back every column
(``DiscardedDraft``), so "Undo" puts the very same row back — same id, same uid, same times — in
one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.store import activity_forms
from app.store.draft_models import DraftModel, get_draft, model_of
from app.store.kinds import ItemKind
from app.store.models import ActivityDraft, Contact, Note, Task


def _get(session: Session, kind: ItemKind, draft_id: int) -> DraftModel | None:
    return get_draft(session, kind, draft_id)


@dataclass(frozen=True, slots=True)
class DraftEntry:
    kind: ItemKind
    id: int
    title: str         # the note's title or the task's subject, as typed ("" when none yet)
    client_name: str   # "" when the draft has no client
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DiscardedDraft:
    kind: ItemKind
    id: int
    values: dict[str, Any]  # every column of the deleted row


def unsent(session: Session, connection_id: int, limit: int = 500) -> list[DraftEntry]:
    """Notes, tasks and activities never sent, newest edit first."""
    queries = [
        (ItemKind.NOTE, select(col(Note.id), col(Note.title), col(Contact.name), col(Note.updated_at))
         .join(Contact, col(Contact.id) == col(Note.contact_id), isouter=True)
         .where(col(Note.connection_id) == connection_id, col(Note.state) == "draft", col(Note.remote_id).is_(None))
         .order_by(col(Note.updated_at).desc()).limit(limit)),
        (ItemKind.TASK, select(col(Task.id), col(Task.subject), col(Contact.name), col(Task.updated_at))
         .join(Contact, col(Contact.id) == col(Task.contact_id), isouter=True)
         .where(col(Task.connection_id) == connection_id, col(Task.state) == "draft", col(Task.remote_id).is_(None))
         .order_by(col(Task.updated_at).desc()).limit(limit)),
    ]
    entries = [DraftEntry(kind, row_id, text or "", client or "", updated)
               for kind, query in queries for row_id, text, client, updated in session.execute(query)]
    activities = (select(col(ActivityDraft.id), col(ActivityDraft.kind), col(ActivityDraft.fields), col(Contact.name),
                         col(ActivityDraft.updated_at))
                  .join(Contact, col(Contact.id) == col(ActivityDraft.contact_id), isouter=True)
                  .where(col(ActivityDraft.connection_id) == connection_id, col(ActivityDraft.state) == "draft",
                         col(ActivityDraft.remote_id).is_(None))
                  .order_by(col(ActivityDraft.updated_at).desc()).limit(limit))
    entries += [DraftEntry(ItemKind(kind), row_id, activity_forms.form_of(kind).title(fields or {}), client or "",
                           updated)
                for row_id, kind, fields, client, updated in session.execute(activities)]
    entries.sort(key=lambda e: e.updated_at, reverse=True)
    return entries[:limit]


def is_empty(session: Session, kind: ItemKind, draft_id: int) -> bool:
    """Nothing typed: no title and no body (a note), no subject and no description (a task), never
    saved since it was opened (an activity: its form starts filled in, so "untouched" is the test)."""
    row = _get(session, kind, draft_id)
    if row is None:
        return False
    if isinstance(row, ActivityDraft):
        return row.updated_at == row.created_at
    if isinstance(row, Note):
        return not row.title.strip() and not row.body_markdown.strip()
    return not row.subject.strip() and not row.description.strip()


def discard(session: Session, kind: ItemKind, draft_id: int) -> DiscardedDraft | None:
    """Delete a never-sent draft; None when it is not one (gone, queued, or in Salesforce)."""
    row = _get(session, kind, draft_id)
    if row is None or row.remote_id or row.state != "draft":
        return None
    values = {name: getattr(row, name) for name in type(row).model_fields}
    session.delete(row)
    session.flush()
    return DiscardedDraft(kind, draft_id, values)


def restore(session: Session, discarded: DiscardedDraft) -> int:
    """Put a discarded draft back exactly as it was (Undo); its id."""
    values = dict(discarded.values)
    there = _get(session, discarded.kind, discarded.id)
    if there is not None:
        if there.uid == values.get("uid"):
            return discarded.id  # already back
        values.pop("id", None)  # a new draft took the number meanwhile: same draft, next number
    row = model_of(discarded.kind)(**values)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


__all__ = ["DiscardedDraft", "DraftEntry", "discard", "is_empty", "restore", "unsent"]
