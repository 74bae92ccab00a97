"""The outbox: every write Notebridge owes Salesforce, durable across crashes.

One ``outbox_item`` row per push request of a note or task.  Its ``key`` is generated when the row is
created — before the first attempt — and the exact payload plus ``sent_at`` are committed in the
transaction that marks it ``sending`` (:func:`mark_sending`), *before* the request leaves.  So after
any crash or lost response the engine knows precisely which creates may have reached Salesforce and
what to look for (:func:`unknown_outcomes`).

Outbox states: ``queued`` → ``sending`` → ``pushed`` | ``failed`` (needs attention) | ``waiting``
(offline, budget, signed out; ``next_try_at`` says when).  The note/task row mirrors them in its
``state`` (``failed`` shows as ``needs_attention``).

Rows are read and written through the model's Core table (``models.OutboxItem``, the one description
of it): plain statements, and rows come back as :class:`OutboxRow` values, never ORM objects.

This module takes and settles rows; what the Outbox page and the push loop read to show and to wake
(counts, lines, the next retry time) is in :mod:`app.store.outbox_views`, batch writes in
:mod:`app.store.outbox_bulk`, the advisor's decisions in :mod:`app.store.outbox_decisions`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session, col

from app.store import activities as activities_repo
from app.store import notes as notes_repo
from app.store import tasks as tasks_repo
from app.store import workspace_lock
from app.store.activities import ActivityDraftValue
from app.store.draft_models import DRAFT_MODELS, DraftModel, get_draft
from app.store.kinds import DraftTable, ItemKind, draft_table, is_note
from app.store.models import ActivityDraft, Contact, Note, OutboxItem, Task
from app.store.notes import NoteDraft
from app.store.tables import table_of
from app.store.tasks import TaskDraft
from app.store.types import utcnow

ACTIVE_STATES = ("queued", "sending", "waiting", "failed")
_Draft = TypeVar("_Draft", Note, Task, ActivityDraft)
T = table_of(OutboxItem)  # the model is the one description of the table
_COLUMNS = [c.name for c in T.columns]


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    key: str
    connection_id: int
    kind: ItemKind
    item_id: int
    operation: str
    state: str
    attempts: int
    next_try_at: datetime | None
    last_error_code: str | None
    last_error_message: str | None
    last_error_hint: str | None
    remote_id: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    sent_payload: Any
    link_id: str | None
    conflict: Any
    notice: str | None

    @property
    def outcome_unknown(self) -> bool:
        """A create was sent and we never learned whether Salesforce saved it."""
        return self.sent_at is not None and not self.remote_id and self.operation == "create"


@dataclass(frozen=True, slots=True)
class Person:
    """What the push needs to know about the note's/task's client."""

    sf_id: str
    name: str
    source_object: str
    is_deleted: bool
    is_converted: bool
    converted_contact_id: str | None
    converted_account_id: str | None


@dataclass(frozen=True, slots=True)
class PushWork:
    outbox: OutboxRow
    note: NoteDraft | None = None
    task: TaskDraft | None = None
    person: Person | None = None
    activity: ActivityDraftValue | None = None  # a call, a meeting … (app.store.activities)

    @property
    def item(self) -> NoteDraft | TaskDraft | ActivityDraftValue:
        item = self.note if self.note is not None else self.task if self.task is not None else self.activity
        assert item is not None
        return item


def row_of(values: Any) -> OutboxRow:
    row = dict(zip(_COLUMNS, values, strict=True))
    row["kind"] = ItemKind(row["kind"])
    return OutboxRow(**row)


def get(session: Session, outbox_id: int) -> OutboxRow | None:
    found = session.execute(select(*T.columns).where(T.c.id == outbox_id)).first()
    return row_of(found) if found else None


def active_for(session: Session, kind: ItemKind, item_id: int) -> OutboxRow | None:
    found = session.execute(
        select(*T.columns).where(T.c.kind == kind, T.c.item_id == item_id, T.c.state.in_(ACTIVE_STATES))
        .order_by(T.c.id.desc())
    ).first()
    return row_of(found) if found else None


def draft_of(session: Session, kind: ItemKind, item_id: int) -> DraftModel:
    item = get_draft(session, kind, item_id)
    if item is None:
        raise LookupError(f"{kind} {item_id} does not exist")
    return item


def set_draft_state(session: Session, kind: ItemKind, item_id: int, state: str, **extra: Any) -> None:
    item = draft_of(session, kind, item_id)
    item.state = state
    for name, value in extra.items():
        setattr(item, name, value)
    session.add(item)


def enqueue(session: Session, kind: ItemKind, item_id: int, *, now: datetime | None = None) -> OutboxRow:
    """Ask for a note/task to be pushed.  Re-pushing an item already in the outbox re-queues that row
    (keeping its key and any unknown-outcome record); otherwise a new row with a fresh key is added.
    An item that already has a Salesforce record is pushed as an update of it."""
    now = now or utcnow()
    item = draft_of(session, kind, item_id)
    existing = active_for(session, kind, item_id)
    if existing is not None:
        if existing.state in ("failed", "waiting"):
            session.execute(update(T).where(T.c.id == existing.id).values(
                state="queued", next_try_at=None, last_error_code=None, last_error_message=None,
                last_error_hint=None, conflict=None, updated_at=now))
            set_draft_state(session, kind, item_id, "queued")
        found = get(session, existing.id)
        assert found is not None
        return found
    operation = "update" if item.remote_id else "create"
    result = session.exec(T.insert().values(
        key=str(uuid.uuid4()), connection_id=item.connection_id, kind=kind, item_id=item_id, operation=operation,
        state="queued", attempts=0, remote_id=item.remote_id, created_at=now, updated_at=now))
    set_draft_state(session, kind, item_id, "queued")
    found = get(session, int(result.lastrowid))
    assert found is not None
    return found


def enqueue_many(session: Session, kind: ItemKind, item_ids: Iterable[int]) -> list[OutboxRow]:
    now = utcnow()
    return [enqueue(session, kind, item_id, now=now) for item_id in item_ids]


def _person(contact: Contact) -> Person:
    return Person(contact.sf_id, contact.name, contact.source_object, contact.is_deleted, contact.is_converted,
                  contact.converted_contact_id, contact.converted_account_id)


def person_of(session: Session, connection_id: int, sf_id: str | None) -> Person | None:
    if not sf_id:
        return None
    contact = session.execute(
        select(Contact).where(col(Contact.connection_id) == connection_id, col(Contact.sf_id) == sf_id)
    ).scalars().first()
    return _person(contact) if contact is not None else None


def due(
    session: Session, connection_id: int, now: datetime, *, outbox_ids: Sequence[int] | None = None,
    limit: int | None = None,
) -> list[PushWork]:
    """What a push run should work on, oldest first.

    Queued items, waiting items whose time has come, and items left ``sending`` (a crash mid-push).
    ``outbox_ids`` ("push this one now") also takes waiting items before their time.
    Only the workspace's writer process may take rows (:func:`workspace_lock.require_writer`).
    """
    workspace_lock.require_writer(session)
    query = select(*T.columns).where(T.c.connection_id == connection_id)
    if outbox_ids is not None:
        query = query.where(T.c.id.in_(list(outbox_ids)), T.c.state.in_(("queued", "sending", "waiting")))
    else:
        query = query.where(or_(
            T.c.state.in_(("queued", "sending")),
            and_(T.c.state == "waiting", or_(T.c.next_try_at.is_(None), T.c.next_try_at <= now)),
        ))
    query = query.order_by(T.c.id)
    if limit is not None:
        query = query.limit(limit)
    return _works(session, connection_id, [row_of(found) for found in session.execute(query).all()])


_IN_CHUNK = 500  # values per ``IN (…)``: well under SQLite's bound-parameter limit


def _works(session: Session, connection_id: int, rows: list[OutboxRow]) -> list[PushWork]:
    """The work items of ``rows`` (a draft and its person each; rows whose draft is gone are left out),
    drafts and people loaded 500 at a time: a big outbox is a handful of queries, not two per item.
    Why: the database thread building 6,000 items one query at a time held the GIL for most of a
    second while the UI thread waited for it (the push benchmark's longest stalls)."""
    ids: dict[DraftTable, list[int]] = {}
    for row in rows:
        table = draft_table(row.kind)
        if table is not None:  # person rows are pushed by app.sync.push.prospects
            ids.setdefault(table, []).append(row.item_id)
    notes = {n.id: notes_repo.snapshot(n) for n in _by_id(session, Note, ids.get(DraftTable.NOTE, []))}
    tasks = {t.id: tasks_repo.snapshot(t) for t in _by_id(session, Task, ids.get(DraftTable.TASK, []))}
    activities = {a.id: activities_repo.snapshot(a)
                  for a in _by_id(session, ActivityDraft, ids.get(DraftTable.ACTIVITY, []))}
    people = _people(session, connection_id, [
        *(n.parent_sf_id for n in notes.values()), *(t.who_id or t.what_id for t in tasks.values()),
        *(a.who_id or a.what_id for a in activities.values())])
    out: list[PushWork] = []
    for row in rows:
        table = draft_table(row.kind)
        if table == DraftTable.NOTE and (note := notes.get(row.item_id)) is not None:
            out.append(PushWork(row, note=note, person=people.get(note.parent_sf_id or "")))
        elif table == DraftTable.TASK and (task := tasks.get(row.item_id)) is not None:
            out.append(PushWork(row, task=task, person=people.get(task.who_id or task.what_id or "")))
        elif table == DraftTable.ACTIVITY and (activity := activities.get(row.item_id)) is not None:
            out.append(PushWork(row, activity=activity,
                                person=people.get(activity.who_id or activity.what_id or "")))
    return out


def _by_id(session: Session, model: type[_Draft], ids: list[int]) -> list[_Draft]:
    wanted = sorted(set(ids))
    found: list[_Draft] = []
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start:start + _IN_CHUNK]
        found += session.execute(select(model).where(col(model.id).in_(chunk))).scalars().all()
    return found


