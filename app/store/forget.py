"""What "Forget this org" deletes, counted beforehand and deleted in one transaction.

The advisor's own work (notes, tasks, outbox) references its connection with ``ON DELETE RESTRICT``
(see :mod:`app.store.models`): deleting a connection can never silently take a draft with it.  So
forgetting is explicit: :func:`summary` gives the numbers the confirmation names, the caller exports
unsent drafts (``app.sync.forget``), and only then :func:`delete_everything` removes the outbox,
tasks and notes and finally the connection row, whose mirror tables, settings and log go with it
(``CASCADE``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlmodel import Session

from app.store import connections as connection_rows
from app.store.models import Contact, Event, Note, OutboxItem, SyncLogEntry, Task
from app.store.prospects import PROVISIONAL_PREFIX

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

    @property
    def unsent(self) -> int:
        return self.unsent_notes + self.unsent_tasks


def _count(session: Session, model: type, connection_id: int, *where: object) -> int:
    query = select(func.count()).select_from(model).where(model.connection_id == connection_id, *where)  # type: ignore[attr-defined]
    return int(session.execute(query).scalar() or 0)


def summary(session: Session, connection_id: int) -> ForgetSummary:
    return ForgetSummary(
        clients=_count(session, Contact, connection_id, Contact.is_deleted == False),  # noqa: E712
        meetings=_count(session, Event, connection_id, Event.is_deleted == False),  # noqa: E712
        notes=_count(session, Note, connection_id),
        tasks=_count(session, Task, connection_id),
        unsent_notes=_count(session, Note, connection_id, Note.state.in_(UNSENT_STATES)),  # type: ignore[attr-defined]
        unsent_tasks=_count(session, Task, connection_id, Task.state.in_(UNSENT_STATES)),  # type: ignore[attr-defined]
        log_entries=_count(session, SyncLogEntry, connection_id),
        new_people=_count(session, Contact, connection_id, Contact.sf_id.startswith(PROVISIONAL_PREFIX),  # type: ignore[attr-defined]
                          Contact.is_deleted == False),  # noqa: E712
    )


def client_names(session: Session, connection_id: int, contact_ids: set[int]) -> dict[int, str]:
    """Names of the clients drafts are about (for the export file)."""
    if not contact_ids:
        return {}
    rows = session.execute(select(Contact.id, Contact.name, Contact.sf_id).where(
        Contact.connection_id == connection_id, Contact.id.in_(sorted(contact_ids)))).all()  # type: ignore[union-attr]
    return {int(r[0]): f"{r[1] or '(no name)'} ({r[2]})" for r in rows}


def delete_everything(session: Session, connection_id: int) -> None:
    """Outbox, tasks, notes, then the connection (its mirror tables, settings and log cascade)."""
    session.execute(delete(OutboxItem).where(OutboxItem.connection_id == connection_id))  # type: ignore[arg-type]
    session.execute(delete(Task).where(Task.connection_id == connection_id))  # type: ignore[arg-type]
    session.execute(delete(Note).where(Note.connection_id == connection_id))  # type: ignore[arg-type]
    session.flush()
    connection_rows.delete(session, connection_id)
    session.flush()
