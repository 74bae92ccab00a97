""""Save draft" and "queue for push": the note and task editors' use cases.

A draft is on disk before its window shows (``new_note``/``new_task``), every autosave is one
transaction (``save``), and queueing refuses a draft that breaks a Salesforce limit rather than cutting
it (``queue_for_push``, over the push engine's own ``actions.queue``).  Everything returned is a value
(``NoteDraft``/``TaskDraft`` and the editors' contexts), never an ORM row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from app.services.events import Events, ItemStateChanged
from app.store import activities as activities_repo
from app.store import draft_list
from app.store import notes as notes_repo
from app.store import tasks as tasks_repo
from app.store.activities import ActivityDraftValue
from app.store.draft_list import DiscardedDraft, DraftEntry
from app.store.errors import DatabaseClosedError
from app.store.kinds import ItemKind, is_activity
from app.store.notes import CLIENT_TAG, NoteContext, NoteDraft
from app.store.tasks import TaskContext, TaskDraft, TaskPicklists
from app.store.write_failure import WriteFailure, WriteProblem, explain
from app.sync.push import actions as push_actions
from app.sync.push.actions import QueueResult
from app.sync.push.limits import (
    NOTE_BODY_MAX_BYTES,
    NOTE_TITLE_MAX,
    TASK_DESCRIPTION_MAX,
    TASK_SUBJECT_MAX,
    LimitProblem,
    note_problems,
    reminder_problems,
    task_problems,
)

if TYPE_CHECKING:
    from app.store.db import Database

__all__ = [
    "CLIENT_TAG",
    "NOTE_BODY_MAX_BYTES",
    "NOTE_TITLE_MAX",
    "TASK_DESCRIPTION_MAX",
    "TASK_SUBJECT_MAX",
    "DiscardedDraft",
    "DraftEntry",
    "Drafts",
    "ItemKind",
    "LimitProblem",
    "NoteContext",
    "NoteDraft",
    "QueueResult",
    "TaskContext",
    "TaskDraft",
    "TaskPicklists",
    "WriteFailure",
    "WriteProblem",
    "explain_write_failure",
    "note_problems",
    "reminder_problems",
    "task_problems",
]

Draft = NoteDraft | TaskDraft | ActivityDraftValue


def explain_write_failure(error: BaseException) -> WriteFailure:
    """Why a save failed, in the advisor's words, and what to do (for the editors' banners)."""
    return explain(error)


def _repository(kind: ItemKind) -> Any:
    if kind == ItemKind.NOTE:
        return notes_repo
    if kind == ItemKind.TASK:
        return tasks_repo
    if is_activity(kind):  # calls, meetings …: one repository, the fields checked against the kind's form
        return activities_repo
    raise ValueError(f"unknown draft kind {kind!r}")


class Drafts:
    """Notes, tasks and activities (calls, meetings …) of one workspace, as the editors write them."""

    def __init__(self, db: Database, events: Events | None = None) -> None:
        self.db = db
        self.events = events or Events()

    # -- notes ----------------------------------------------------------------------------------------
    async def new_note(self, connection_id: int, contact_id: int, *, event_id: int | None = None) -> NoteDraft:
        note = await self.db.run(lambda s: notes_repo.create(s, connection_id, contact_id=contact_id,
                                                             event_id=event_id))
        self.events.publish(ItemStateChanged(connection_id, ItemKind.NOTE, note.id, note.state))
        return note

    async def note_context(self, note_id: int) -> NoteContext:
        """The note and what its editor shows around it; ``LookupError`` when it is gone."""
        return await self.db.run(lambda s: notes_repo.editor_context(s, note_id))

    # -- tasks ----------------------------------------------------------------------------------------
    async def default_assignee(self, connection_id: int) -> str | None:
        return await self.db.run(lambda s: tasks_repo.default_assignee(s, connection_id))

    async def new_task(self, connection_id: int, contact_id: int | None = None) -> TaskDraft:
        """A new task for the client (or none), assigned as the advisor chose in the wizard."""
        owner = await self.default_assignee(connection_id)
        task = await self.db.run(lambda s: tasks_repo.create(s, connection_id, contact_id=contact_id,
                                                             owner_id=owner))
        self.events.publish(ItemStateChanged(connection_id, ItemKind.TASK, task.id, task.state))
        return task

    async def task_from_action_item(self, connection_id: int, note_id: int, text: str) -> TaskDraft:
        """A task from a note's action item, for the note's client."""
        owner = await self.default_assignee(connection_id)
        task = await self.db.run(lambda s: tasks_repo.from_action_item(s, note_id, text, owner_id=owner))
        self.events.publish(ItemStateChanged(connection_id, ItemKind.TASK, task.id, task.state))
        return task

    async def task_context(self, task_id: int) -> TaskContext:
        """The task, its picklists, assignable users and person; ``LookupError`` when it is gone."""
        return await self.db.run(lambda s: tasks_repo.editor_context(s, task_id))

    # -- both -----------------------------------------------------------------------------------------
    async def get(self, kind: ItemKind, draft_id: int) -> Draft | None:
        repository = _repository(kind)
        draft: Draft | None = await self.db.run(lambda s: repository.get(s, draft_id))
        if isinstance(draft, ActivityDraftValue) and draft.kind != kind:
            return None  # one table holds every activity kind: the number is another kind's
        return draft

    async def save(self, kind: ItemKind, draft_id: int, values: dict[str, Any]) -> Draft:
        """"Save draft": write the editor's fields in one transaction; returns the saved draft.

        Raises what the store raised; ``explain_write_failure`` turns it into words for the advisor.
        """
        repository = _repository(kind)
        draft: Draft = await self.db.run(lambda s: repository.save(s, draft_id, **values))
        return draft

    # -- the Drafts list --------------------------------------------------------------------------------
    async def list_drafts(self, connection_id: int) -> list[DraftEntry]:
        """"List drafts": notes and tasks never sent, newest edit first."""
        return await self.db.run(lambda s: draft_list.unsent(s, connection_id))

    async def discard_draft(self, connection_id: int, kind: ItemKind, draft_id: int) -> DiscardedDraft | None:
        """"Discard draft": gone from the workspace, kept in the returned value for "restore draft".

        None when it is no longer a draft (queued or pushed meanwhile, or already gone)."""
        discarded = await self.db.run(lambda s: draft_list.discard(s, kind, draft_id))
        if discarded is not None:
            self.events.publish(ItemStateChanged(connection_id, kind, draft_id, "discarded"))
        return discarded

    async def restore_draft(self, connection_id: int, discarded: DiscardedDraft) -> int:
        """"Restore draft" (Undo): the same draft back as it was; its id (the same unless a new
        draft took the number meanwhile)."""
        draft_id: int = await self.db.run(lambda s: draft_list.restore(s, discarded))
        self.events.publish(ItemStateChanged(connection_id, discarded.kind, draft_id, "draft"))
        return draft_id

    async def forget_if_empty(self, connection_id: int, kind: ItemKind, draft_id: int) -> bool:
        """A draft closed with nothing typed is not kept (Ctrl+N then close leaves nothing behind)."""
        def forget(session: Any) -> bool:
            return draft_list.is_empty(session, kind, draft_id) and draft_list.discard(session, kind, draft_id) \
                is not None

        try:
            gone: bool = await self.db.run(forget)
        except DatabaseClosedError:  # the app is quitting: an empty row left behind harms nothing
            return False
        # Either way the views listing drafts re-read it: gone, or kept with what was typed.
        self.events.publish(ItemStateChanged(connection_id, kind, draft_id, "discarded" if gone else "draft"))
        return gone

    async def queue_for_push(self, kind: ItemKind, draft_ids: Sequence[int]) -> QueueResult:
        """"Queue for push": into the outbox in one transaction, refusing drafts that break a limit."""
        result = await push_actions.queue(self.db, kind, list(draft_ids))
        for row in result.queued:
            self.events.publish(ItemStateChanged(row.connection_id, kind, row.item_id, "queued"))
        return result
