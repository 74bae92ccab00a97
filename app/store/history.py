"""Each client's Salesforce history: writes from the history pull, reads for the timeline.

A row is one (Salesforce record, client) pair, so a note linked to two people shows under both and
deleting one link removes it from one timeline only.  What the pull asks for is decided here, next
to the data: a client's *targets* are its own Id plus the Ids of leads converted into it (their
history shows under the contact they became), and its account's Id for opportunities.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, select, tuple_, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.store.history_models import HistoryItem, HistoryState
from app.store.models import ActivityDraft, Contact, Event, Note, Task
from app.store.tables import table_of
from app.store.types import utcnow

_ITEMS = table_of(HistoryItem)
_STATES = table_of(HistoryState)
_CONTACTS = table_of(Contact)
_MAX_IN_LIST = 500


class HistoryKind(StrEnum):
    """What a timeline row is; stored as text, so the values never change."""

    CONTENT_NOTE = "content_note"
    NOTE = "note"
    TASK = "task"
    CALL = "call"  # a Task with TaskSubtype "Call" (a logged call)
    EMAIL = "email"  # a Task with TaskSubtype "Email" (a logged email)
    EVENT = "event"
    OPPORTUNITY = "opportunity"


@dataclass(frozen=True, slots=True)
class HistoryRow:
    id: int
    sf_id: str
    client_sf_id: str
    kind: HistoryKind
    title: str
    preview: str
    has_body: bool
    occurs_at: datetime | None
    due_date: date | None
    status: str | None
    is_closed: bool
    is_archived: bool
    amount: float | None
    owner_id: str | None


@dataclass(frozen=True, slots=True)
class Targets:
    """What to ask Salesforce for, for one client: who the activities hang on, and the account."""

    client_sf_id: str
    people: tuple[str, ...]  # the client and the leads converted into it
    account_sf_id: str | None


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _MAX_IN_LIST):
        yield list(values[start : start + _MAX_IN_LIST])


# ------------------------------------------------------------------------------------ targets
def targets(session: Session, connection_id: int, client_sf_ids: Sequence[str]) -> list[Targets]:
    """The pull's targets for these clients (unknown Ids are still asked for, on their own)."""
    ids = list(dict.fromkeys(client_sf_ids))
    accounts: dict[str, str | None] = {}
    converted: dict[str, list[str]] = {}
    for chunk in _chunks(ids):
        for sf_id, account in session.execute(
            select(_CONTACTS.c.sf_id, _CONTACTS.c.account_sf_id)
            .where(_CONTACTS.c.connection_id == connection_id, _CONTACTS.c.sf_id.in_(chunk))
        ):
            accounts[sf_id] = account
        for lead, contact in session.execute(
            select(_CONTACTS.c.sf_id, _CONTACTS.c.converted_contact_id)
            .where(_CONTACTS.c.connection_id == connection_id, _CONTACTS.c.converted_contact_id.in_(chunk))
        ):
            converted.setdefault(contact, []).append(lead)
    return [Targets(i, (i, *sorted(converted.get(i, ()))), accounts.get(i)) for i in ids]


def owned_and_meeting_clients(session: Session, connection_id: int, *, owner_id: str | None,
                              meeting_from: datetime, meeting_to: datetime, limit: int = 20_000) -> list[str]:
    """Clients with a meeting in [from, to] (by Who or What), then clients ``owner_id`` owns."""
    events = table_of(Event)
    meeting_ids = session.execute(
        select(events.c.who_id, events.c.what_id).where(
            events.c.connection_id == connection_id, ~events.c.is_deleted,
            events.c.start_at >= meeting_from, events.c.start_at <= meeting_to)
    ).all()
    wanted = [i for pair in meeting_ids for i in pair if i]
    live = select(_CONTACTS.c.sf_id).where(_CONTACTS.c.connection_id == connection_id, ~_CONTACTS.c.is_deleted)
    found: list[str] = []
    for chunk in _chunks(list(dict.fromkeys(wanted))):
        found += [r[0] for r in session.execute(live.where(_CONTACTS.c.sf_id.in_(chunk)))]
    if owner_id:
        found += [r[0] for r in session.execute(
            live.where(_CONTACTS.c.owner_id == owner_id, _CONTACTS.c.source_object != "Lead")
            .order_by(_CONTACTS.c.id).limit(limit))]
    return list(dict.fromkeys(found))[:limit]


