"""Snapshots of outbox work for the push's pure unit tests (no store, no Salesforce)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from app.store.kinds import ItemKind
from app.store.notes import NoteDraft
from app.store.outbox import OutboxRow, PushWork
from app.store.tasks import TaskDraft
from app.sync.push.base import PushSettings

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def outbox_row(kind: ItemKind, outbox_id: int = 1, *, operation: str = "create", **changes: Any) -> OutboxRow:
    row = OutboxRow(
        id=outbox_id, key=f"key-{outbox_id}", connection_id=1, kind=kind, item_id=10 + outbox_id,
        operation=operation, state="queued", attempts=0, next_try_at=None, last_error_code=None,
        last_error_message=None, last_error_hint=None, remote_id=None, created_at=WHEN, updated_at=WHEN,
        sent_at=None, sent_payload=None, link_id=None, conflict=None, notice=None)
    return dataclasses.replace(row, **changes)


def note(**changes: Any) -> NoteDraft:
    draft = NoteDraft(
        id=11, uid="0b7a3c4e-1111-4222-8333-444455556666", connection_id=1, contact_id=3,
        parent_sf_id="003000000000001AAA", event_id=None, event_sf_id=None, title="Annual review",
        body_markdown="Talked about **college savings**.", tags=(), template=None, state="queued",
        remote_id=None, remote_type=None, last_pushed_hash=None, created_at=WHEN, updated_at=WHEN)
    return dataclasses.replace(draft, **changes)


def task(**changes: Any) -> TaskDraft:
    draft = TaskDraft(
        id=12, uid="1c8b4d5f-2222-4333-8444-555566667777", connection_id=1, contact_id=3, note_id=None,
        subject="Send the 529 forms", due_date=None, priority=None, status=None, owner_id=None,
        who_id="003000000000001AAA", what_id=None, description="", state="queued", remote_id=None,
        last_pushed_hash=None, created_at=WHEN, updated_at=WHEN)
    return dataclasses.replace(draft, **changes)


def note_work(outbox_id: int = 1, *, operation: str = "create", **changes: Any) -> PushWork:
    return PushWork(outbox_row(ItemKind.NOTE, outbox_id, operation=operation), note=note(**changes))


def task_work(outbox_id: int = 2, *, operation: str = "create", **changes: Any) -> PushWork:
    return PushWork(outbox_row(ItemKind.TASK, outbox_id, operation=operation), task=task(**changes))


def run_view(note_type: str = "ContentNote", **settings: Any) -> Any:
    """The two things grouping reads from a run: its settings and how new notes are created."""
    return SimpleNamespace(settings=PushSettings(**settings), note_type=note_type)
