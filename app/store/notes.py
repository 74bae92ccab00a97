"""Notes repository: the advisor's drafts, saved on every (debounced) keystroke.

Functions take the ``Session`` that :meth:`app.store.db.Database.run` hands out::

    note = await db.run(lambda s: notes.create(s, connection_id, contact_id=7))
    note = await db.run(lambda s: notes.save(s, note.id, body_markdown="…"))

They return :class:`NoteDraft` snapshots (plain frozen dataclasses), so the UI and the push engine
never hold ORM objects.  A save is one short transaction with ``synchronous=FULL``: once ``save``
returns, the text survives a kill -9 or a power cut.

State rules (``ITEM_STATES``): a new note is ``draft``; the outbox moves it through ``queued`` →
``sending`` → ``pushed`` / ``needs_attention`` / ``waiting``.  Editing a pushed note makes it a
``draft`` again (with its ``remote_id`` kept, so the next push updates the same record).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.store.models import Contact, Event, Note
from app.store.types import utcnow

CLIENT_TAG = "Client"
# Fields the editor may change; everything else belongs to the push engine.
EDITABLE = frozenset({"title", "body_markdown", "tags", "template", "event_id", "contact_id", "parent_sf_id"})


@dataclass(frozen=True, slots=True)
class NoteDraft:
    id: int
    uid: str
    connection_id: int
    contact_id: int | None
    parent_sf_id: str | None
    event_id: int | None
    event_sf_id: str | None
    title: str
    body_markdown: str
    tags: tuple[str, ...]
    template: str | None
    state: str
    remote_id: str | None
    remote_type: str | None
    last_pushed_hash: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def is_client_meeting_note(self) -> bool:
        """Client-tagged notes of a meeting go into the meeting's Description (see push_mapping)."""
        return bool(self.event_sf_id) and any(t.casefold() == CLIENT_TAG.casefold() for t in self.tags)


def snapshot(note: Note) -> NoteDraft:
    assert note.id is not None
    return NoteDraft(
        id=note.id, uid=note.uid, connection_id=note.connection_id, contact_id=note.contact_id,
        parent_sf_id=note.parent_sf_id, event_id=note.event_id, event_sf_id=note.event_sf_id,
        title=note.title or "", body_markdown=note.body_markdown or "", tags=tuple(note.tags or ()),
        template=note.template, state=note.state, remote_id=note.remote_id, remote_type=note.remote_type,
        last_pushed_hash=note.last_pushed_hash, created_at=note.created_at, updated_at=note.updated_at,
    )


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Trimmed, de-duplicated (case-insensitively), order kept; "client" is spelled ``Client``."""
    out: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        text = " ".join(str(tag).split())
        if not text:
            continue
        if text.casefold() == CLIENT_TAG.casefold():
            text = CLIENT_TAG
        if text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def _contact_sf_id(session: Session, connection_id: int, contact_id: int | None) -> str | None:
    if contact_id is None:
        return None
    contact = session.get(Contact, contact_id)
    if contact is None or contact.connection_id != connection_id:
        raise ValueError(f"contact {contact_id} is not in this workspace")
    return contact.sf_id


def _event_sf_id(session: Session, connection_id: int, event_id: int | None) -> str | None:
    if event_id is None:
        return None
    event = session.get(Event, event_id)
    if event is None or event.connection_id != connection_id:
        raise ValueError(f"meeting {event_id} is not in this workspace")
    return event.sf_id


def create(
    session: Session,
    connection_id: int,
    *,
    contact_id: int | None = None,
    parent_sf_id: str | None = None,
    event_id: int | None = None,
    title: str = "",
    body_markdown: str = "",
    tags: Sequence[str] = (),
    template: str | None = None,
) -> NoteDraft:
    """A new draft for a client (``contact_id``) or any parent record (``parent_sf_id``)."""
    sf_id = _contact_sf_id(session, connection_id, contact_id) or parent_sf_id
    note = Note(
        connection_id=connection_id, contact_id=contact_id, parent_sf_id=sf_id, event_id=event_id,
        event_sf_id=_event_sf_id(session, connection_id, event_id), title=title,
        body_markdown=body_markdown, tags=clean_tags(tags), template=template,
    )
    session.add(note)
    session.flush()
    return snapshot(note)


def get(session: Session, note_id: int) -> NoteDraft | None:
    note = session.get(Note, note_id)
    return snapshot(note) if note is not None else None


def save(session: Session, note_id: int, **changes: Any) -> NoteDraft:
    """Apply the editor's changes (any of ``EDITABLE``); a no-op change writes nothing.

    Changing the client re-derives ``parent_sf_id``; changing the meeting re-derives
    ``event_sf_id``.  A pushed note that is edited becomes a draft again.
    """
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    note = session.get(Note, note_id)
    if note is None:
        raise LookupError(f"note {note_id} does not exist")
    if "tags" in changes:
        changes["tags"] = clean_tags(changes["tags"])
    if "contact_id" in changes:
        changes["parent_sf_id"] = (
            _contact_sf_id(session, note.connection_id, changes["contact_id"]) or changes.get("parent_sf_id")
        )
    if "event_id" in changes:
        note.event_sf_id = _event_sf_id(session, note.connection_id, changes["event_id"])
    changed = False
    for name, value in changes.items():
        if getattr(note, name) != value:
            setattr(note, name, value)
            changed = True
    if changed:
        note.updated_at = utcnow()
        if note.state == "pushed":
            note.state = "draft"
        session.add(note)
    return snapshot(note)


def list_for(
    session: Session, connection_id: int, *, contact_id: int | None = None, states: Sequence[str] | None = None,
    limit: int = 500,
) -> list[NoteDraft]:
    """Newest first; optionally one client's notes or only some states."""
    query = select(Note).where(col(Note.connection_id) == connection_id)
    if contact_id is not None:
        query = query.where(col(Note.contact_id) == contact_id)
    if states:
        query = query.where(col(Note.state).in_(list(states)))
    query = query.order_by(col(Note.updated_at).desc(), col(Note.id).desc()).limit(limit)
    return [snapshot(n) for n in session.execute(query).scalars()]


