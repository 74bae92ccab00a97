""""Change sync settings": what to push and how, who new people become, and what the pull brings.

The push rule that used to live in the Settings page lives here: turning a kind of item back on, or
lowering the API reserve, releases the items the push engine held for that reason, so they go with
the next push instead of waiting for their retry time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.services.events import (
    Events,
    HeldItemsReleased,
    ItemStateChanged,
    ProspectSettingsChanged,
    PushSettingsChanged,
)
from app.store import outbox_holds, sync_state
from app.store.kinds import ItemKind
from app.store.sync_state import PullSettings
from app.sync.push import preferences as prefs_mod
from app.sync.push import prepare as prepare_push
from app.sync.push.base import UnmatchedEmail
from app.sync.push.kinds.email_client import NO_CLIENT_CODE
from app.sync.push.preferences import (  # the forms' choices and rules, re-exported for the screens
    ACTIVITY_KINDS,
    ATTACH_CHOICES,
    AUTO_PUSH_DELAYS,
    LEAD_SOURCE_MAX,
    NOTE_TYPES,
    RESERVE_RANGE,
    ProspectPreferences,
    PushPreferences,
    activity_template,
    check_template,
    default_template,
    explain,
    lead_source_problem,
    placeholders,
)

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

__all__ = [
    "ACTIVITY_KINDS",
    "ATTACH_CHOICES",
    "AUTO_PUSH_DELAYS",
    "BUDGET_CODE",
    "HELD_CODE",
    "LEAD_SOURCE_MAX",
    "NOTE_TYPES",
    "NO_CLIENT_CODE",
    "RESERVE_RANGE",
    "ProspectPreferences",
    "PullSettings",
    "PushPreferences",
    "SendingSettings",
    "SyncSettings",
    "UnmatchedEmail",
    "activity_template",
    "check_template",
    "default_template",
    "explain",
    "lead_source_problem",
    "placeholders",
]

BUDGET_CODE = "API_BUDGET"  # what the push engine records on items the API reserve held back
HELD_CODE = prepare_push.HELD_CODE  # … and on items of a kind the advisor turned off


@dataclass(frozen=True)
class SendingSettings:
    """Everything the Settings page shows for one connection."""

    push: PushPreferences
    prospects: ProspectPreferences
    pull: PullSettings


def items_to_release(before: PushPreferences, after: PushPreferences) -> tuple[tuple[ItemKind, ...], bool]:
    """Which held kinds go now (turned back on), and whether budget holds go (a smaller reserve)."""
    switches = [(ItemKind.NOTE, before.push_notes, after.push_notes),
                (ItemKind.TASK, before.push_tasks, after.push_tasks),
                *((kind, before.sends(kind), after.sends(kind)) for kind in ACTIVITY_KINDS)]
    kinds = tuple(kind for kind, was, now in switches if now and not was)
    return kinds, after.api_reserve_percent < before.api_reserve_percent


class SyncSettings:
    """Read and change one workspace's sync settings; publishes what changed on ``events``."""

    def __init__(self, db: Database, events: Events | None = None) -> None:
        self.db = db
        self.events = events or Events()

    async def load(self, connection_id: int) -> SendingSettings:
        push = await prefs_mod.load(self.db, connection_id)
        prospects = await prefs_mod.load_prospects(self.db, connection_id)
        return SendingSettings(push, prospects, await self.pull(connection_id))

    async def pull(self, connection_id: int) -> PullSettings:
        return await self.db.run(lambda s: sync_state.pull_settings(s, connection_id))

    async def push(self, connection_id: int) -> PushPreferences:
        return await prefs_mod.load(self.db, connection_id)

    async def prospects(self, connection_id: int) -> ProspectPreferences:
        return await prefs_mod.load_prospects(self.db, connection_id)

    async def change_push(self, connections: ConnectionManager, before: PushPreferences,
                          prefs: PushPreferences) -> PushPreferences:
        """Save ``prefs`` for the active connection and release what the change frees.

        Raises ``ValueError`` (invalid) or ``LookupError`` (no connection) before anything is saved.
        """
        saved = await prefs_mod.save(self.db, connections, prefs)
        active = connections.active
        if active is not None:
            kinds, budget = items_to_release(before, prefs)
            if kinds:  # turned back on: what waited for it goes now
                await self.release_held(active.connection_id, HELD_CODE, kinds)
            if budget:  # a smaller reserve: try again now
                await self.release_held(active.connection_id, BUDGET_CODE)
            if prefs.unmatched_email != before.unmatched_email:  # emails about no one: a Lead may be made now
                await self.release_held(active.connection_id, NO_CLIENT_CODE, (ItemKind.EMAIL,))
            self.events.publish(PushSettingsChanged(active.connection_id, saved))
        return saved

    async def change_prospects(self, connection_id: int, prefs: ProspectPreferences) -> ProspectPreferences:
        """Save who new people become; raises ``ValueError`` with the advisor's words when invalid."""
        saved = await prefs_mod.save_prospects(self.db, connection_id, prefs)
        self.events.publish(ProspectSettingsChanged(connection_id, saved))
        return saved

    async def release_held(self, connection_id: int, reason: str, kinds: tuple[ItemKind, ...] | None = None) -> int:
        """Make the items held for ``reason`` (of ``kinds``, or all) due now; returns how many."""
        count = await self.db.run(lambda s: outbox_holds.release(s, connection_id, reason, kinds))
        if count:
            self.events.publish(HeldItemsReleased(connection_id, reason, count))
            for kind in kinds or (ItemKind.NOTE, ItemKind.TASK):
                self.events.publish(ItemStateChanged(connection_id, kind, None, "queued"))
        return count
