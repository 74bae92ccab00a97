""""Change what syncs": every choice the setup wizard makes about the pull, changeable later.

The wizard's Preferences page and Settings → Sync (and the workspace's More menu) all write these
choices through :meth:`SyncChoicesService.apply` — one code path, so the three can never disagree on
where a choice is kept or what a change must reset.  Where each value lives is unchanged:

* where clients live, Leads (and the note type) — the ``Connection`` row, through
  ``ConnectionManager.update_preferences`` so the live connection follows;
* contact sync, pick mode, the interval, meetings and their window — the pull settings
  (``sync_state.PullSettings``), read by the scheduler at the start of every pull;
* the record scope and the default task assignee — per-connection settings.

A change is applied without a restart: :class:`SyncChoicesChanged` goes on the event bus, and
``ClientSync`` wakes the scheduler, whose next pull reads the new choices.  Nothing here touches
drafts or the outbox: a change of what syncs never loses a note or a queued item (the people they
are about stay on this computer, even when they stop updating).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from app.services.events import Events
from app.store import settings as settings_rows
from app.store import sync_state, users, wizard_state
from app.store.tasks import DEFAULT_ASSIGNEE_SETTING
from app.sync.connection import NOT_CONNECTED, NotConnected
from app.sync.pull.related import EVENT_CURSOR, WINDOW_CURSOR

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

__all__ = ["CLIENT_OBJECTS", "EVENT_WINDOWS", "SYNC_INTERVALS", "Colleague", "RecordScope", "SyncChoices",
           "SyncChoicesChanged", "SyncChoicesService"]

CLIENT_OBJECTS = ("Contact", "Account")
SYNC_INTERVALS = (15, 30, 60, 240, 1440)  # minutes
EVENT_WINDOWS = (30, 90, 180, 365)  # days back and ahead
RECORD_SCOPE_SETTING = sync_state.RECORD_SCOPE_KEY


class RecordScope(StrEnum):
    """Which people the pull keeps up to date (pick mode is its own switch on top of this)."""

    ALL = "all"
    MINE = "mine"  # people the signed-in Salesforce user owns


@dataclass(frozen=True)
class SyncChoices:
    """What the pull brings and how often; ``default_assignee_id`` None means the advisor."""

    client_object: str = "Contact"
    include_leads: bool = False
    record_scope: RecordScope = RecordScope.ALL
    pick_mode: bool = False
    contacts_enabled: bool = True
    interval_minutes: int = 30
    include_events: bool = True
    event_window_days: int = sync_state.DEFAULT_EVENT_WINDOW_DAYS
    default_assignee_id: str | None = None

    def __post_init__(self) -> None:
        if self.client_object not in CLIENT_OBJECTS:
            raise ValueError(f"client_object must be one of {CLIENT_OBJECTS}, not {self.client_object!r}")

    def with_changes(self, **changes: Any) -> SyncChoices:
        return replace(self, **changes)


@dataclass(frozen=True)
class SyncChoicesChanged:
    """An event on the bus (kept beside its values, so ``events`` needs no import of them): what syncs
    changed; the pull, the workspace list and Settings follow at once."""

    connection_id: int
    before: SyncChoices
    after: SyncChoices


@dataclass(frozen=True)
class Colleague:
    """A synced Salesforce user a task can be assigned to."""

    user_id: str
    name: str
    email: str


def _read(session: Any, connection_id: int) -> SyncChoices:
    pulled = sync_state.pull_settings(session, connection_id)
    stored_scope = settings_rows.get(session, connection_id, RECORD_SCOPE_SETTING)
    assignee = settings_rows.get(session, connection_id, DEFAULT_ASSIGNEE_SETTING)
    me = pulled.user_id
    return SyncChoices(
        client_object=pulled.client_object if pulled.client_object in CLIENT_OBJECTS else "Contact",
        include_leads=pulled.include_leads,
        record_scope=RecordScope.MINE if stored_scope == RecordScope.MINE else RecordScope.ALL,
        # The wizard of old wrote the scope "pick" without the flag: either one means pick mode.
        pick_mode=pulled.pick_mode or stored_scope == "pick",
        contacts_enabled=pulled.contacts_enabled,
        interval_minutes=pulled.interval_minutes,
        include_events=pulled.include_events,
        event_window_days=pulled.event_window_days,
        default_assignee_id=assignee if isinstance(assignee, str) and assignee and assignee != me else None,
    )


def _write(session: Any, connection_id: int, user_id: str | None, before: SyncChoices,
           after: SyncChoices) -> None:
    """The pull settings, scope and assignee in one transaction, and the cursors the change voids."""
    pull = {"contacts_enabled": after.contacts_enabled, "pick_mode": after.pick_mode,
            "interval_minutes": after.interval_minutes, "include_events": after.include_events,
            "event_window_days": after.event_window_days}
    extra = {RECORD_SCOPE_SETTING: str(after.record_scope),
             DEFAULT_ASSIGNEE_SETTING: after.default_assignee_id or user_id}
    wizard_state.save_connection_preferences(session, connection_id, pull, extra)
    if after.event_window_days != before.event_window_days:
        # A wider window has meetings the change feed will never report: read the window afresh.
        # (People need no reset: each scope and object has its own cursor, see PeopleSpec.cursor_key.)
        sync_state.delete_cursors(session, connection_id, [EVENT_CURSOR, WINDOW_CURSOR])


class SyncChoicesService:
    """Read and change one workspace's sync choices; ``apply`` publishes ``SyncChoicesChanged``."""

    def __init__(self, db: Database, connections: ConnectionManager, events: Events | None = None) -> None:
        self.db = db
        self.connections = connections
        self.events = events or Events()

    async def load(self, connection_id: int) -> SyncChoices:
        return await self.db.run(lambda s: _read(s, connection_id))

    async def colleagues(self, connection_id: int) -> list[Colleague]:
        """The org's active users synced to this computer (for the default assignee)."""
        rows = await self.db.run(lambda s: users.active(s, connection_id))
        return [Colleague(u.sf_id, u.name, u.email or "") for u in rows]

    async def apply(self, after: SyncChoices, *, note_type: str | None = None) -> SyncChoices:
        """Save ``after`` for the active connection (``note_type`` too, from the wizard); takes effect
        at once.  Raises ``NotConnected`` (no connection) or ``ValueError`` (a value out of range)
        before anything is saved."""
        connection = self.connections.active
        if connection is None:
            raise NotConnected(NOT_CONNECTED)
        cid = connection.connection_id
        if not 1 <= after.event_window_days <= sync_state.MAX_EVENT_WINDOW_DAYS:
            raise ValueError(f"the meetings window must be between 1 and {sync_state.MAX_EVENT_WINDOW_DAYS} days")
        if not 1 <= after.interval_minutes <= 24 * 60:
            raise ValueError("the sync interval must be between 1 minute and 24 hours")
        before = await self.load(cid)
        row_changes: dict[str, object] = {"client_object": after.client_object, "include_leads": after.include_leads}
        if note_type is not None:
            row_changes["note_type"] = note_type
        user_id = connection.user_id
        # One transaction: where clients live (the connection row) and the pull settings change together.
        await self.connections.update_preferences(along=lambda s: _write(s, cid, user_id, before, after),
                                                  **row_changes)
        saved = await self.load(cid)
        self.events.publish(SyncChoicesChanged(cid, before, saved))
        return saved
