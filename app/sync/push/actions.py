"""What the advisor can do to outbox items, as the UI calls it (no Qt, no SQL here).

``queue`` refuses items that break a Salesforce limit (the editor shows why), so nothing is ever
truncated or sent to fail.  Conflict choices follow the issue's wording: keep mine (overwrite
Salesforce's edit), take theirs (copy Salesforce's version into the draft), save mine as new.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from app.store import Database, activity_forms, outbox_views
from app.store import activities as activities_repo
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import outbox_decisions as decisions
from app.store import tasks as tasks_repo
from app.store.kinds import ItemKind, is_activity, is_note
from app.store.outbox import OutboxRow
from app.sync.push.limits import LimitProblem, draft_problems

Choice = Literal["keep_mine", "take_theirs", "save_as_new"]


@dataclass(frozen=True)
class QueueResult:
    queued: list[OutboxRow]
    refused: dict[int, list[LimitProblem]]  # item id → why it cannot be pushed yet


def _problems(session: Any, kind: ItemKind, item_id: int) -> list[LimitProblem] | None:
    """What keeps the draft from being queued (None: it is gone)."""
    if is_activity(kind):
        activity = activities_repo.get(session, item_id)
        if activity is None or activity.kind != kind:
            return None
        return [LimitProblem(name, words) for name, words in activity_forms.problems(kind, activity.fields)]
    draft = notes_repo.get(session, item_id) if is_note(kind) else tasks_repo.get(session, item_id)
    return None if draft is None else draft_problems(draft)


async def queue(db: Database, kind: ItemKind, item_ids: Sequence[int]) -> QueueResult:
    """Put items in the outbox (one transaction), skipping those that break a limit."""

    def work(session: Any) -> QueueResult:
        queued: list[OutboxRow] = []
        refused: dict[int, list[LimitProblem]] = {}
        for item_id in item_ids:
            problems = _problems(session, kind, item_id)
            if problems is None:
                continue
            if problems:
                refused[item_id] = problems
                continue
            queued.append(outbox_repo.enqueue(session, kind, item_id))
        return QueueResult(queued, refused)

    return await db.run(work)


async def queue_all_drafts(db: Database, connection_id: int) -> QueueResult:
    """"Push all": every draft that is ready, plus items waiting or needing attention."""

    def ids(session: Any) -> tuple[list[int], list[int], list[int]]:
        notes = [n.id for n in notes_repo.list_for(session, connection_id, states=("draft",), limit=100_000)]
        tasks = [t.id for t in tasks_repo.list_for(session, connection_id, limit=100_000) if t.state == "draft"]
        retry = [e.outbox.id for e in outbox_views.entries(session, connection_id)
                 if e.outbox.state == "waiting" or (e.outbox.state == "failed" and not e.outbox.conflict)]
        return notes, tasks, retry

    def activity_ids(session: Any) -> dict[ItemKind, list[int]]:
        out: dict[ItemKind, list[int]] = {}
        for activity in activities_repo.list_for(session, connection_id, limit=100_000):
            if activity.state == "draft" and not activity.remote_id:
                out.setdefault(activity.kind, []).append(activity.id)
        return out

    notes, tasks, retry = await db.run(ids)
    results = [await queue(db, ItemKind.NOTE, notes), await queue(db, ItemKind.TASK, tasks)]
    for kind, drafts in (await db.run(activity_ids)).items():  # logged calls, meetings …
        results.append(await queue(db, kind, drafts))
    await retry_now(db, retry)
    return QueueResult([row for r in results for row in r.queued],
                       {item_id: problems for r in results for item_id, problems in r.refused.items()})


async def retry_now(db: Database, outbox_ids: Sequence[int]) -> None:
    """Waiting or failed items: queue them again now (keeps any unknown-outcome record)."""

    def work(session: Any) -> None:
        for outbox_id in outbox_ids:
            row = outbox_repo.get(session, outbox_id)
            if row is not None:
                outbox_repo.enqueue(session, row.kind, row.item_id)

    await db.run(work)


async def resolve_conflict(db: Database, outbox_id: int, choice: Choice) -> None:
    def work(session: Any) -> None:
        row = outbox_repo.get(session, outbox_id)
        if row is None or not isinstance(row.conflict, dict):
            raise ValueError("this item has no conflict to resolve")
        conflict = row.conflict
        if choice == "save_as_new":
            decisions.resolve_save_as_new(session, outbox_id)
        elif conflict.get("deleted"):
            raise ValueError("the record was deleted in Salesforce; only “Save as new” is possible")
        elif choice == "keep_mine":
            decisions.resolve_keep_mine(session, outbox_id, str(conflict.get("theirs_hash") or ""))
        elif choice == "take_theirs":
            changes = dict(conflict.get("changes") or {})
            if isinstance(changes.get("due_date"), str):
                changes["due_date"] = date.fromisoformat(changes["due_date"])
            decisions.resolve_take_theirs(session, outbox_id, changes, str(conflict.get("theirs_hash") or ""))
        else:
            raise ValueError(f"unknown choice {choice!r}")

    await db.run(work)


async def attach_to_client(db: Database, outbox_id: int, contact_id: int) -> None:
    """ENTITY_IS_DELETED: the advisor picked another client; queue the item again for it."""
    await db.run(lambda s: decisions.attach_to(s, outbox_id, contact_id))
