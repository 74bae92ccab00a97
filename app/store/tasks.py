"""Tasks repository: follow-ups drafted offline (often from a meeting note's action item).

Same conventions as :mod:`app.store.notes`: session functions returning :class:`TaskDraft` snapshots.
Salesforce rule enforced on save: when the related person (``who_id``) is a Lead the task cannot be
related to an account, so ``what_id`` is cleared
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm,
WhatId: "If the WhoId refers to a lead, then the WhatId field must be empty").

The org's Status/Priority picklists (from ``TaskStatus``/``TaskPriority``) are cached per connection
in the ``setting`` table so the editor can offer them offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, literal, select, update
from sqlmodel import Session, col

from app.store.models import Contact, Note, Setting, Task
from app.store.tables import table_of
from app.store.types import utcnow

EDITABLE = frozenset({
    "subject", "due_date", "priority", "status", "owner_id", "who_id", "what_id", "description", "contact_id",
    "reminder_set", "reminder_at",
})
PICKLIST_SETTING = "push.task_picklists"


@dataclass(frozen=True, slots=True)
class TaskDraft:
    id: int
    uid: str
    connection_id: int
    contact_id: int | None
    note_id: int | None
    subject: str
    due_date: date | None
    priority: str | None
    status: str | None
    owner_id: str | None
    who_id: str | None
    what_id: str | None
    description: str
    state: str
    remote_id: str | None
    last_pushed_hash: str | None
    created_at: datetime
    updated_at: datetime
    reminder_set: bool | None = None  # None: never chosen, so not sent (Salesforce keeps its value)
    reminder_at: datetime | None = None  # UTC


@dataclass(frozen=True)
class TaskPicklists:
    """Values in the org's order, and its defaults (None when the org has not been asked yet)."""

    statuses: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    default_status: str | None = None
    default_priority: str | None = None
    closed_statuses: tuple[str, ...] = field(default=())
    # Whether the org lets this user write Task's IsReminderSet/ReminderDateTime (its describe has
    # both, createable and updateable); None: not asked yet.
    reminders: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {"statuses": list(self.statuses), "priorities": list(self.priorities),
                "default_status": self.default_status, "default_priority": self.default_priority,
                "closed_statuses": list(self.closed_statuses), "reminders": self.reminders}

    @classmethod
    def from_json(cls, data: Any) -> TaskPicklists:
        if not isinstance(data, dict):
            return cls()
        return cls(tuple(data.get("statuses") or ()), tuple(data.get("priorities") or ()),
                   data.get("default_status"), data.get("default_priority"),
                   tuple(data.get("closed_statuses") or ()),
                   data["reminders"] if isinstance(data.get("reminders"), bool) else None)


def snapshot(task: Task) -> TaskDraft:
    assert task.id is not None
    return TaskDraft(
        id=task.id, uid=task.uid, connection_id=task.connection_id, contact_id=task.contact_id,
        note_id=task.note_id, subject=task.subject or "", due_date=task.due_date, priority=task.priority,
        status=task.status, owner_id=task.owner_id, who_id=task.who_id, what_id=task.what_id,
        description=task.description or "", state=task.state, remote_id=task.remote_id,
        last_pushed_hash=task.last_pushed_hash, created_at=task.created_at, updated_at=task.updated_at,
        reminder_set=task.reminder_set, reminder_at=task.reminder_at,
    )


