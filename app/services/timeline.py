"""Building a client's timeline from what the workspace holds: pure, so it is tested without a window.

Order, and why (the advisor is preparing a meeting):

* **Open tasks** first, oldest due date first, overdue ones marked — what is still owed.
* **Upcoming** meetings and tasks with a future date, soonest first.
* **Past**: notes, meetings, closed tasks and Notebridge's own drafts and outbox items, newest first.
* **Open opportunities** of the client's account, by close date.

An item Notebridge pushed appears once: the pulled Salesforce record, marked as written in
Notebridge (and opening the local copy), never beside its local twin.  Archived activities (older
than a year) are shown in Past, marked "archived".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from enum import StrEnum

from app.store.history import HistoryKind, HistoryRow
from app.store.notes import NoteDraft
from app.store.tasks import TaskDraft


class EntryKind(StrEnum):
    NOTE = "note"  # a Salesforce note (ContentNote or classic Note)
    TASK = "task"
    MEETING = "meeting"
    OPPORTUNITY = "opportunity"
    LOCAL_NOTE = "local_note"  # a note written in Notebridge, not (yet) seen back from Salesforce
    LOCAL_TASK = "local_task"


_KINDS = {HistoryKind.CONTENT_NOTE: EntryKind.NOTE, HistoryKind.NOTE: EntryKind.NOTE,
          HistoryKind.TASK: EntryKind.TASK, HistoryKind.EVENT: EntryKind.MEETING,
          HistoryKind.OPPORTUNITY: EntryKind.OPPORTUNITY}


@dataclass(frozen=True)
class TimelineEntry:
    kind: EntryKind
    title: str
    when: datetime | None  # note date, meeting start, local item's last change
    due: date | None  # task due date, opportunity close date
    status: str | None  # task status, opportunity stage, local state in words
    person: str | None  # author (notes), assignee (tasks), owner (opportunities)
    preview: str = ""
    history_id: int | None = None  # the history row (whole note on click)
    local_id: int | None = None  # the local note/task (opens the editor)
    sf_id: str | None = None
    is_open: bool = False
    is_overdue: bool = False
    is_archived: bool = False
    amount: float | None = None
    from_notebridge: bool = False  # pushed by Notebridge (shown once)
    has_body: bool = False
    location: str | None = None


@dataclass(frozen=True)
class Timeline:
    open_tasks: tuple[TimelineEntry, ...]
    upcoming: tuple[TimelineEntry, ...]
    past: tuple[TimelineEntry, ...]
    opportunities: tuple[TimelineEntry, ...]
    as_of: datetime | None  # when the client's history was last brought up to date (None: never)

    @property
    def empty(self) -> bool:
        return not (self.open_tasks or self.upcoming or self.past or self.opportunities)


_STATE_WORDS = {"draft": "Draft", "queued": "Waiting to send", "sending": "Sending", "pushed": "Pushed",
                "needs_attention": "Needs attention", "waiting": "Waiting"}


def _at(day: date | None) -> datetime | None:
    return datetime.combine(day, time(12), tzinfo=UTC) if day else None


def _entry(row: HistoryRow, names: Mapping[str, str], today: date) -> TimelineEntry:
    kind = _KINDS[row.kind]
    is_open = kind is EntryKind.TASK and not row.is_closed
    return TimelineEntry(
        kind=kind, title=row.title, when=row.occurs_at, due=row.due_date,
        status=None if kind is EntryKind.MEETING else row.status,
        person=names.get(row.owner_id or "") or None, preview=row.preview, history_id=row.id, sf_id=row.sf_id,
        is_open=is_open or (kind is EntryKind.OPPORTUNITY and not row.is_closed),
        is_overdue=is_open and row.due_date is not None and row.due_date < today,
        is_archived=row.is_archived, amount=row.amount, has_body=row.has_body,
        location=row.status if kind is EntryKind.MEETING else None,
    )


def build(rows: Sequence[HistoryRow], notes: Iterable[NoteDraft], tasks: Iterable[TaskDraft],
          names: Mapping[str, str], now: datetime, as_of: datetime | None) -> Timeline:
    today = now.date()
    local_by_remote: dict[str, tuple[EntryKind, int]] = {}
    locals_: list[TimelineEntry] = []
    for note in notes:
        if note.remote_id:
            local_by_remote[note.remote_id] = (EntryKind.LOCAL_NOTE, note.id)
        locals_.append(TimelineEntry(EntryKind.LOCAL_NOTE, note.title or "Untitled note", note.updated_at, None,
                                     _STATE_WORDS.get(note.state, note.state), None, local_id=note.id,
                                     sf_id=note.remote_id))
    for task in tasks:
        if task.remote_id:
            local_by_remote[task.remote_id] = (EntryKind.LOCAL_TASK, task.id)
        locals_.append(TimelineEntry(EntryKind.LOCAL_TASK, task.subject or "Untitled task", task.updated_at,
                                     task.due_date, _STATE_WORDS.get(task.state, task.state), None,
                                     local_id=task.id, sf_id=task.remote_id))
    pulled: list[TimelineEntry] = []
    for row in rows:
        entry = _entry(row, names, today)
        twin = local_by_remote.get(row.sf_id)
        if twin is not None:
            entry = replace(entry, from_notebridge=True, local_id=twin[1])
        pulled.append(entry)
    seen = {e.sf_id for e in pulled}
    entries = pulled + [e for e in locals_ if not e.sf_id or e.sf_id not in seen]

    open_tasks = sorted((e for e in entries if e.kind is EntryKind.TASK and e.is_open and (e.due or today) <= today),
                        key=lambda e: (e.due or today, e.title))
    opportunities = sorted((e for e in entries if e.kind is EntryKind.OPPORTUNITY and e.is_open),
                           key=lambda e: (e.due or date.max, e.title))
    placed = {id(e) for e in open_tasks} | {id(e) for e in entries if e.kind is EntryKind.OPPORTUNITY}
    upcoming: list[TimelineEntry] = []
    past: list[TimelineEntry] = []
    for e in entries:
        if id(e) in placed:
            continue
        moment = e.when if e.kind in (EntryKind.MEETING, EntryKind.NOTE) or e.due is None else _at(e.due)
        if e.kind is EntryKind.TASK and e.is_open:
            moment = _at(e.due)
        (upcoming if moment is not None and moment > now else past).append(replace(e, when=moment or e.when))
    upcoming.sort(key=lambda e: e.when or now)
    past.sort(key=lambda e: e.when or datetime.min.replace(tzinfo=UTC), reverse=True)
    return Timeline(tuple(open_tasks), tuple(upcoming), tuple(past), tuple(opportunities), as_of)
