"""What "Forget this org" deletes, counted beforehand and deleted in one transaction.

The advisor's own work (notes, tasks, activities, outbox) references its connection with ``ON DELETE RESTRICT``
(see :mod:`app.store.models`): deleting a connection can never silently take a draft with it.  So
forgetting is explicit: :func:`summary` gives the numbers the confirmation names, the caller exports
unsent drafts (``app.sync.forget``), and only then :func:`delete_everything` removes the outbox,
tasks and notes and finally the connection row, whose mirror tables, settings and log go with it
(``CASCADE``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, select
from sqlmodel import Session, SQLModel, col

from app.store import connections as connection_rows
from app.store.models import ActivityDraft, Contact, Event, Note, OutboxItem, SyncLogEntry, Task
from app.store.prospects import PROVISIONAL_PREFIX
from app.store.tables import table_of

UNSENT_STATES = ("draft", "queued", "sending", "needs_attention", "waiting")


@dataclass(frozen=True, slots=True)
class ForgetSummary:
    clients: int
    meetings: int
    notes: int
    tasks: int
    unsent_notes: int
    unsent_tasks: int
    log_entries: int
    new_people: int = 0  # added in Notebridge, not yet in Salesforce
    unsent_activities: int = 0  # logged calls, meetings … not yet in Salesforce

    @property
    def unsent(self) -> int:
        return self.unsent_notes + self.unsent_tasks  # calls and meetings are named apart


def _count(session: Session, model: type[SQLModel], connection_id: int, *where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(model).where(table_of(model).c.connection_id == connection_id, *where)
    return int(session.execute(query).scalar() or 0)


def summary(session: Session, connection_id: int) -> ForgetSummary:
    return ForgetSummary(
        clients=_count(session, Contact, connection_id, col(Contact.is_deleted) == False),  # noqa: E712
        meetings=_count(session, Event, connection_id, col(Event.is_deleted) == False),  # noqa: E712
        notes=_count(session, Note, connection_id),
        tasks=_count(session, Task, connection_id),
        unsent_notes=_count(session, Note, connection_id, col(Note.state).in_(UNSENT_STATES)),
        unsent_tasks=_count(session, Task, connection_id, col(Task.state).in_(UNSENT_STATES)),
        log_entries=_count(session, SyncLogEntry, connection_id),
        new_people=_count(session, Contact, connection_id, col(Contact.sf_id).startswith(PROVISIONAL_PREFIX),
                          col(Contact.is_deleted) == False),  # noqa: E712
        unsent_activities=_count(session, ActivityDraft, connection_id, col(ActivityDraft.state).in_(UNSENT_STATES)),
    )


def client_names(session: Session, connection_id: int, contact_ids: set[int]) -> dict[int, str]:
    """Names of the clients drafts are about (for the export file)."""
    if not contact_ids:
        return {}
    rows = session.execute(select(col(Contact.id), col(Contact.name), col(Contact.sf_id)).where(
        col(Contact.connection_id) == connection_id, col(Contact.id).in_(sorted(contact_ids)))).all()
    return {int(r[0]): f"{r[1] or '(no name)'} ({r[2]})" for r in rows}


def delete_everything(session: Session, connection_id: int) -> None:
    """Outbox, activities, tasks, notes, then the connection (its mirror tables, settings and log cascade)."""
    session.execute(delete(OutboxItem).where(col(OutboxItem.connection_id) == connection_id))
    session.execute(delete(ActivityDraft).where(col(ActivityDraft.connection_id) == connection_id))
    session.execute(delete(Task).where(col(Task.connection_id) == connection_id))
    session.execute(delete(Note).where(col(Note.connection_id) == connection_id))
    session.flush()
    connection_rows.delete(session, connection_id)
    session.flush()