def delete_draft(session: Session, note_id: int) -> bool:
    """Delete a note that never reached Salesforce and is not on its way; False otherwise."""
    note = session.get(Note, note_id)
    if note is None or note.remote_id or note.state in ("queued", "sending", "waiting"):
        return False
    session.delete(note)
    return True


def event_choices(session: Session, connection_id: int, parent_sf_id: str | None, limit: int = 30) -> list[
        tuple[int, str, datetime | None]]:
    """The client's meetings (newest first) the editor offers: (event id, subject, start)."""
    if not parent_sf_id:
        return []
    query = (
        select(col(Event.id), col(Event.subject), col(Event.start_at))
        .where(col(Event.connection_id) == connection_id, col(Event.is_deleted) == False)  # noqa: E712
        .where((col(Event.who_id) == parent_sf_id) | (col(Event.what_id) == parent_sf_id))
        .order_by(col(Event.start_at).desc())
        .limit(limit)
    )
    return [(int(r[0]), r[1] or "(no subject)", r[2]) for r in session.execute(query).all()]


@dataclass(frozen=True, slots=True)
class NoteContext:
    """What the note editor shows around the note: the client's name and their meetings."""

    note: NoteDraft
    client_name: str
    events: list[tuple[int, str, datetime | None]]


def editor_context(session: Session, note_id: int) -> NoteContext:
    note = get(session, note_id)
    if note is None:
        raise LookupError(f"note {note_id} does not exist")
    person = session.get(Contact, note.contact_id) if note.contact_id else None
    choices = event_choices(session, note.connection_id, note.parent_sf_id)
    if note.event_id is not None and all(c[0] != note.event_id for c in choices):
        # The note's own meeting is always offered (older than the list, or on the account), so the
        # editor shows it rather than "No meeting" — which the next save would store.
        event = session.get(Event, note.event_id)
        if event is not None:
            subject = event.subject or "(no subject)"
            choices.append((note.event_id, f"{subject} (deleted in Salesforce)" if event.is_deleted else subject,
                            event.start_at))
    return NoteContext(note, person.name if person else "", choices)