# ------------------------------------------------------------------------------------- writes
def upsert(session: Session, connection_id: int, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert or update by (record, client).  A stored body is kept while the record is unchanged
    (same ``SystemModstamp``) and dropped when it changed, so an edited note is fetched again."""
    if not rows:
        return 0
    now = utcnow()
    params = [{**row, "connection_id": connection_id, "updated_at": now, "is_deleted": False} for row in rows]
    stmt = sqlite_insert(_ITEMS)
    keys = sorted(set(params[0]) - {"connection_id", "sf_id", "client_sf_id"})
    changes: dict[str, Any] = {k: stmt.excluded[k] for k in keys}
    if "body" in changes:
        changes["body"] = case(
            (and_(_ITEMS.c.system_modstamp == stmt.excluded.system_modstamp, stmt.excluded.body.is_(None)),
             _ITEMS.c.body),
            else_=stmt.excluded.body)
    session.execute(stmt.on_conflict_do_update(index_elements=["connection_id", "sf_id", "client_sf_id"],
                                               set_=changes), params)
    return len(params)


def mark_deleted(session: Session, connection_id: int, sf_ids: Iterable[str]) -> int:
    changed = 0
    for chunk in _chunks(sorted(set(sf_ids))):
        changed += session.exec(
            update(_ITEMS).where(_ITEMS.c.connection_id == connection_id, _ITEMS.c.sf_id.in_(chunk),
                                 ~_ITEMS.c.is_deleted)
            .values(is_deleted=True, updated_at=utcnow())
        ).rowcount
    return changed


def retire_other_clients(session: Session, connection_id: int, pairs: Sequence[tuple[str, str]]) -> None:
    """A task, meeting or note has one person: its rows under anyone else are stale (it moved)."""
    owner = dict(pairs)
    for chunk in _chunks(sorted(owner)):
        stale = [(r[0], r[1]) for r in session.execute(
            select(_ITEMS.c.sf_id, _ITEMS.c.client_sf_id).where(
                _ITEMS.c.connection_id == connection_id, _ITEMS.c.sf_id.in_(chunk), ~_ITEMS.c.is_deleted))
            if owner[r[0]] != r[1]]
        if stale:
            session.execute(update(_ITEMS).where(
                _ITEMS.c.connection_id == connection_id, tuple_(_ITEMS.c.sf_id, _ITEMS.c.client_sf_id).in_(stale))
                .values(is_deleted=True, updated_at=utcnow()))


def sweep_unlinked_notes(session: Session, connection_id: int, client_sf_ids: Sequence[str],
                         live: set[tuple[str, str]]) -> int:
    """ContentNotes of these clients whose link is gone (note deleted or unshared): off the timeline."""
    gone: list[tuple[str, str]] = []
    for chunk in _chunks(list(client_sf_ids)):
        gone += [(r[0], r[1]) for r in session.execute(
            select(_ITEMS.c.sf_id, _ITEMS.c.client_sf_id).where(
                _ITEMS.c.connection_id == connection_id, _ITEMS.c.kind == HistoryKind.CONTENT_NOTE,
                _ITEMS.c.client_sf_id.in_(chunk), ~_ITEMS.c.is_deleted))
            if (r[0], r[1]) not in live]
    for start in range(0, len(gone), _MAX_IN_LIST):
        session.execute(update(_ITEMS).where(
            _ITEMS.c.connection_id == connection_id,
            tuple_(_ITEMS.c.sf_id, _ITEMS.c.client_sf_id).in_(gone[start : start + _MAX_IN_LIST]))
            .values(is_deleted=True, updated_at=utcnow()))
    return len(gone)


def set_body(session: Session, connection_id: int, sf_id: str, body: str) -> None:
    session.execute(update(_ITEMS).where(_ITEMS.c.connection_id == connection_id, _ITEMS.c.sf_id == sf_id)
                    .values(body=body))


def save_states(session: Session, connection_id: int, client_sf_ids: Sequence[str], as_of: datetime,
                last_modstamp: datetime | None) -> None:
    if not client_sf_ids:
        return
    stmt = sqlite_insert(_STATES)
    stmt = stmt.on_conflict_do_update(
        index_elements=["connection_id", "client_sf_id"],
        set_={"as_of": stmt.excluded.as_of,
              "last_modstamp": func.coalesce(stmt.excluded.last_modstamp, _STATES.c.last_modstamp)})
    session.execute(stmt, [{"connection_id": connection_id, "client_sf_id": i, "as_of": as_of,
                            "last_modstamp": last_modstamp} for i in client_sf_ids])


# -------------------------------------------------------------------------------------- reads
def states(session: Session, connection_id: int, client_sf_ids: Sequence[str]
           ) -> dict[str, tuple[datetime, datetime | None]]:
    """(as_of, last_modstamp) of each client whose history was ever fetched."""
    found: dict[str, tuple[datetime, datetime | None]] = {}
    for chunk in _chunks(list(client_sf_ids)):
        for client, as_of, modstamp in session.execute(
            select(_STATES.c.client_sf_id, _STATES.c.as_of, _STATES.c.last_modstamp)
            .where(_STATES.c.connection_id == connection_id, _STATES.c.client_sf_id.in_(chunk))
        ):
            found[client] = (as_of, modstamp)
    return found


def count_clients(session: Session, connection_id: int) -> int:
    """How many clients have history on this computer (the Settings page says so)."""
    return int(session.execute(select(func.count()).select_from(_STATES)
                               .where(_STATES.c.connection_id == connection_id)).scalar_one())


def for_clients(session: Session, connection_id: int, sf_ids: Sequence[str]) -> list[HistoryRow]:
    """The live history rows hanging on any of these Ids (a client, its converted leads, its account);
    one row per record even when several of the Ids share it."""
    ids = [i for i in dict.fromkeys(sf_ids) if i][:_MAX_IN_LIST]
    if not ids:
        return []
    c = _ITEMS.c
    result = session.execute(
        select(c.id, c.sf_id, c.client_sf_id, c.kind, c.title, c.preview, c.body.is_not(None), c.occurs_at,
               c.due_date, c.status, c.is_closed, c.is_archived, c.amount, c.owner_id)
        .where(c.connection_id == connection_id, c.client_sf_id.in_(ids), ~c.is_deleted)
        .order_by(c.id))
    rows: dict[str, HistoryRow] = {}
    for r in result:
        if r[1] not in rows:
            rows[r[1]] = HistoryRow(r[0], r[1], r[2], HistoryKind(r[3]), r[4], r[5], bool(r[6]), r[7], r[8], r[9],
                                    bool(r[10]), bool(r[11]), r[12], r[13])
    return list(rows.values())


def deleted_ids(session: Session, connection_id: int, sf_ids: Iterable[str]) -> set[str]:
    """Of these Salesforce Ids, the records the history pull saw deleted (no live row left under any
    client): what Notebridge pushed and someone then deleted in Salesforce."""
    found: set[str] = set()
    for chunk in _chunks(sorted({i for i in sf_ids if i})):
        live: dict[str, bool] = {}
        for sf_id, deleted in session.execute(select(_ITEMS.c.sf_id, _ITEMS.c.is_deleted).where(
                _ITEMS.c.connection_id == connection_id, _ITEMS.c.sf_id.in_(chunk))):
            live[sf_id] = live.get(sf_id, False) or not deleted
        found |= {sf_id for sf_id, alive in live.items() if not alive}
    return found


def body_of(session: Session, connection_id: int, row_id: int
            ) -> tuple[HistoryKind, str, str | None, str] | None:
    """(kind, sf_id, whole text or None when not fetched yet, title) of one row."""
    found = session.execute(select(_ITEMS.c.kind, _ITEMS.c.sf_id, _ITEMS.c.body, _ITEMS.c.title).where(
        _ITEMS.c.connection_id == connection_id, _ITEMS.c.id == row_id)).first()
    if found is None:
        return None
    return HistoryKind(found[0]), found[1], found[2], found[3]


def clients_of(session: Session, connection_id: int, sf_id: str) -> list[str]:
    """The clients a record hangs on."""
    return [r[0] for r in session.execute(select(_ITEMS.c.client_sf_id).where(
        _ITEMS.c.connection_id == connection_id, _ITEMS.c.sf_id == sf_id))]


def notes_without_body(session: Session, connection_id: int, client_sf_ids: Sequence[str]) -> list[str]:
    ids = list(client_sf_ids)[:_MAX_IN_LIST]
    return sorted({r[0] for r in session.execute(select(_ITEMS.c.sf_id).where(
        _ITEMS.c.connection_id == connection_id, _ITEMS.c.client_sf_id.in_(ids), ~_ITEMS.c.is_deleted,
        _ITEMS.c.kind == HistoryKind.CONTENT_NOTE, _ITEMS.c.body.is_(None)))})


def pushed_ids(session: Session, connection_id: int) -> set[str]:
    """Salesforce Ids of the notes, tasks and activities Notebridge itself pushed (their ``remote_id``)."""
    found: set[str] = set()
    for model in (Note, Task, ActivityDraft):
        table = table_of(model)
        found |= {r[0] for r in session.execute(select(table.c.remote_id).where(
            table.c.connection_id == connection_id, table.c.remote_id.is_not(None)))}
    return found
