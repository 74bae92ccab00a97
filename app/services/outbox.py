"""The outbox page's use cases: what waits to go to Salesforce, and the advisor's decisions about it.

"Push all", "retry now", conflict choices and "attach to another client" are the push engine's own
``actions`` (no Qt, no SQL there); this module gives the screen one place to call them, reads the
outbox as values, and says on the event bus that items changed so every screen can follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.services.events import Events, ItemStateChanged
from app.store import notes as notes_repo
from app.store import outbox_views
from app.store import tasks as tasks_repo
from app.store.kinds import DRAFT_KINDS, ItemKind
from app.store.outbox import OutboxRow
from app.store.outbox_views import OutboxCounts, OutboxEntry
from app.sync.push import actions as push_actions
from app.sync.push.actions import Choice, QueueResult

if TYPE_CHECKING:
    from app.store.db import Database

__all__ = ["Choice", "Outbox", "OutboxCounts", "OutboxEntry", "OutboxRow", "OutboxView", "QueueResult"]


@dataclass(frozen=True)
class OutboxView:
    entries: list[OutboxEntry]
    counts: OutboxCounts


class Outbox:
    def __init__(self, db: Database, events: Events | None = None) -> None:
        self.db = db
        self.events = events or Events()

    async def view(self, connection_id: int) -> OutboxView:
        """Every line of the outbox page and the counts above it, from one snapshot."""
        return await self.db.run(lambda s: OutboxView(outbox_views.entries(s, connection_id),
                                                      outbox_views.counts(s, connection_id)))

    async def my_version(self, kind: str, item_id: int) -> dict[str, Any]:
        """The advisor's side of a conflict, in Salesforce's field names ({} when the item is gone)."""
        def mine(session: Any) -> dict[str, Any]:
            if kind == ItemKind.TASK:
                task = tasks_repo.get(session, item_id)
                return {} if task is None else {
                    "Subject": task.subject, "ActivityDate": task.due_date, "Status": task.status,
                    "Priority": task.priority, "Description": task.description}
            note = notes_repo.get(session, item_id)
            return {} if note is None else {"Title": note.title, "Body": note.body_markdown}

        return await self.db.run(mine)

    async def push_all(self, connection_id: int) -> QueueResult:
        """"Push all": every ready draft, plus what waits or failed without a conflict."""
        result = await push_actions.queue_all_drafts(self.db, connection_id)
        self._changed(connection_id)
        return result

    async def retry_now(self, connection_id: int, outbox_ids: Sequence[int]) -> None:
        await push_actions.retry_now(self.db, outbox_ids)
        self._changed(connection_id)

    async def resolve_conflict(self, connection_id: int, outbox_id: int, choice: Choice) -> None:
        """Keep mine / take theirs / save as new; ``ValueError`` when the choice is not possible."""
        await push_actions.resolve_conflict(self.db, outbox_id, choice)
        self._changed(connection_id)

    async def attach_to_client(self, connection_id: int, outbox_id: int, contact_id: int) -> None:
        """The record's client was deleted in Salesforce: queue the item again for another one."""
        await push_actions.attach_to_client(self.db, outbox_id, contact_id)
        self._changed(connection_id)

    def _changed(self, connection_id: int) -> None:
        for kind in DRAFT_KINDS:
            self.events.publish(ItemStateChanged(connection_id, kind, None, "queued"))
