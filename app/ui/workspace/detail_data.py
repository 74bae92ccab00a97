"""Everything the contact detail panel shows, read in one database round trip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.store import contacts, events, notes, tasks, users
from app.store.events import EventSummary
from app.store.models import Contact
from app.store.notes import NoteDraft
from app.store.tasks import TaskDraft
from app.store.types import utcnow


@dataclass(frozen=True)
class ContactDetailData:
    contact: Contact
    owner_name: str | None
    converted_to: Contact | None  # a converted lead's contact, when it is in the workspace
    upcoming: list[EventSummary]
    past: list[EventSummary]
    notes: list[NoteDraft]
    tasks: list[TaskDraft]


def load_detail(
    session: Any, connection_id: int, contact_id: int, now: datetime | None = None
) -> ContactDetailData | None:
    contact = contacts.get(session, connection_id, contact_id)
    if contact is None:
        return None
    owner = users.names(session, connection_id, [contact.owner_id]).get(contact.owner_id or "")
    converted = (
        contacts.get_by_sf_id(session, connection_id, contact.converted_contact_id)
        if contact.converted_contact_id else None
    )
    meetings = events.for_people(session, connection_id, [contact.sf_id], limit=200)
    moment = now or utcnow()
    upcoming = sorted((e for e in meetings if e.start_at and e.start_at >= moment),
                      key=lambda e: e.start_at or moment)
    past = [e for e in meetings if not e.start_at or e.start_at < moment]
    return ContactDetailData(
        contact=contact,
        owner_name=owner,
        converted_to=converted,
        upcoming=upcoming,
        past=past,
        notes=notes.list_for(session, connection_id, contact_id=contact_id, limit=100),
        tasks=tasks.list_for(session, connection_id, contact_id=contact_id, limit=100),
    )
