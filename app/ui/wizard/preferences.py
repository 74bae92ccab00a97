"""The choices made on the Preferences page, their defaults, and where they are saved.

They are saved by the one use case Settings → Sync also uses (``app.services.sync_choices``), so the
wizard and Settings can never write them differently. Kept free of Qt so the rules (defaults, what
the org allows) are tested on their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from app.services.sync_choices import RecordScope, SyncChoices, SyncChoicesService

if TYPE_CHECKING:
    from app.services.events import Events
    from app.services.workspace import Database
    from app.sync.connection import ConnectionManager, OrgConnection

NOTE_TYPES = ("ContentNote", "Note")
CLIENT_OBJECTS = ("Contact", "Account")
RECORD_SCOPES = ("all", "mine", "pick")
SYNC_INTERVALS = (15, 30, 60, 240, 1440)  # minutes

# Per-connection settings the wizard writes besides the pull settings (``sync_state.PullSettings``):
# which records ("mine" narrows the pull to the advisor's own records) and the default task owner.
SETTING_SCOPE = "sync.record_scope"
SETTING_TASK_ASSIGNEE = "tasks.default_owner_id"


@dataclass(frozen=True)
class Preferences:
    note_type: str = "ContentNote"
    client_object: str = "Contact"
    include_leads: bool = False
    contact_sync: bool = True
    sync_interval_minutes: int = 30
    record_scope: str = "all"
    task_assignee_id: str | None = None  # None: the advisor (the signed-in user)

    @classmethod
    def from_draft(cls, values: Mapping[str, Any]) -> Preferences:
        """Tolerant of missing or stale values: anything not allowed falls back to the default."""
        d = cls()

        def pick(name: str, allowed: tuple[Any, ...], default: Any) -> Any:
            value = values.get(name, default)
            return value if value in allowed else default

        interval = values.get("sync_interval_minutes", d.sync_interval_minutes)
        assignee = values.get("task_assignee_id")
        return cls(
            note_type=pick("note_type", NOTE_TYPES, d.note_type),
            client_object=pick("client_object", CLIENT_OBJECTS, d.client_object),
            include_leads=values.get("include_leads") is True,
            contact_sync=values.get("contact_sync", d.contact_sync) is not False,
            sync_interval_minutes=interval if interval in SYNC_INTERVALS else d.sync_interval_minutes,
            record_scope=pick("record_scope", RECORD_SCOPES, d.record_scope),
            task_assignee_id=assignee if isinstance(assignee, str) and assignee else None,
        )

    def as_draft(self) -> dict[str, Any]:
        return asdict(self)


def content_note_support(global_describe: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether Enhanced Notes can be created in this org, and if not, why (for the disabled option).

    ContentNote appears in the global describe, createable, only when Notes (enhanced notes) is
    turned on: https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentnote.htm
    """
    sobjects = global_describe.get("sobjects")
    if not isinstance(sobjects, list):
        return True, ""  # an unreadable answer: do not take a choice away on a guess
    for entry in sobjects:
        if isinstance(entry, Mapping) and entry.get("name") == "ContentNote":
            if entry.get("createable") is True:
                return True, ""
            return False, ("Your Salesforce user can't create Enhanced Notes in this org. Ask your admin to "
                           "turn on Notes (Setup → Notes Settings) or give you access to them.")
    return False, ("Enhanced Notes are turned off in this org. Your admin can turn them on in "
                   "Setup → Notes Settings; until then, notes are saved as classic Notes.")


def as_sync_choices(chosen: Preferences, current: SyncChoices) -> SyncChoices:
    """The page's choices over what is saved (the meetings window, which the page does not show)."""
    return current.with_changes(
        client_object=chosen.client_object, include_leads=chosen.include_leads,
        record_scope=RecordScope.MINE if chosen.record_scope == "mine" else RecordScope.ALL,
        pick_mode=chosen.record_scope == "pick", contacts_enabled=chosen.contact_sync,
        interval_minutes=chosen.sync_interval_minutes, default_assignee_id=chosen.task_assignee_id,
    )


async def save(db: Database, connections: ConnectionManager, chosen: Preferences,
               events: Events | None = None) -> OrgConnection:
    """Save through ``SyncChoicesService.apply``: the same path as Settings → Sync."""
    service = SyncChoicesService(db, connections, events)
    active = connections.active
    if active is None:
        raise LookupError("no connection to save the preferences for")
    current = await service.load(active.connection_id)
    await service.apply(as_sync_choices(chosen, current), note_type=chosen.note_type)
    assert connections.active is not None
    return connections.active
