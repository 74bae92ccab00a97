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
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlmodel import Session, col

from app.store import activities as activities_repo
from app.store import notes as notes_repo
from app.store import tasks as tasks_repo
from app.store import workspace_lock
from app.store.activities import ActivityDraftValue
from app.store.draft_models import DRAFT_MODELS, DraftModel, get_draft
from app.store.kinds import DraftTable, ItemKind, draft_table, is_note
from app.store.models import Contact, Note, OutboxItem, Task
from app.store.notes import NoteDraft
from app.store.tables import table_of
from app.store.tasks import TaskDraft
from app.store.types import parse_timestamp, utcnow

ACTIVE_STATES = ("queued", "sending", "waiting", "failed")
_ITEM_STATE = {"queued": "queued", "sending": "sending", "waiting": "waiting", "failed": "needs_attention",
               "pushed": "pushed"}
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


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One line of the outbox page."""

    outbox: OutboxRow
    title: str
    client_name: str | None
    item_state: str
    remote_type: str | None


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    queued: int = 0
    sending: int = 0
    waiting: int = 0
    needs_attention: int = 0
    drafts: int = 0

    @property
    def pending(self) -> int:
        return self.queued + self.sending + self.waiting


def _row(values: Any) -> OutboxRow:
    row = dict(zip(_COLUMNS, values, strict=True))
    row["kind"] = ItemKind(row["kind"])
    return OutboxRow(**row)


def get(session: Session, outbox_id: int) -> OutboxRow | None:
    found = session.execute(select(*T.columns).where(T.c.id == outbox_id)).first()
    return _row(found) if found else None


def active_for(session: Session, kind: ItemKind, item_id: int) -> OutboxRow | None:
    found = session.execute(
        select(*T.columns).where(T.c.kind == kind, T.c.item_id == item_id, T.c.state.in_(ACTIVE_STATES))
        .order_by(T.c.id.desc())
    ).first()
    return _row(found) if found else None


def _item(session: Session, kind: ItemKind, item_id: int) -> DraftModel:
    item = get_draft(session, kind, item_id)
    if item is None:
        raise LookupError(f"{kind} {item_id} does not exist")
    return item


def _set_item_state(session: Session, kind: ItemKind, item_id: int, state: str, **extra: Any) -> None:
    item = _item(session, kind, item_id)
    item.state = state
    for name, value in extra.items():
        setattr(item, name, value)
    session.add(item)


def enqueue(session: Session, kind: ItemKind, item_id: int, *, now: datetime | None = None) -> OutboxRow:
    """Ask for a note/task to be pushed.  Re-pushing an item already in the outbox re-queues that row
    (keeping its key and any unknown-outcome record); otherwise a new row with a fresh key is added.
    An item that already has a Salesforce record is pushed as an update of it."""
    now = now or utcnow()
    item = _item(session, kind, item_id)
    existing = active_for(session, kind, item_id)
    if existing is not None:
        if existing.state in ("failed", "waiting"):
            session.execute(update(T).where(T.c.id == existing.id).values(
                state="queued", next_try_at=None, last_error_code=None, last_error_message=None,
                last_error_hint=None, conflict=None, updated_at=now))
            _set_item_state(session, kind, item_id, "queued")
        found = get(session, existing.id)
        assert found is not None
        return found
    operation = "update" if item.remote_id else "create"
    result = session.exec(T.insert().values(
        key=str(uuid.uuid4()), connection_id=item.connection_id, kind=kind, item_id=item_id, operation=operation,
        state="queued", attempts=0, remote_id=item.remote_id, created_at=now, updated_at=now))
    _set_item_state(session, kind, item_id, "queued")
    found = get(session, int(result.lastrowid))
    assert found is not None
    return found


def enqueue_many(session: Session, kind: ItemKind, item_ids: Iterable[int]) -> list[OutboxRow]:
    now = utcnow()
    return [enqueue(session, kind, item_id, now=now) for item_id in item_ids]


def _person(session: Session, connection_id: int, sf_id: str | None) -> Person | None:
    if not sf_id:
        return None
    contact = session.execute(
        select(Contact).where(col(Contact.connection_id) == connection_id, col(Contact.sf_id) == sf_id)
    ).scalars().first()
    if contact is None:
        return None
    return Person(contact.sf_id, contact.name, contact.source_object, contact.is_deleted, contact.is_converted,
                  contact.converted_contact_id, contact.converted_account_id)


def _work(session: Session, row: OutboxRow) -> PushWork | None:
    table = draft_table(row.kind)
    if table is None:  # person rows are pushed by app.sync.push.prospects
        return None
    if table == DraftTable.NOTE:
        note = notes_repo.get(session, row.item_id)
        if note is None:
            return None
        return PushWork(row, note=note, person=_person(session, row.connection_id, note.parent_sf_id))
    if table == DraftTable.ACTIVITY:
        activity = activities_repo.get(session, row.item_id)
        if activity is None:
            return None
        return PushWork(row, activity=activity,
                        person=_person(session, row.connection_id, activity.who_id or activity.what_id))
    task = tasks_repo.get(session, row.item_id)
    if task is None:
        return None
    return PushWork(row, task=task, person=_person(session, row.connection_id, task.who_id or task.what_id))


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
    out: list[PushWork] = []
    for found in session.execute(query).all():
        work = _work(session, _row(found))
        if work is not None:
            out.append(work)
    return out



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
    item = _item(session, row.kind, row.item_id)
    edited = edited or (built_from is not None and item.updated_at > built_from)
    extra: dict[str, Any] = {"remote_id": remote_id}
    if pushed_hash is not None:
        extra["last_pushed_hash"] = pushed_hash
    if is_note(row.kind):
        extra["remote_type"] = remote_type
    _set_item_state(session, row.kind, row.item_id, "draft" if edited else "pushed", **extra)


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
    _set_item_state(session, row.kind, row.item_id, "needs_attention")


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
        _set_item_state(session, row.kind, row.item_id, "waiting")


def set_notice(session: Session, outbox_id: int, notice: str | None) -> None:
    session.execute(update(T).where(T.c.id == outbox_id).values(notice=notice))


def unknown_outcomes(session: Session, connection_id: int) -> list[OutboxRow]:
    rows = session.execute(select(*T.columns).where(
        T.c.connection_id == connection_id, T.c.sent_at.is_not(None), T.c.remote_id.is_(None),
        T.c.operation == "create", T.c.state.in_(ACTIVE_STATES))).all()
    return [_row(r) for r in rows]


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


def next_due_at(session: Session, connection_id: int) -> datetime | None:
    """When the earliest waiting item may be tried again (None: nothing waiting on a clock)."""
    value = session.execute(select(func.min(T.c.next_try_at)).where(
        T.c.connection_id == connection_id, T.c.state == "waiting")).scalar()
    if value is None:
        return None
    # MIN() keeps the column type, so SQLAlchemy hands back an aware datetime; text is the stored form.
    return value if isinstance(value, datetime) else parse_timestamp(str(value))


def has_due(session: Session, connection_id: int, now: datetime) -> bool:
    return bool(session.execute(select(func.count()).select_from(T).where(
        T.c.connection_id == connection_id,
        or_(T.c.state.in_(("queued", "sending")),
            and_(T.c.state == "waiting", or_(T.c.next_try_at.is_(None), T.c.next_try_at <= now))),
    )).scalar())


def counts(session: Session, connection_id: int) -> OutboxCounts:
    by_state = dict(session.execute(select(T.c.state, func.count()).where(
        T.c.connection_id == connection_id, T.c.state.in_(ACTIVE_STATES)).group_by(T.c.state)).all())
    drafts = 0
    for model in DRAFT_MODELS.values():
        drafts += int(session.execute(select(func.count()).select_from(model).where(
            col(model.connection_id) == connection_id, col(model.state) == "draft")).scalar() or 0)
    return OutboxCounts(queued=by_state.get("queued", 0), sending=by_state.get("sending", 0),
                        waiting=by_state.get("waiting", 0), needs_attention=by_state.get("failed", 0),
                        drafts=drafts)


def entries(session: Session, connection_id: int, *, pushed_within: timedelta = timedelta(days=7),
            limit: int = 1000) -> list[OutboxEntry]:
    """The outbox page: everything still owed to Salesforce, then what was pushed recently."""
    since = utcnow() - pushed_within
    rows = session.execute(select(*T.columns).where(
        T.c.connection_id == connection_id,
        or_(T.c.state.in_(ACTIVE_STATES), and_(T.c.state == "pushed", T.c.updated_at >= since)),
    ).order_by(T.c.id.desc()).limit(limit)).all()
    out: list[OutboxEntry] = []
    names: dict[str, str] = {}
    for found in rows:
        row = _row(found)
        if is_note(row.kind):
            note = session.get(Note, row.item_id)
            if note is None:
                continue
            title, state, sf_id, remote_type = note.title or "(untitled note)", note.state, note.parent_sf_id, \
                note.remote_type
        elif draft_table(row.kind) == DraftTable.ACTIVITY:
            activity = activities_repo.get(session, row.item_id)
            if activity is None:
                continue
            title, state, sf_id, remote_type = activity.title, activity.state, \
                activity.who_id or activity.what_id, None
        elif row.kind == ItemKind.PERSON:  # a new person added in Notebridge (app.store.prospects)
            person = session.get(Contact, row.item_id)
            if person is None:
                continue
            title, state, sf_id, remote_type = f"New person: {person.name}", _ITEM_STATE.get(row.state, row.state), \
                None, person.source_object
        else:
            task = session.get(Task, row.item_id)
            if task is None:
                continue
            title, state, sf_id, remote_type = task.subject or "(untitled task)", task.state, \
                task.who_id or task.what_id, "Task"
        if sf_id and sf_id not in names:
            who = _person(session, connection_id, sf_id)
            names[sf_id] = who.name if who else sf_id
        out.append(OutboxEntry(row, title, names.get(sf_id) if sf_id else None, state, remote_type))
    state_order = {"failed": 0, "sending": 1, "waiting": 2, "queued": 3, "pushed": 4}
    out.sort(key=lambda e: (state_order.get(e.outbox.state, 9), -e.outbox.id))
    return out


def connection_user(session: Session, connection_id: int) -> tuple[str, str, str] | None:
    """(user_id, note_type, instance_url) of a connection, as the push engine needs them."""
    from app.store.models import Connection

    conn = session.get(Connection, connection_id)
    return (conn.user_id, conn.note_type, conn.instance_url) if conn else None


def idle_drafts(session: Session, connection_id: int, edited_before: datetime) -> list[NoteDraft | TaskDraft]:
    """Drafts nobody has touched since ``edited_before`` (auto-push candidates)."""
    out: list[NoteDraft | TaskDraft] = []
    for note in session.execute(select(Note).where(
            col(Note.connection_id) == connection_id, col(Note.state) == "draft",
            col(Note.updated_at) <= edited_before)).scalars():
        out.append(notes_repo.snapshot(note))
    for task in session.execute(select(Task).where(
            col(Task.connection_id) == connection_id, col(Task.state) == "draft",
            col(Task.updated_at) <= edited_before)).scalars():
        out.append(tasks_repo.snapshot(task))
    return out
