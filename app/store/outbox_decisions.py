"""What the advisor decides about outbox items: conflict choices, another client, re-targeting."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from app.store import activities as activities_repo
from app.store import notes as notes_repo
from app.store import tasks as tasks_repo
from app.store.kinds import is_activity, is_note
from app.store.models import ActivityDraft, Contact, Note, Task
from app.store.outbox import OutboxRow, T, draft_of, get, set_draft_state
from app.store.types import utcnow


def resolve_keep_mine(session: Session, outbox_id: int, theirs_hash: str) -> None:
    """Overwrite Salesforce's edit with ours: what we compare against becomes their version."""
    row = get(session, outbox_id)
    if row is None:
        return
    set_draft_state(session, row.kind, row.item_id, "queued", last_pushed_hash=theirs_hash)
    session.execute(update(T).where(T.c.id == outbox_id).values(
        state="queued", conflict=None, last_error_code=None, last_error_message=None, last_error_hint=None,
        notice="Your version replaced the one edited in Salesforce.", updated_at=utcnow()))


def resolve_take_theirs(session: Session, outbox_id: int, changes: dict[str, Any], theirs_hash: str) -> None:
    """Salesforce's version wins: copy it into the draft, nothing is sent."""
    row = get(session, outbox_id)
    if row is None:
        return
    if is_note(row.kind):
        notes_repo.save(session, row.item_id, **changes)
    else:
        tasks_repo.save(session, row.item_id, **changes)
    now = utcnow()
    session.execute(update(T).where(T.c.id == outbox_id).values(
        state="pushed", conflict=None, last_error_code=None, last_error_message=None, last_error_hint=None,
        notice="Took the version from Salesforce.", updated_at=now))
    set_draft_state(session, row.kind, row.item_id, "pushed", last_pushed_hash=theirs_hash)


def resolve_save_as_new(session: Session, outbox_id: int) -> OutboxRow | None:
    """Leave Salesforce's record alone and push ours as a new record."""
    row = get(session, outbox_id)
    if row is None:
        return None
    extra: dict[str, Any] = {"remote_id": None, "last_pushed_hash": None}
    if is_note(row.kind):
        extra["remote_type"] = None
    set_draft_state(session, row.kind, row.item_id, "queued", **extra)
    session.execute(update(T).where(T.c.id == outbox_id).values(
        state="queued", operation="create", remote_id=None, link_id=None, conflict=None, sent_at=None,
        sent_payload=None, last_error_code=None, last_error_message=None, last_error_hint=None,
        notice="Saved as a new record; the one in Salesforce was left as it was.", updated_at=utcnow()))
    return get(session, outbox_id)


def attach_to(session: Session, outbox_id: int, contact_id: int) -> OutboxRow | None:
    """The client was deleted in Salesforce: attach the item to another client and queue it again."""
    row = get(session, outbox_id)
    if row is None:
        return None
    if is_note(row.kind):
        notes_repo.save(session, row.item_id, contact_id=contact_id)
    elif is_activity(row.kind):
        activities_repo.set_client(session, row.item_id, contact_id)
    else:
        tasks_repo.save(session, row.item_id, contact_id=contact_id)
    set_draft_state(session, row.kind, row.item_id, "queued")
    session.execute(update(T).where(T.c.id == outbox_id).values(
        state="queued", conflict=None, last_error_code=None, last_error_message=None, last_error_hint=None,
        next_try_at=None, updated_at=utcnow()))
    return get(session, outbox_id)


def retarget_converted(session: Session, outbox_id: int, contact_sf_id: str, account_sf_id: str | None) -> str:
    """A Lead was converted: point the item at the new Contact (and its Account).  Returns the name."""
    row = get(session, outbox_id)
    if row is None:
        return contact_sf_id
    contact = session.execute(select(Contact).where(
        col(Contact.connection_id) == row.connection_id, col(Contact.sf_id) == contact_sf_id)).scalars().first()
    if is_note(row.kind):
        note = draft_of(session, row.kind, row.item_id)
        assert isinstance(note, Note)
        note.parent_sf_id = contact_sf_id
        note.contact_id = contact.id if contact else note.contact_id
        session.add(note)
    else:
        task = draft_of(session, row.kind, row.item_id)
        assert isinstance(task, Task | ActivityDraft)  # both carry WhoId/WhatId
        task.who_id, task.what_id = contact_sf_id, account_sf_id or task.what_id
        task.contact_id = contact.id if contact else task.contact_id
        session.add(task)
    return contact.name if contact else contact_sf_id


