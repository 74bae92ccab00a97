"""Building a client's timeline from what the workspace holds: pure, so it is tested without a window.

Order, and why (the advisor is preparing a meeting):

* **Open tasks** first, oldest due date first, overdue ones marked — what is still owed.
* **Upcoming** meetings and tasks with a future date, soonest first.
* **Past**: notes, meetings, closed tasks and Notebridge's own drafts and outbox items, newest first.
* **Open opportunities** of the client's account, by close date.

An item Notebridge pushed — a note, a task, a call, an email, a meeting, an opportunity — appears
once: until the history brings its Salesforce record back, as the local item ("Pushed"); after, as the
pulled Salesforce record, marked as written in Notebridge (and linked to the local copy), never beside
its local twin.  A pushed item whose record was then deleted in Salesforce leaves the timeline (it is
not in Salesforce any more) but its local copy is kept, and the timeline lists it under
``deleted_in_salesforce`` so the screen can say so.  Archived activities (older than a year) are
shown in Past, marked "archived".  A done task, call or email is in Past even when due today.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from enum import StrEnum

from app.store.activities import ActivityDraftValue
from app.store.activity_forms import parse_day, parse_instant
from app.store.history import HistoryKind, HistoryRow
from app.store.kinds import ItemKind
from app.store.notes import NoteDraft
from app.store.tasks import TaskDraft


class EntryKind(StrEnum):
    NOTE = "note"  # a Salesforce note (ContentNote or classic Note)
    TASK = "task"
    CALL = "call"  # a Salesforce Task with TaskSubtype "Call"
    EMAIL = "email"  # a Salesforce Task with TaskSubtype "Email"
    MEETING = "meeting"
    OPPORTUNITY = "opportunity"
    LOCAL_NOTE = "local_note"  # a note written in Notebridge, not (yet) seen back from Salesforce
    LOCAL_TASK = "local_task"
    LOCAL_ACTIVITY = "local_activity"  # a call, email, meeting or opportunity logged here (see ``item_kind``)


_KINDS = {HistoryKind.CONTENT_NOTE: EntryKind.NOTE, HistoryKind.NOTE: EntryKind.NOTE,
          HistoryKind.TASK: EntryKind.TASK, HistoryKind.CALL: EntryKind.CALL, HistoryKind.EMAIL: EntryKind.EMAIL,
          HistoryKind.EVENT: EntryKind.MEETING, HistoryKind.OPPORTUNITY: EntryKind.OPPORTUNITY}
TASK_LIKE = frozenset({EntryKind.TASK, EntryKind.CALL, EntryKind.EMAIL})  # Salesforce Tasks: open or done
# Where a local activity's moment is in its fields (an opportunity's is its close date, ``due``).
_MOMENT_FIELD = {ItemKind.CALL: "when", ItemKind.MEETING: "start", ItemKind.EMAIL: "sent"}


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
    item_kind: ItemKind | None = None  # what Notebridge drafted it as (local items and their pulled twins)


@dataclass(frozen=True)
class Timeline:
    open_tasks: tuple[TimelineEntry, ...]
    upcoming: tuple[TimelineEntry, ...]
    past: tuple[TimelineEntry, ...]
    opportunities: tuple[TimelineEntry, ...]
    as_of: datetime | None  # when the client's history was last brought up to date (None: never)
    # Items pushed from here whose Salesforce record was since deleted: off the timeline, copy kept here.
    deleted_in_salesforce: tuple[TimelineEntry, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.open_tasks or self.upcoming or self.past or self.opportunities)


_STATE_WORDS = {"draft": "Draft", "queued": "Waiting to send", "sending": "Sending", "pushed": "Pushed",
                "needs_attention": "Needs attention", "waiting": "Waiting"}


def _at(day: date | None) -> datetime | None:
    return datetime.combine(day, time(12), tzinfo=UTC) if day else None


def _entry(row: HistoryRow, names: Mapping[str, str], today: date) -> TimelineEntry:
    kind = _KINDS[row.kind]
    is_open = kind in TASK_LIKE and not row.is_closed
    return TimelineEntry(
        kind=kind, title=row.title, when=row.occurs_at, due=row.due_date,
        status=None if kind is EntryKind.MEETING else row.status,
        person=names.get(row.owner_id or "") or None, preview=row.preview, history_id=row.id, sf_id=row.sf_id,
        is_open=is_open or (kind is EntryKind.OPPORTUNITY and not row.is_closed),
        is_overdue=is_open and row.due_date is not None and row.due_date < today,
        is_archived=row.is_archived, amount=row.amount, has_body=row.has_body,
        location=row.status if kind is EntryKind.MEETING else None,
    )


def _local_activity(activity: ActivityDraftValue) -> TimelineEntry:
    fields = activity.fields
    moment_field = _MOMENT_FIELD.get(activity.kind)
    is_deal = activity.kind is ItemKind.OPPORTUNITY
    amount = fields.get("amount") if is_deal else None
    return TimelineEntry(
        EntryKind.LOCAL_ACTIVITY, activity.title,
        (parse_instant(fields.get(moment_field)) if moment_field else None) or activity.updated_at,
        parse_day(fields.get("close_date")) if is_deal else None, _STATE_WORDS.get(activity.state, activity.state),
        None, local_id=activity.id, sf_id=activity.remote_id, is_open=is_deal,
        amount=float(amount) if isinstance(amount, int | float) and not isinstance(amount, bool) else None,
        location=str(fields.get("location") or "") or None if activity.kind is ItemKind.MEETING else None,
        item_kind=activity.kind)


def _locals(notes: Iterable[NoteDraft], tasks: Iterable[TaskDraft],
            activities: Iterable[ActivityDraftValue]) -> list[TimelineEntry]:
    out = [TimelineEntry(EntryKind.LOCAL_NOTE, note.title or "Untitled note", note.updated_at, None,
                         _STATE_WORDS.get(note.state, note.state), None, local_id=note.id, sf_id=note.remote_id,
                         item_kind=ItemKind.NOTE) for note in notes]
    out += [TimelineEntry(EntryKind.LOCAL_TASK, task.subject or "Untitled task", task.updated_at, task.due_date,
                          _STATE_WORDS.get(task.state, task.state), None, local_id=task.id, sf_id=task.remote_id,
                          item_kind=ItemKind.TASK) for task in tasks]
    return out + [_local_activity(a) for a in activities]


def _is_deal(e: TimelineEntry) -> bool:
    return e.kind is EntryKind.OPPORTUNITY or (e.kind is EntryKind.LOCAL_ACTIVITY
                                               and e.item_kind is ItemKind.OPPORTUNITY)


def build(rows: Sequence[HistoryRow], notes: Iterable[NoteDraft], tasks: Iterable[TaskDraft],
          names: Mapping[str, str], now: datetime, as_of: datetime | None,
          activities: Iterable[ActivityDraftValue] = (), deleted: Set[str] = frozenset()) -> Timeline:
    """``activities``: the client's calls, emails, meetings and opportunities logged here; ``deleted``:
    Salesforce Ids the history saw deleted (their local copies are listed apart, not on the timeline)."""
    today = now.date()
    locals_ = _locals(notes, tasks, activities)
    local_by_remote = {e.sf_id: e for e in locals_ if e.sf_id}
    pulled: list[TimelineEntry] = []
    for row in rows:
        entry = _entry(row, names, today)
        twin = local_by_remote.get(row.sf_id)
        if twin is not None:
            entry = replace(entry, from_notebridge=True, local_id=twin.local_id, item_kind=twin.item_kind)
        pulled.append(entry)
    seen = {e.sf_id for e in pulled}
    gone = tuple(e for e in locals_ if e.sf_id and e.sf_id in deleted and e.sf_id not in seen)
    entries = pulled + [e for e in locals_ if not e.sf_id or (e.sf_id not in seen and e.sf_id not in deleted)]

    open_tasks = sorted((e for e in entries if e.kind in TASK_LIKE and e.is_open and (e.due or today) <= today),
                        key=lambda e: (e.due or today, e.title))
    opportunities = sorted((e for e in entries if _is_deal(e) and e.is_open),
                           key=lambda e: (e.due or date.max, e.title))
    placed = {id(e) for e in open_tasks} | {id(e) for e in entries if _is_deal(e)}
    upcoming: list[TimelineEntry] = []
    past: list[TimelineEntry] = []
    for e in entries:
        if id(e) in placed:
            continue
        moment = e.when if e.kind in (EntryKind.MEETING, EntryKind.NOTE) or e.due is None else _at(e.due)
        if e.kind in TASK_LIKE and e.is_open:
            moment = _at(e.due)
        done = e.kind in TASK_LIKE and not e.is_open  # a done task, call or email is past, whatever its date
        (upcoming if moment is not None and moment > now and not done else past).append(
            replace(e, when=moment or e.when))
    upcoming.sort(key=lambda e: e.when or now)
    past.sort(key=lambda e: e.when or datetime.min.replace(tzinfo=UTC), reverse=True)
    return Timeline(tuple(open_tasks), tuple(upcoming), tuple(past), tuple(opportunities), as_of, gone)
