"""Inputs and outputs of the pull: what to sync (preferences) and what happened (result)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from app.sync.pull.field_map import FieldMapping
from app.sync.pull.filters import ObjectFilter


class Outcome(StrEnum):
    """How a pull ended (the sync log keeps the value as text)."""

    OK = "ok"
    PARTIAL = "partial"  # done, but some records were skipped (named in the log)
    CANCELLED = "cancelled"
    LIMIT = "limit"  # the org's daily API allowance is used up
    BUSY = "busy"  # the org's concurrent long-request limit: tried again in a minute
    OFFLINE = "offline"
    NEEDS_ATTENTION = "needs_attention"  # signed out or access refused
    SESSION_POLICY = "session_policy"  # the app's session policy in the org refuses the REST API: an admin fixes it
    FAILED = "failed"
    OFF = "off"  # client sync is turned off
CLIENT_OBJECTS = ("Contact", "Account")


@dataclass(frozen=True)
class PullPreferences:
    """What the advisor chose in the wizard and in Settings.

    ``contacts_enabled`` is the contact sync toggle: off keeps every synced person but stops
    updating them.  ``pick_mode`` syncs only the records imported from a Salesforce search.
    """

    client_object: str = "Contact"
    include_leads: bool = False
    contacts_enabled: bool = True
    pick_mode: bool = False
    include_events: bool = True
    event_window_days: int = 90  # meetings this many days back and ahead (Settings → Sync)
    include_users: bool = True
    owner_id: str | None = None  # "only my records": people owned by this Salesforce user
    # The org's Task Status/Priority values and defaults, re-read each sync (two small queries) so the
    # task editor's dropdowns are filled before the first push. The scheduler and the first sync turn
    # it on (``preferences_from``); engine-level callers that only want people leave it off.
    include_task_picklists: bool = False
    # Households beyond a Contact's own Account (AccountContactRelation, where the org has it: one cached
    # global describe per client). Turned on like the picklists; engine-level callers leave it off.
    include_households: bool = False
    # Filter rules per synced object (Settings → Sync → What to sync; app.sync.pull.filters), and the
    # signed-in user the rules about "me" mean (owner_id when only my records sync).
    filters: tuple[ObjectFilter, ...] = ()
    field_mappings: tuple[FieldMapping, ...] = ()  # Settings → Sync → Fields (app.sync.pull.field_map)
    user_id: str | None = None

    def __post_init__(self) -> None:
        if self.client_object not in CLIENT_OBJECTS:
            raise ValueError(f"client_object must be one of {CLIENT_OBJECTS}, not {self.client_object!r}")

    @property
    def people_objects(self) -> tuple[str, ...]:
        return (self.client_object, "Lead") if self.include_leads else (self.client_object,)


@dataclass(frozen=True)
class SkippedRecord:
    """A record the pull could not store (malformed); kept in the sync log by Id only."""

    object: str
    sf_id: str | None
    reason: str


@dataclass(frozen=True)
class PullResult:
    outcome: Outcome
    message: str
    api_calls: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    skipped: tuple[SkippedRecord, ...] = ()
    retry_at: datetime | None = None
    error_code: str | None = None
    log_id: int | None = None
    api_usage: tuple[int, int] | None = None  # the org's (used, max) daily API requests after the run

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.OK, Outcome.PARTIAL, Outcome.OFF)


@dataclass(frozen=True)
class RemoteMatch:
    """One Salesforce search result in pick mode."""

    sf_id: str
    object: str
    name: str
    email: str | None
    phone: str | None
    detail: str | None  # account / company and city, for telling two namesakes apart
    in_workspace: bool
