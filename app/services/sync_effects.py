"""What a change of sync choices will do, in plain words, before it is applied.

"Switching to Accounts re-syncs about 12,400 records; your drafts stay."  Where a number helps (a
new object, Leads, a wider scope) it comes from a ``COUNT()`` query (one API call, no records); when
Salesforce cannot be asked (offline, signed out) the words say what happens without a number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from app.salesforce.errors import SalesforceError
from app.salesforce.oauth_errors import OAuthError
from app.services.sync_choices import RecordScope, SyncChoices
from app.sync.connection import NotConnected
from app.sync.pull.estimate import count_records

if TYPE_CHECKING:
    from app.sync.connection import ConnectionManager

log = logging.getLogger(__name__)

KEPT = "Your drafts and the items waiting in the Outbox stay as they are."
INTERVAL_WORDS = {15: "every 15 minutes", 30: "every 30 minutes", 60: "every hour", 240: "every 4 hours",
                  1440: "once a day"}
OBJECT_WORDS = {"Contact": "Contacts", "Account": "Accounts"}


class Change(StrEnum):
    """One kind of change the Sync tab can make."""

    CLIENT_OBJECT = "client_object"
    LEADS = "include_leads"
    SCOPE = "record_scope"
    PICK_MODE = "pick_mode"
    CONTACT_SYNC = "contacts_enabled"
    INTERVAL = "interval_minutes"
    EVENTS = "include_events"
    EVENT_WINDOW = "event_window_days"
    ASSIGNEE = "default_assignee_id"


@dataclass(frozen=True)
class ChangeEffect:
    """The changes, and what they will do (``records``: the count asked of Salesforce, if any)."""

    changes: tuple[Change, ...]
    lines: tuple[str, ...]
    records: int | None = None

    @property
    def text(self) -> str:
        return " ".join((*self.lines, KEPT))


def changes_between(before: SyncChoices, after: SyncChoices) -> tuple[Change, ...]:
    return tuple(change for change in Change if getattr(before, change.value) != getattr(after, change.value))


def interval_words(minutes: int) -> str:
    return INTERVAL_WORDS.get(minutes, f"every {minutes} minutes")


def _about(n: int | None, noun: str) -> str:
    return f"about {n:,} {noun if n != 1 else noun.removesuffix('s')}" if n is not None else ""


async def _count(connections: ConnectionManager, sobjects: tuple[str, ...], owner_id: str | None) -> int | None:
    """A ``COUNT()`` per object, or None when Salesforce cannot be asked now (never an error)."""
    if connections.status.state != "connected" or connections.status.offline:
        return None
    try:
        client = await connections.client()
        return await count_records(client, sobjects, owner_id=owner_id)
    except (NotConnected, SalesforceError, OAuthError) as exc:
        log.info("could not count records for the sync settings: %s", exc)
        return None


async def describe(connections: ConnectionManager, before: SyncChoices, after: SyncChoices, *,
                   assignee_name: str = "") -> ChangeEffect:
    """Plain words for each change from ``before`` to ``after`` (asks Salesforce for counts)."""
    changes = changes_between(before, after)
    active = connections.active
    owner = active.user_id if active is not None and after.record_scope is RecordScope.MINE else None
    lines: list[str] = []
    records: int | None = None
    people = (after.client_object, "Lead") if after.include_leads else (after.client_object,)
    for change in changes:
        if change is Change.CLIENT_OBJECT:
            records = await _count(connections, (after.client_object,), owner)
            lines.append(f"Switching to {OBJECT_WORDS[after.client_object]} re-syncs "
                         f"{_about(records, 'records') or 'your clients'} at the next sync. "
                         f"The {OBJECT_WORDS[before.client_object]} already here stay on this computer.")
        elif change is Change.LEADS and after.include_leads:
            records = await _count(connections, ("Lead",), owner)
            lines.append(f"Leads join your clients: {_about(records, 'leads') or 'they'} "
                         f"{'are' if records != 1 else 'is'} copied at the next sync.")
        elif change is Change.LEADS:
            lines.append("Leads leave the client list and stop updating. Notes about them stay.")
        elif change is Change.SCOPE and after.record_scope is RecordScope.MINE:
            records = await _count(connections, people, owner)
            mine = f" ({_about(records, 'records')})" if records is not None else ""
            lines.append(f"Only clients you own{mine} stay up to date. The others stay on this computer but stop "
                         "updating.")
        elif change is Change.SCOPE:
            records = await _count(connections, people, None)
            seen = _about(records, "records") or "all of them"
            lines.append(f"Every client you can see in Salesforce is synced: {seen}, read afresh at the next sync.")
        elif change is Change.PICK_MODE and after.pick_mode:
            lines.append("Only the clients you pick from Salesforce stay up to date. The others stay on this "
                         "computer but stop updating.")
        elif change is Change.PICK_MODE:
            records = await _count(connections, people, owner)
            lines.append(f"Every client syncs again: {_about(records, 'records') or 'they'} at the next sync.")
        elif change is Change.CONTACT_SYNC and after.contacts_enabled:
            lines.append("Your clients update from Salesforce again, starting now.")
        elif change is Change.CONTACT_SYNC:
            lines.append("Your clients stop updating from Salesforce. They stay on this computer.")
        elif change is Change.INTERVAL:
            lines.append(f"Notebridge checks Salesforce {interval_words(after.interval_minutes)} from now on.")
        elif change is Change.EVENTS and after.include_events:
            lines.append(f"Meetings from {after.event_window_days} days back to {after.event_window_days} days "
                         "ahead are copied at the next sync.")
        elif change is Change.EVENTS:
            lines.append("Meetings stop updating. The ones already here stay.")
        elif change is Change.EVENT_WINDOW:
            lines.append(f"Meetings from {after.event_window_days} days back to {after.event_window_days} days "
                         "ahead are read afresh at the next sync.")
        elif change is Change.ASSIGNEE:
            who = assignee_name or ("you" if after.default_assignee_id is None else "the colleague you chose")
            lines.append(f"New tasks are assigned to {who}. Tasks already written keep their assignee.")
    return ChangeEffect(changes, tuple(lines), records)
