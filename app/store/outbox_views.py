"""What the Outbox page and the push loop read: counts, the page's lines, when to wake next.

Read-only queries over the outbox (:mod:`app.store.outbox` takes and settles its rows); they join each
row to its draft and client so a screen gets plain values, never ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from app.store import activities as activities_repo
from app.store import notes as notes_repo
from app.store import tasks as tasks_repo
from app.store.draft_models import DRAFT_MODELS
from app.store.kinds import DraftTable, ItemKind, draft_table, is_note
from app.store.models import Contact, Note, Task
from app.store.notes import NoteDraft
from app.store.outbox import ACTIVE_STATES, OutboxRow, T, person_of, row_of
from app.store.tasks import TaskDraft
from app.store.types import parse_timestamp, utcnow

_ITEM_STATE = {"queued": "queued", "sending": "sending", "waiting": "waiting", "failed": "needs_attention",
               "pushed": "pushed"}


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
        row = row_of(found)
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
            who = person_of(session, connection_id, sf_id)
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