def _people(session: Session, connection_id: int, sf_ids: Iterable[str | None]) -> dict[str, Person]:
    """Each Salesforce Id's person in this workspace (the first row found, as :func:`person_of`)."""
    wanted = sorted({sf_id for sf_id in sf_ids if sf_id})
    people: dict[str, Person] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[start:start + _IN_CHUNK]
        for contact in session.execute(select(Contact).where(
                col(Contact.connection_id) == connection_id, col(Contact.sf_id).in_(chunk))).scalars():
            if contact.sf_id not in people:
                people[contact.sf_id] = _person(contact)
    return people


def clear_unknown(session: Session, outbox_id: int) -> None:
    """Reconciliation found nothing in Salesforce: the item may be sent again."""
    session.execute(update(T).where(T.c.id == outbox_id).values(sent_at=None, sent_payload=None))


def settle_pushed(
    session: Session, outbox_id: int, *, remote_id: str, remote_type: str, pushed_hash: str | None,
    built_from: datetime | None, link_id: str | None = None, notice: str | None = None, edited: bool = False,
) -> None:
    """Salesforce has it.  The item is ``pushed`` unless it was edited after the payload was built
    (``built_from`` is the ``updated_at`` of the draft that was sent, ``edited`` the engine's own
    finding) — then it is a draft again, with the Salesforce Id kept for the next push."""
    row = get(session, outbox_id)
    if row is None:
        return
    now = utcnow()
    session.execute(update(T).where(T.c.id == outbox_id).values(
        state="pushed", remote_id=remote_id, sent_at=None, sent_payload=None, next_try_at=None,
        last_error_code=None, last_error_message=None, last_error_hint=None, conflict=None,
        link_id=link_id or row.link_id, notice=notice if notice is not None else row.notice, updated_at=now))
    item = draft_of(session, row.kind, row.item_id)
    edited = edited or (built_from is not None and item.updated_at > built_from)
    extra: dict[str, Any] = {"remote_id": remote_id}
    if pushed_hash is not None:
        extra["last_pushed_hash"] = pushed_hash
    if is_note(row.kind):
        extra["remote_type"] = remote_type
    set_draft_state(session, row.kind, row.item_id, "draft" if edited else "pushed", **extra)


