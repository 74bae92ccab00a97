"""Tasks: one sObject Collections create per 200, updates after a conflict check.

A create fills what the draft left unset with the org's defaults (Status and Priority are required)
and the signed-in user as assignee; the draft learns them once pushed.  An update sends only what
the advisor sees, so Salesforce keeps its own value of a field left unset.

The reminder (IsReminderSet/ReminderDateTime) is sent only when the org lets this user write both
(``TaskPicklists.reminders``, from the Task describe): field-level security can hide them, and a
payload naming a hidden field fails.  It is outside the fingerprint, so it never raises a conflict.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from app.salesforce.errors import SalesforceError
from app.store import tasks as tasks_repo
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.store.tasks import TaskDraft, TaskPicklists
from app.sync import picklists
from app.sync.picklists import REMINDER_FIELDS
from app.sync.push import conflicts as push_conflicts
from app.sync.push import mapping as push_mapping
from app.sync.push.conflicts import RemoteVersion
from app.sync.push.kinds.base import DraftHandler
from app.sync.push.kinds.updates import Update, update_checked
from app.sync.push.ledger import Ledger, Sent
from app.sync.push.limits import LimitProblem, task_problems
from app.sync.push.mapping import TASK_FIELDS, fingerprint, reminder_fields
from app.sync.push.pace import Pacer
from app.sync.push.reconcile import LookupSpec, SentCreate
from app.sync.push.run import PushRun

log = logging.getLogger(__name__)
TASK = "Task"
RESTRICTED_PICKLIST = "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
CREATE, UPDATE = TASK, f"update:{TASK}"


def _bucket(record: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(record.get("Subject") or ""),)


def _plausible(item: SentCreate, _text: str, candidate: Mapping[str, Any]) -> bool:
    names = tuple(n for n in TASK_FIELDS if n in item.record)
    return fingerprint(candidate, names) == fingerprint(item.record, names)


# Created by this user since we sent it, with the subject we sent and every field we sent equal — or,
# when the org has an external-ID field for our key (PushSettings.task_key_field), by that key.
TASK_LOOKUP = LookupSpec(TASK, TASK_FIELDS, "Subject", _bucket, _plausible, key_field=True)


def task_of(w: PushWork) -> TaskDraft:
    assert w.task is not None
    return w.task


def remember_held(w: PushWork, held: dict[str, Any], ledger: Ledger) -> None:
    """A pushed task's draft learns what Salesforce now holds (``held``: the Task's fields) for
    Status, Priority and assignee where it had none — the org's defaults we filled in on create,
    Salesforce's own values kept on update — so the editor shows them, not a stand-in that the
    next save would send (:func:`app.store.tasks.fill_unset`)."""
    task = task_of(w)
    reminder_held = task.reminder_set is None and isinstance(held.get("IsReminderSet"), bool)
    if task.status and task.priority and task.owner_id and not reminder_held:
        return
    values: dict[str, Any] = {
        "status": held.get("Status"), "priority": held.get("Priority"), "owner_id": held.get("OwnerId")}
    if reminder_held:  # the advisor never chose: the draft learns Salesforce's reminder
        values["reminder_set"] = held["IsReminderSet"]
        values["reminder_at"] = reminder_time(held.get("ReminderDateTime"))
    ledger.later(lambda s: tasks_repo.fill_unset(s, task.id, **values))


def reminder_time(value: Any) -> datetime | None:
    """Salesforce's ``2026-12-05T09:30:00.000+0000`` (or an ISO form) as an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    text = value[:-5] + value[-5:-2] + ":" + value[-2:] if value[-5:-4] in "+-" else value
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class TaskHandler(DraftHandler):
    kind: ClassVar[ItemKind] = ItemKind.TASK
    sobjects: ClassVar[tuple[str, ...]] = (TASK,)
    groups: ClassVar[tuple[str, ...]] = (CREATE, UPDATE)
    lookups: ClassVar[tuple[LookupSpec, ...]] = (TASK_LOOKUP,)

    def problems(self, w: PushWork) -> list[LimitProblem]:
        task = task_of(w)
        return task_problems(task.subject, task.description)

    def group_of(self, w: PushWork, run: PushRun) -> str:
        return UPDATE if task_of(w).remote_id else CREATE

    def lead_id(self, w: PushWork) -> str | None:
        return task_of(w).who_id

    def record_object(self, w: PushWork, run: PushRun) -> str:
        return TASK

    def settle_found(self, s: Sent, remote_id: str, sobject: str, ledger: Ledger) -> bool:
        remember_held(s.work, s.record, ledger)
        return super().settle_found(s, remote_id, sobject, ledger)

    async def send(self, group: str, chunk: list[PushWork], run: PushRun) -> list[int]:
        if group == UPDATE:
            reminders = await self._reminders(chunk, run)
            return await update_checked(run, chunk, TASK, partial(self._update, reminders=reminders),
                                        lambda w, held, r: remember_held(w, held, r.ledger),
                                        extra_fields=REMINDER_FIELDS if reminders else ())
        return await self._create(chunk, run)

    async def _reminders(self, chunk: list[PushWork], run: PushRun) -> bool:
        """Whether to send the reminder: some task in ``chunk`` has one chosen and the org lets us
        write it (asked once, then cached with the picklists)."""
        if all(task_of(w).reminder_set is None for w in chunk):
            return False
        lists = await run.gate.call(picklists.cached_or_fetch(run.client, run.db, run.connection_id,
                                                              need_reminders=True))
        return bool(lists.reminders)

    # -- creates ---------------------------------------------------------------------------------------
    async def _create(self, chunk: list[PushWork], run: PushRun) -> list[int]:
        reminders = await self._reminders(chunk, run)
        lists = await self._picklists(chunk, run)
        sent = []
        pacer = Pacer()  # 200 payloads and fingerprints: the loop gets turns (app.sync.push.pace)
        for w in chunk:
            await pacer.turn()
            record = self.payload(w, lists, run, reminders=reminders)
            sent.append(Sent(w, record, push_mapping.sent_fingerprint(record)))
        answer = await run.protocol.send(sent, lambda: run.client.create_many([s.record for s in sent]))
        if answer.results is None:
            return answer.retry
        retry: list[int] = []
        stale = False
        for s, result in zip(sent, answer.results, strict=True):
            if result.success and result.id:
                remember_held(s.work, s.record, run.ledger)
                run.ledger.pushed(s.work, result.id, TASK, s.fp)
            else:
                stale |= any(e.error_code == RESTRICTED_PICKLIST for e in result.errors)
                retry += await run.protocol.item_failed(s.work, result.errors)
        if stale:
            await self._reload_picklists(run)
        return retry

    @staticmethod
    async def _reload_picklists(run: PushRun) -> None:
        """The org refused a Status/Priority value (restricted picklists take only the org's own values,
        docs/salesforce-fidelity.md rule picklist-restricted): the cached list may be out of date, so read
        it again, and the task editor offers what the org accepts now. Best effort: the item already says
        what to fix."""
        try:
            await run.gate.call(picklists.refresh(run.client, run.db, run.connection_id))
        except SalesforceError as exc:
            log.info("could not reload the task picklists after a refusal: %s", exc.error_code)

    async def _picklists(self, chunk: list[PushWork], run: PushRun) -> TaskPicklists:
        """Org defaults for tasks without a status/priority (Salesforce requires both); read once."""
        if all(task_of(w).status and task_of(w).priority for w in chunk):
            return TaskPicklists()
        return await run.gate.call(picklists.cached_or_fetch(run.client, run.db, run.connection_id))

    def payload(self, w: PushWork, lists: TaskPicklists, run: PushRun, *, reminders: bool = False) -> dict[str, Any]:
        """A create: fields the draft left unset get the org's defaults and the signed-in user."""
        record = push_mapping.task_record(task_of(w), default_owner=run.user_id,
                                          key_field=run.settings.task_key_field, key=w.outbox.key,
                                          reminders=reminders)
        record.setdefault("Status", lists.default_status)
        record.setdefault("Priority", lists.default_priority)
        return {k: v for k, v in record.items() if v is not None or k not in ("Status", "Priority")}

    # -- updates ---------------------------------------------------------------------------------------
    @staticmethod
    def _update(w: PushWork, remote_id: str, theirs: RemoteVersion, *, reminders: bool = False) -> Update:
        """Sends what the advisor sees and nothing in its place: a field the draft leaves unset is not
        sent, so Salesforce keeps its value — never the org's *current* default, nor the signed-in
        user, which would overwrite what the record holds."""
        record = push_mapping.task_record(task_of(w), default_owner=None, reminders=reminders)
        record["Id"] = remote_id
        # Fields not sent keep Salesforce's value: compare (and remember) the record as it will be.
        held = {**theirs.shown, **record}
        mine = reminder_fields(task_of(w)) if reminders else {}
        changed = any(not _same(name, value, theirs.shown.get(name)) for name, value in mine.items())
        return Update(record, push_conflicts.comparable(TASK, held), held, unfingerprinted_change=changed)


def _same(name: str, mine: Any, theirs: Any) -> bool:
    if name == "ReminderDateTime":
        return reminder_time(mine) == reminder_time(theirs)
    return bool(mine) == bool(theirs)


__all__ = ["TASK_LOOKUP", "TaskHandler", "remember_held", "reminder_time"]
