"""The client directory: "list page", "search clients" and "open client" for the workspace screen.

Each call is one read on the database thread; what comes back is a value (``ContactSummary``,
``SearchHit``, ``ClientDetail``), never an ORM row, so a widget can hold it after the session
has closed and no one can write through it by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.services.field_mappings import ShownField, mapping_for, shown
from app.services.households import HouseholdSummary, households_for
from app.store import activities, contacts, events, history, notes, tasks, users
from app.store.activities import ActivityDraftValue
from app.store.contacts import ContactSummary, MatchTier, SearchHit
from app.store.events import EventSummary
from app.store.notes import NoteDraft
from app.store.tasks import TaskDraft
from app.store.types import utcnow

if TYPE_CHECKING:
    from app.store.db import Database
    from app.store.models import Contact

__all__ = ["ClientDetail", "ClientDirectory", "ClientRecord", "ClientRef", "ContactSummary", "EventSummary",
           "HouseholdSummary", "MatchTier", "NoteDraft", "SearchHit", "TaskDraft"]


@dataclass(frozen=True)
class ClientRecord:
    """The person's own fields, as the detail panel shows them."""

    id: int
    sf_id: str
    source_object: str  # "Contact", "Lead" or "Account"
    name: str
    title: str | None
    account_name: str | None
    email: str | None
    phone: str | None
    mobile_phone: str | None
    mailing_street: str | None
    mailing_city: str | None
    mailing_state: str | None
    mailing_postal_code: str | None
    mailing_country: str | None
    owner_id: str | None
    last_modified: datetime | None
    read_only: bool  # a converted lead: Salesforce accepts no changes to it

    @classmethod
    def of(cls, row: Contact) -> ClientRecord:
        assert row.id is not None  # read from the table, so it has its key
        return cls(
            id=row.id, sf_id=row.sf_id, source_object=row.source_object, name=row.name, title=row.title,
            account_name=row.account_name, email=row.email, phone=row.phone, mobile_phone=row.mobile_phone,
            mailing_street=row.mailing_street, mailing_city=row.mailing_city, mailing_state=row.mailing_state,
            mailing_postal_code=row.mailing_postal_code, mailing_country=row.mailing_country,
            owner_id=row.owner_id, last_modified=row.last_modified, read_only=row.read_only,
        )


@dataclass(frozen=True)
class ClientRef:
    """Enough to link to another client (a converted lead's contact)."""

    id: int
    name: str


@dataclass(frozen=True)
class ClientDetail:
    """Everything the detail panel shows, read in one database round trip."""

    contact: ClientRecord
    owner_name: str | None
    converted_to: ClientRef | None  # a converted lead's contact, when it is in the workspace
    upcoming: tuple[EventSummary, ...]
    past: tuple[EventSummary, ...]
    notes: tuple[NoteDraft, ...]
    tasks: tuple[TaskDraft, ...]
    households: tuple[HouseholdSummary, ...] = ()  # their household(s) and its other members
    activities: tuple[ActivityDraftValue, ...] = ()  # calls, meetings … logged here
    extras: tuple[ShownField, ...] = ()  # the advisor's extra fields, typed (Settings → Sync → Fields)
    outside_filter: bool = False  # kept for drafts or queued items though the filter no longer keeps them
    # Salesforce Ids of items pushed from here that were since deleted in Salesforce (the history pull
    # saw it): the local copies stay, and the list says so.
    deleted_in_salesforce: frozenset[str] = frozenset()


def read_detail(session: Any, connection_id: int, contact_id: int,
                now: datetime | None = None) -> ClientDetail | None:
    """The detail of one client inside the caller's transaction (None when it is not there)."""
    contact = contacts.get(session, connection_id, contact_id)
    if contact is None:
        return None
    owner = (users.names(session, connection_id, [contact.owner_id]).get(contact.owner_id)
             if contact.owner_id else None)
    converted = (
        contacts.get_by_sf_id(session, connection_id, contact.converted_contact_id)
        if contact.converted_contact_id else None
    )
    meetings = events.for_people(session, connection_id, [contact.sf_id], limit=200)
    moment = now or utcnow()
    upcoming = sorted((e for e in meetings if e.start_at and e.start_at >= moment),
                      key=lambda e: e.start_at or moment)
    past = [e for e in meetings if not e.start_at or e.start_at < moment]
    own_notes = notes.list_for(session, connection_id, contact_id=contact_id, limit=100)
    own_tasks = tasks.list_for(session, connection_id, contact_id=contact_id, limit=100)
    logged = activities.list_for(session, connection_id, contact_id=contact_id, limit=100)
    pushed = [i.remote_id for group in (own_notes, own_tasks, logged) for i in group if i.remote_id]
    return ClientDetail(
        contact=ClientRecord.of(contact),
        owner_name=owner,
        converted_to=ClientRef(converted.id, converted.name) if converted and converted.id else None,
        upcoming=tuple(upcoming),
        past=tuple(past),
        notes=tuple(own_notes),
        tasks=tuple(own_tasks),
        households=households_for(session, connection_id, contact),
        activities=tuple(logged),
        extras=shown(mapping_for(session, connection_id, contact.source_object), contact.extra_fields),
        outside_filter=contact.outside_filter,
        deleted_in_salesforce=frozenset(history.deleted_ids(session, connection_id, pushed)),
    )


class ClientDirectory:
    """The workspace's clients of one connection, optionally narrowed to some Salesforce objects."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def count(self, connection_id: int, source_objects: Sequence[str] | None = None) -> int:
        return await self.db.run(lambda s: contacts.count(s, connection_id, source_objects=source_objects))

    async def list_page(self, connection_id: int, offset: int, limit: int,
                        source_objects: Sequence[str] | None = None) -> list[ContactSummary]:
        """Rows ``offset`` … ``offset+limit`` in "last, first" order (a read, no write lock)."""
        return await self.db.read(
            lambda c: contacts.page(c, connection_id, offset, limit, source_objects=source_objects))

    async def search(self, connection_id: int, text: str, limit: int,
                     source_objects: Sequence[str] | None = None) -> list[SearchHit]:
        """Ranked matches for what the advisor typed (a read, no write lock)."""
        return await self.db.read(
            lambda c: contacts.search(c, connection_id, text, limit, source_objects=source_objects))

    async def open(self, connection_id: int, contact_id: int) -> ClientDetail | None:
        """The client's detail, or None when it is no longer in the workspace."""
        return await self.db.run(lambda s: read_detail(s, connection_id, contact_id))