def _person(session: Session, connection_id: int, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    contact = session.get(Contact, contact_id)
    if contact is None or contact.connection_id != connection_id:
        raise ValueError(f"contact {contact_id} is not in this workspace")
    return contact


def _is_lead(session: Session, connection_id: int, who_id: str | None) -> bool:
    if not who_id:
        return False
    if who_id.startswith("00Q"):
        return True
    row = session.execute(
        select(col(Contact.source_object)).where(col(Contact.connection_id) == connection_id,
                                                 col(Contact.sf_id) == who_id)
    ).first()
    return bool(row and row[0] == "Lead")


def _apply_person(task: Task, person: Contact | None) -> None:
    """Related person and account from a workspace person (Contact, Lead or person Account)."""
    if person is None:
        return
    if person.source_object == "Account":
        task.what_id, task.who_id = person.sf_id, None
    else:
        task.who_id = person.sf_id
        task.what_id = None if person.source_object == "Lead" else person.account_sf_id


def create(
    session: Session,
    connection_id: int,
    *,
    contact_id: int | None = None,
    note_id: int | None = None,
    subject: str = "",
    description: str = "",
    due_date: date | None = None,
    owner_id: str | None = None,
    priority: str | None = None,
    status: str | None = None,
) -> TaskDraft:
    """A new task; related person/account come from the client, status/priority from org defaults."""
    person = _person(session, connection_id, contact_id)
    lists = picklists(session, connection_id)
    task = Task(
        connection_id=connection_id, contact_id=contact_id, note_id=note_id, subject=subject,
        description=description, due_date=due_date, owner_id=owner_id,
        priority=priority or lists.default_priority, status=status or lists.default_status,
    )
    _apply_person(task, person)
    session.add(task)
    session.flush()
    return snapshot(task)


def get(session: Session, task_id: int) -> TaskDraft | None:
    task = session.get(Task, task_id)
    return snapshot(task) if task is not None else None


def save(session: Session, task_id: int, **changes: Any) -> TaskDraft:
    """Apply editor changes (any of ``EDITABLE``).  Edited pushed tasks become drafts again."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    task = session.get(Task, task_id)
    if task is None:
        raise LookupError(f"task {task_id} does not exist")
    before = snapshot(task)
    if "contact_id" in changes:
        task.contact_id = changes.pop("contact_id")
        _apply_person(task, _person(session, task.connection_id, task.contact_id))
    for name, value in changes.items():
        setattr(task, name, value)
    if _is_lead(session, task.connection_id, task.who_id):
        task.what_id = None
    if snapshot(task) != before:
        task.updated_at = utcnow()
        if task.state == "pushed":
            task.state = "draft"
        session.add(task)
    return snapshot(task)


def fill_unset(session: Session, task_id: int, *, status: str | None, priority: str | None,
               owner_id: str | None, reminder_set: bool | None = None,
               reminder_at: datetime | None = None) -> None:
    """After a push: the values Salesforce now holds for fields the draft left unset (the org's
    defaults filled in on create; Salesforce's own values, kept on update), so the editor shows what
    Salesforce holds instead of a stand-in.  Only empty columns are filled — a value the advisor
    chose meanwhile wins — and ``updated_at`` is left alone: this is not an edit."""
    table = table_of(Task)
    values: dict[str, Any] = {
        "status": func.coalesce(table.c.status, status), "priority": func.coalesce(table.c.priority, priority),
        "owner_id": func.coalesce(table.c.owner_id, owner_id)}
    if reminder_set is not None:  # the reminder as Salesforce holds it, when the draft never chose one
        unchosen = table.c.reminder_set.is_(None)
        values["reminder_set"] = case((unchosen, reminder_set), else_=table.c.reminder_set)
        values["reminder_at"] = case((unchosen, literal(reminder_at, type_=table.c.reminder_at.type)),
                                     else_=table.c.reminder_at)
    session.execute(update(table).where(table.c.id == task_id).values(**values))


def list_for(
    session: Session, connection_id: int, *, contact_id: int | None = None, note_id: int | None = None,
    limit: int = 500,
) -> list[TaskDraft]:
    query = select(Task).where(col(Task.connection_id) == connection_id)
    if contact_id is not None:
        query = query.where(col(Task.contact_id) == contact_id)
    if note_id is not None:
        query = query.where(col(Task.note_id) == note_id)
    query = query.order_by(col(Task.updated_at).desc(), col(Task.id).desc()).limit(limit)
    return [snapshot(t) for t in session.execute(query).scalars()]


def from_action_item(session: Session, note_id: int, text: str, *, owner_id: str | None = None) -> TaskDraft:
    """One click: a meeting note's action item becomes a task for the same client.

    The subject is the item's text (trimmed to Salesforce's 255 only when it is a single long line —
    the full text always stays in the description, so nothing is lost).
    """
    note = session.get(Note, note_id)
    if note is None:
        raise LookupError(f"note {note_id} does not exist")
    line = " ".join(text.split())
    if not line:
        raise ValueError("the action item is empty")
    subject = line if len(line) <= 255 else line[:254].rstrip() + "…"
    description = "" if subject == line else line
    if note.title:
        description = (description + "\n\n" if description else "") + f"From the meeting note “{note.title}”."
    return create(session, note.connection_id, contact_id=note.contact_id, note_id=note.id, subject=subject,
                  description=description, owner_id=owner_id)


def delete_draft(session: Session, task_id: int) -> bool:
    task = session.get(Task, task_id)
    if task is None or task.remote_id or task.state in ("queued", "sending", "waiting"):
        return False
    session.delete(task)
    return True


# -- picklists ------------------------------------------------------------------------------------------

def picklists(session: Session, connection_id: int) -> TaskPicklists:
    row = session.execute(
        select(Setting).where(col(Setting.connection_id) == connection_id, col(Setting.key) == PICKLIST_SETTING)
    ).scalars().first()
    return TaskPicklists.from_json(row.value if row else None)


def save_picklists(session: Session, connection_id: int, lists: TaskPicklists) -> None:
    row = session.execute(
        select(Setting).where(col(Setting.connection_id) == connection_id, col(Setting.key) == PICKLIST_SETTING)
    ).scalars().first()
    if row is None:
        row = Setting(connection_id=connection_id, key=PICKLIST_SETTING)
    row.value = lists.to_json()
    row.updated_at = utcnow()
    session.add(row)


def who_is_lead(session: Session, connection_id: int, who_id: str | None) -> bool:
    return _is_lead(session, connection_id, who_id)


__all__ = [
    "EDITABLE", "PICKLIST_SETTING", "TaskDraft", "TaskPicklists", "create", "delete_draft", "fill_unset",
    "from_action_item",
    "get", "list_for", "picklists", "save", "save_picklists", "snapshot", "who_is_lead",
]


@dataclass(frozen=True)
class TaskContext:
    """What the task editor needs around the task: picklists, assignable users, the person."""

    task: TaskDraft
    picklists: TaskPicklists
    users: list[tuple[str, str]]
    person_name: str
    person_is_lead: bool
    account_name: str


def editor_context(session: Session, task_id: int) -> TaskContext:
    from app.store import users as users_repo

    task = get(session, task_id)
    if task is None:
        raise LookupError(f"task {task_id} does not exist")
    person = session.get(Contact, task.contact_id) if task.contact_id else None
    users = [(u.sf_id, u.name) for u in users_repo.active(session, task.connection_id)]
    if task.owner_id and all(sf_id != task.owner_id for sf_id, _name in users):
        # Assigned to someone no longer active: offered by name, so the editor shows who it is.
        name = users_repo.names(session, task.connection_id, [task.owner_id]).get(task.owner_id)
        users.append((task.owner_id, f"{name} (inactive)" if name else task.owner_id))
    return TaskContext(task, picklists(session, task.connection_id), users, person.name if person else "",
                       _is_lead(session, task.connection_id, task.who_id),
                       (person.account_name or "") if person else "")


DEFAULT_ASSIGNEE_SETTING = "tasks.default_owner_id"  # chosen on the wizard's Preferences page


def default_assignee(session: Session, connection_id: int) -> str | None:
    """Who a new task is assigned to: the advisor's chosen default, else the signed-in user."""
    from app.store import settings as settings_repo
    from app.store.models import Connection

    chosen = settings_repo.get(session, connection_id, DEFAULT_ASSIGNEE_SETTING)
    if isinstance(chosen, str) and chosen:
        return chosen
    connection = session.get(Connection, connection_id)
    return connection.user_id if connection is not None else None
