""""Who is in this household" and "open household" for the client view.

A person's households are their own Account and, in orgs with AccountContactRelation, the Accounts
they are related to; a household's members are the Contacts under it plus the people related to it
(``app.store.households``).  Opening a household gathers what this computer knows about it: its
members, its meetings (its own and its members'), the advisor's notes about any of them, and the
tasks still open.  Each call is one read on the database thread and returns values, never rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.store import events, households, notes, tasks
from app.store.events import EventSummary
from app.store.households import HouseholdRef, Member
from app.store.notes import NoteDraft
from app.store.tasks import TaskDraft
from app.store.types import utcnow

if TYPE_CHECKING:
    from app.store.db import Database
    from app.store.models import Contact

__all__ = ["HouseholdDetail", "HouseholdRef", "HouseholdSummary", "Households", "Member"]

MAX_MEMBERS_READ = 50  # a "household" of thousands is a company account: its first members are enough


@dataclass(frozen=True)
class HouseholdSummary:
    """One household of a person, with its other members (the person left out)."""

    household: HouseholdRef
    others: tuple[Member, ...]
    is_self: bool = False  # the client *is* this household (an Account kept as a client)


@dataclass(frozen=True)
class HouseholdDetail:
    """Everything the household view shows."""

    household: HouseholdRef
    members: tuple[Member, ...]
    upcoming: tuple[EventSummary, ...]
    past: tuple[EventSummary, ...]
    notes: tuple[NoteDraft, ...]
    open_tasks: tuple[TaskDraft, ...]


def households_for(session: Any, connection_id: int, contact: Contact) -> tuple[HouseholdSummary, ...]:
    """The households of ``contact`` with their other members, inside the caller's transaction."""
    out = []
    for ref in households.households_of(session, connection_id, contact):
        members = households.members(session, connection_id, ref.sf_id, MAX_MEMBERS_READ)
        out.append(HouseholdSummary(ref, tuple(m for m in members if m.sf_id != contact.sf_id),
                                    is_self=ref.sf_id == contact.sf_id))
    return tuple(out)


def read_household(session: Any, connection_id: int, account_sf_id: str,
                   now: datetime | None = None) -> HouseholdDetail | None:
    members = tuple(households.members(session, connection_id, account_sf_id, MAX_MEMBERS_READ))
    name = households.household_name(session, connection_id, account_sf_id)
    if not members and not name:
        return None
    ref = HouseholdRef(account_sf_id, name, households.client_id(session, connection_id, account_sf_id))
    meetings = events.for_people(session, connection_id, [account_sf_id, *(m.sf_id for m in members)], limit=200)
    moment = now or utcnow()
    upcoming = sorted((e for e in meetings if e.start_at and e.start_at >= moment), key=lambda e: e.start_at or moment)
    past = [e for e in meetings if not e.start_at or e.start_at < moment]
    local_ids = [i for i in (ref.contact_id, *(m.contact_id for m in members)) if i is not None]
    found_notes: list[NoteDraft] = []
    found_tasks: list[TaskDraft] = []
    for contact_id in dict.fromkeys(local_ids):
        found_notes += notes.list_for(session, connection_id, contact_id=contact_id, limit=100)
        found_tasks += tasks.list_for(session, connection_id, contact_id=contact_id, limit=100)
    closed = set(tasks.picklists(session, connection_id).closed_statuses) or {"Completed"}
    open_tasks = [t for t in found_tasks if (t.status or "") not in closed]
    return HouseholdDetail(
        household=ref, members=members, upcoming=tuple(upcoming), past=tuple(past),
        notes=tuple(sorted(found_notes, key=lambda n: n.updated_at, reverse=True)),
        open_tasks=tuple(sorted(open_tasks, key=lambda t: t.updated_at, reverse=True)),
    )


class Households:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def open(self, connection_id: int, account_sf_id: str) -> HouseholdDetail | None:
        """The household view, or None when this computer knows nothing of that Account."""
        return await self.db.run(lambda s: read_household(s, connection_id, account_sf_id))
