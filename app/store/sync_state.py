"""Where each pull stands (``SyncCursor``), what each run did (``SyncLogEntry``), and pick-mode picks.

A cursor is saved in the same transaction as the page of records it follows (the sync engine
calls :func:`save_cursor` inside the function it hands to ``Database.run`` together with the
upsert), so after a crash the cursor never points past data that is not on disk, nor behind data
that is: a resumed pull neither skips nor duplicates records.

Cursor keys are free-form strings chosen by the engine ("Contact", "Contact:pick", "Event" …); the
store only keeps them per connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from app.store import settings
from app.store.models import Connection, SyncCursor, SyncLogEntry
from app.store.sync_steps import SyncStep
from app.store.types import utcnow

PICKED_KEY = "sync.picked_sf_ids"
MAX_PICKED = 5000
_MAX_LOGGED_IDS = 200
_MAX_MESSAGE = 2000


@dataclass(frozen=True, slots=True)
class CursorState:
    """A detached copy of one cursor row."""

    key: str
    phase: str
    last_modstamp: datetime | None
    last_id: str | None
    next_records_url: str | None
    record_offset: int | None
    updated_at: datetime


# --------------------------------------------------------------------------------------- cursors
def get_cursor(session: Session, connection_id: int, key: str) -> CursorState | None:
    row = _cursor_row(session, connection_id, key)
    return _state(row) if row is not None else None


def save_cursor(
    session: Session,
    connection_id: int,
    key: str,
    *,
    phase: str,
    last_modstamp: datetime | None,
    last_id: str | None,
    next_records_url: str | None = None,
    record_offset: int | None = None,
) -> None:
    """Create or replace the cursor ``key``.  Call it in the transaction that wrote the page."""
    if phase not in ("full", "incremental"):
        raise ValueError(f"unknown sync phase {phase!r}")
    row = _cursor_row(session, connection_id, key)
    if row is None:
        row = SyncCursor(connection_id=connection_id, object=key)
    row.phase = phase
    row.last_modstamp = last_modstamp
    row.last_id = last_id
    row.next_records_url = next_records_url
    row.record_offset = record_offset
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


def delete_cursors(session: Session, connection_id: int, keys: Sequence[str] | None = None) -> int:
    """Forget cursors (all of the connection's when ``keys`` is None): the next pull starts over."""
    stmt = delete(SyncCursor).where(col(SyncCursor.connection_id) == connection_id)
    if keys is not None:
        stmt = stmt.where(col(SyncCursor.object).in_(list(keys)))
    return int(session.exec(stmt).rowcount or 0)


def _cursor_row(session: Session, connection_id: int, key: str) -> SyncCursor | None:
    stmt = select(SyncCursor).where(col(SyncCursor.connection_id) == connection_id, col(SyncCursor.object) == key)
    return session.execute(stmt).scalars().first()


def _state(row: SyncCursor) -> CursorState:
    return CursorState(
        key=row.object, phase=row.phase, last_modstamp=row.last_modstamp, last_id=row.last_id,
        next_records_url=row.next_records_url, record_offset=row.record_offset, updated_at=row.updated_at,
    )


# ------------------------------------------------------------------------------------- sync log
def start_log(session: Session, connection_id: int, direction: str, object_: str | None = None,
              step: SyncStep | None = None) -> int:
    """Open a run's entry ("running"); ``step``: which step of the sync it is (the log filters by it)."""
    entry = SyncLogEntry(connection_id=connection_id, direction=direction, object=object_, outcome="running",
                         step=step.value if step is not None else None)
    session.add(entry)
    session.flush()
    assert entry.id is not None
    return entry.id


def finish_log(
    session: Session,
    log_id: int,
    *,
    outcome: str,
    api_calls: int,
    counts: Mapping[str, int],
    error_code: str | None = None,
    error_message: str | None = None,
    record_ids: Iterable[str] = (),
) -> None:
    """Close a run's entry.  ``record_ids`` are Salesforce Ids worth a look (skipped records);
    only Ids are kept — never field values, which could hold client details."""
    entry = session.get(SyncLogEntry, log_id)
    if entry is None:
        return
    entry.finished_at = utcnow()
    entry.outcome = outcome
    entry.api_calls = int(api_calls)
    entry.counts = {str(k): int(v) for k, v in counts.items()}
    entry.error_code = error_code
    entry.error_message = (error_message or None) and error_message[:_MAX_MESSAGE]
    entry.record_ids = list(record_ids)[:_MAX_LOGGED_IDS]
    session.add(entry)


def close_abandoned_logs(session: Session, connection_id: int) -> int:
    """Entries left "running" by a crash or kill: mark them so the log does not lie."""
    rows = session.execute(
        select(SyncLogEntry).where(
            col(SyncLogEntry.connection_id) == connection_id, col(SyncLogEntry.outcome) == "running"
        )
    ).scalars().all()
    for entry in rows:
        entry.outcome = "interrupted"
        entry.error_message = entry.error_message or "Notebridge stopped before this sync finished."
        session.add(entry)
    return len(rows)


# ------------------------------------------------------------------------------------ pick mode
def picked_ids(session: Session, connection_id: int) -> list[str]:
    """Salesforce Ids the advisor imported in pick mode (the only records pick mode updates)."""
    value: Any = settings.get(session, connection_id, PICKED_KEY)
    return [str(v) for v in value] if isinstance(value, list) else []


def add_picked(session: Session, connection_id: int, sf_ids: Iterable[str]) -> list[str]:
    current = picked_ids(session, connection_id)
    seen = set(current)
    for sf_id in sf_ids:
        if sf_id and sf_id not in seen:
            seen.add(sf_id)
            current.append(sf_id)
    if len(current) > MAX_PICKED:
        raise ValueError(f"pick mode keeps at most {MAX_PICKED:,} records; switch to syncing all clients")
    settings.put(session, connection_id, PICKED_KEY, current)
    return current


# -------------------------------------------------------------------------- pull preferences
PULL_SETTINGS_KEY = "sync.pull"
DEFAULT_INTERVAL_MINUTES = 15
DEFAULT_EVENT_WINDOW_DAYS = 90
MAX_EVENT_WINDOW_DAYS = 730


@dataclass(frozen=True, slots=True)
class PullSettings:
    """The pull's per-connection choices (where clients live comes from the connection row)."""

    client_object: str = "Contact"
    include_leads: bool = False
    contacts_enabled: bool = True
    pick_mode: bool = False
    include_events: bool = True
    event_window_days: int = DEFAULT_EVENT_WINDOW_DAYS  # meetings this many days back and ahead
    interval_minutes: int = DEFAULT_INTERVAL_MINUTES
    record_scope: str = "all"  # "all" | "mine" (records the signed-in user owns) | "pick"
    user_id: str | None = None  # the signed-in Salesforce user (the owner "mine" means)


RECORD_SCOPE_KEY = "sync.record_scope"  # written by the wizard's Preferences page
_PULL_FLAGS = ("contacts_enabled", "pick_mode", "include_events")


def pull_settings(session: Session, connection_id: int) -> PullSettings:
    connection = session.get(Connection, connection_id)
    value = settings.get(session, connection_id, PULL_SETTINGS_KEY)
    stored: dict[str, Any] = value if isinstance(value, dict) else {}
    defaults = PullSettings()
    interval = stored.get("interval_minutes", defaults.interval_minutes)
    window = stored.get("event_window_days", defaults.event_window_days)
    scope = settings.get(session, connection_id, RECORD_SCOPE_KEY)
    scope = scope if scope in ("all", "mine", "pick") else "all"
    return PullSettings(
        client_object=connection.client_object if connection else defaults.client_object,
        include_leads=bool(connection.include_leads) if connection else defaults.include_leads,
        contacts_enabled=bool(stored.get("contacts_enabled", defaults.contacts_enabled)),
        pick_mode=bool(stored.get("pick_mode", defaults.pick_mode)),
        include_events=bool(stored.get("include_events", defaults.include_events)),
        event_window_days=window if _valid_window(window) else defaults.event_window_days,
        interval_minutes=int(interval) if isinstance(interval, int) and interval > 0 else defaults.interval_minutes,
        record_scope=str(scope),
        user_id=connection.user_id if connection else None,
    )


def set_pull_settings(session: Session, connection_id: int, **changes: Any) -> PullSettings:
    """Change the toggle, pick mode, meetings, their window or the interval (``client_object``/
    ``include_leads`` belong to the connection row and are changed through the connection's preferences)."""
    allowed = {*_PULL_FLAGS, "interval_minutes", "event_window_days"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown pull settings: {sorted(unknown)}")
    if "interval_minutes" in changes:
        minutes = changes["interval_minutes"]
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 24 * 60:
            raise ValueError("the sync interval must be between 1 minute and 24 hours")
    if "event_window_days" in changes and not _valid_window(changes["event_window_days"]):
        raise ValueError(f"the meetings window must be between 1 and {MAX_EVENT_WINDOW_DAYS} days")
    value = settings.get(session, connection_id, PULL_SETTINGS_KEY)
    stored = dict(value) if isinstance(value, dict) else {}
    stored.update({k: (bool(v) if k in _PULL_FLAGS else v) for k, v in changes.items()})
    settings.put(session, connection_id, PULL_SETTINGS_KEY, stored)
    return pull_settings(session, connection_id)


def _valid_window(days: object) -> bool:
    return isinstance(days, int) and not isinstance(days, bool) and 1 <= days <= MAX_EVENT_WINDOW_DAYS