def settle_failed(
    session: Session, outbox_id: int, *, code: str, message: str, hint: str, conflict: Any = None,
    keep_unknown: bool = False,
) -> None:
    """A permanent problem the advisor must look at (Salesforce's message and what to do)."""
    row = get(session, outbox_id)
    if row is None:
        return
    values: dict[str, Any] = {
        "state": "failed", "last_error_code": code, "last_error_message": message, "last_error_hint": hint,
        "conflict": conflict, "next_try_at": None, "updated_at": utcnow(),
    }
    if not keep_unknown:
        values.update(sent_at=None, sent_payload=None)
    session.execute(update(T).where(T.c.id == outbox_id).values(**values))
    set_draft_state(session, row.kind, row.item_id, "needs_attention")


def settle_waiting(
    session: Session, outbox_ids: Iterable[int], *, code: str, reason: str, next_try_at: datetime | None,
) -> None:
    """Try again later (offline, API budget, signed out).  An unknown outcome stays recorded."""
    for outbox_id in outbox_ids:
        row = get(session, outbox_id)
        if row is None or row.state in ("pushed", "failed"):
            continue
        session.execute(update(T).where(T.c.id == outbox_id).values(
            state="waiting", last_error_code=code, last_error_message=reason, last_error_hint=None,
            next_try_at=next_try_at, updated_at=utcnow()))
        set_draft_state(session, row.kind, row.item_id, "waiting")


def set_notice(session: Session, outbox_id: int, notice: str | None) -> None:
    session.execute(update(T).where(T.c.id == outbox_id).values(notice=notice))


def unknown_outcomes(session: Session, connection_id: int) -> list[OutboxRow]:
    rows = session.execute(select(*T.columns).where(
        T.c.connection_id == connection_id, T.c.sent_at.is_not(None), T.c.remote_id.is_(None),
        T.c.operation == "create", T.c.state.in_(ACTIVE_STATES))).all()
    return [row_of(r) for r in rows]


def claimed_remote_ids(session: Session, connection_id: int, remote_ids: Sequence[str]) -> set[str]:
    """Which of these Salesforce Ids already belong to a note or task here (reconciliation must not
    hand one record to two items)."""
    ids = sorted(set(remote_ids))
    if not ids:
        return set()
    found: set[str] = set()
    for model in DRAFT_MODELS.values():
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update(r[0] for r in session.execute(select(col(model.remote_id)).where(
                col(model.connection_id) == connection_id, col(model.remote_id).in_(chunk))).all())
    found.update(r[0] for r in session.execute(select(T.c.remote_id).where(
        T.c.connection_id == connection_id, T.c.remote_id.in_(ids))).all())
    return found
