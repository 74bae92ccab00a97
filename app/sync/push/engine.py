"""The push engine: drains the outbox into Salesforce, exactly once per item.

One run (:meth:`PushEngine.push`):

1. **Reconcile** every create whose outcome is unknown (``sent_at`` recorded, no remote Id: a lost
   response or a kill -9 mid-push) by looking it up (:mod:`app.sync.push.reconcile`) — before
   anything else is sent.
2. **Send** in batches: sObject Collections (≤ 200 records, ``allOrNone=false``) for Tasks, classic
   Notes, ContentNotes and their ContentDocumentLinks; a Composite request with references
   (ContentNote, then its link via ``@{noteN.id}``) when a batch of notes is small enough for one
   call; updates after a conflict check (:mod:`app.sync.push.conflicts`); Client-tagged meeting
   notes into their Event's Description.  Before each request the exact payload and ``sent_at`` are
   committed (``outbox.mark_sending``).
3. **Settle** each item from its own result: pushed, needs attention (Salesforce's message and a
   hint), re-targeted (a converted Lead → its Contact, then sent again) or waiting.

A failure of a whole request stops the run: offline / Salesforce down → waiting (the loop probes
with backoff); API limit or reserve reached → waiting until the budget recovers; signed out →
waiting until the advisor signs in again.  Nothing is ever dropped; drafts stay on disk.

Sizes: 200 tasks = 1 call; 200 ContentNotes = 2 calls (notes, then links); ≤ 12 notes = 1 composite.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from app.salesforce.errors import SalesforceError
from app.store import outbox as outbox_repo
from app.store.outbox import PushWork
from app.store.types import utcnow
from app.sync.push import mapping as push_mapping
from app.sync.push.base import (
    OFFLINE_REASON,
    SIGNED_OUT_REASON,
    PushReport,
    PushSettings,
    StopRun,
    _Sent,
    stop_for,
)
from app.sync.push.engine_settings import SettingsApplied
from app.sync.push.limits import note_problems, task_problems
from app.sync.push.senders import Senders

__all__ = ["OFFLINE_REASON", "SIGNED_OUT_REASON", "PushEngine", "PushReport", "PushSettings", "StopRun"]

log = logging.getLogger(__name__)


class PushEngine(SettingsApplied, Senders):
    """Pushes one connection's outbox with one ``SalesforceClient`` (tests pass the demo org's).

    ``PushEngine(client, db, connection_id, settings=None, *, on_progress=..., budget=None)``.
    """

    # -- the run ------------------------------------------------------------------------------------
    async def push(self, outbox_ids: Sequence[int] | None = None, *, cancel: asyncio.Event | None = None) -> PushReport:
        """Push what is due (or just ``outbox_ids``).  Never raises for Salesforce trouble: the report
        says what happened, and every item is settled or waiting.

        Only the workspace's writer process pushes: the first push claims the workspace lock for this
        process (:meth:`Database.claim_writer`), and a push while another Notebridge holds it raises
        :class:`~app.store.errors.WorkspaceBusyError` before anything is taken or sent."""
        self.db.claim_writer()
        self._report = report = PushReport()
        self._open, self._ops, self._created_rows, self._pushed_rows = {}, [], [], []
        self._reset_settings_state()
        start_calls = self.client.api_calls
        try:
            try:
                await self._run(outbox_ids, cancel)
            except SalesforceError as exc:  # one no step turned into a stop: still settle and report
                log.warning("push: unhandled %r", exc)
                raise stop_for(exc, self) from exc
        except StopRun as stop:
            report.status, report.reason, report.next_try_at = stop.status, stop.reason, stop.retry_at
            await self._flush()
            if stop.status != "cancelled" and self._open:
                ids, code, reason, retry_at = list(self._open), stop.code, stop.reason, stop.retry_at
                await self.db.run(lambda s: outbox_repo.settle_waiting(
                    s, ids, code=code, reason=reason, next_try_at=retry_at))
                report.waiting += len(ids)
            log.info("push stopped (%s): %s", stop.status, stop.reason)
        finally:
            report.api_calls = self.client.api_calls - start_calls
            self.budget.update(self.client.api_usage)
            await self._write_log(report)
        return report

    async def _run(self, outbox_ids: Sequence[int] | None, cancel: asyncio.Event | None) -> None:
        conn = await self.db.run(lambda s: outbox_repo.connection_user(s, self.connection_id))
        if conn is None:
            raise ValueError(f"connection {self.connection_id} does not exist")
        self._user_id, note_type, _instance = conn
        self._note_type = self.settings.note_type or note_type or "ContentNote"
        await self._push_people()  # new people first: notes and tasks written about them follow
        now = utcnow()
        work = await self.db.run(lambda s: outbox_repo.due(s, self.connection_id, now, outbox_ids=outbox_ids))
        if not work:
            self._report.status = "done" if self._log_items else "nothing"
            return
        self._open = {w.outbox.id: w for w in work}
        self._total, self._done = len(work), 0
        unknown = [w for w in work if w.outbox.outcome_unknown]
        if unknown:
            await self._reconcile([self._recorded(w) for w in unknown])
        work = await self._reload(list(self._open))
        for _pass in range(3):  # a re-targeted or reconciled item gets another go in the same run
            retry = await self._send_all(work, cancel)
            if not retry:
                break
            work = await self._reload(retry)
        await self._link_accounts()
        self._report.status = "done"

    async def _reload(self, ids: list[int]) -> list[PushWork]:
        await self._flush()
        if not ids:
            return []
        now = utcnow()
        work = await self.db.run(lambda s: outbox_repo.due(s, self.connection_id, now, outbox_ids=ids))
        for w in work:
            self._open[w.outbox.id] = w
        work = await self._prepare(work)  # the advisor's settings: titles, where it appears, what is held
        for w in work:
            self._open[w.outbox.id] = w
        return work

    def _recorded(self, w: PushWork) -> _Sent:
        payload = w.outbox.sent_payload or {}
        record = payload.get("record") or {}
        return _Sent(w, record, push_mapping.sent_fingerprint(record), payload.get("parent"))

    # -- grouping -------------------------------------------------------------------------------------
    async def _send_all(self, work: list[PushWork], cancel: asyncio.Event | None) -> list[int]:
        retry: list[int] = []
        groups: dict[str, list[PushWork]] = {}
        for w in work:
            if w.outbox.id not in self._open:
                continue
            if not await self._valid(w):
                continue
            if await self._pre_retarget(w):
                retry.append(w.outbox.id)
                continue
            groups.setdefault(self._group_of(w), []).append(w)
        for name in ("ContentNote", "Note", "link", "update:ContentNote", "update:Note", "Event", "Task",
                     "update:Task"):
            items = groups.get(name, [])
            for start in range(0, len(items), self.settings.batch_size):
                if cancel is not None and cancel.is_set():
                    raise StopRun("cancelled", "CANCELLED", "Push cancelled.", None)
                chunk = items[start:start + self.settings.batch_size]
                try:
                    retry += await self._send_group(name, chunk)
                finally:
                    await self._flush()
                self._progress(name)
        return retry

    def _group_of(self, w: PushWork) -> str:
        if w.task is not None:
            return "update:Task" if w.task.remote_id else "Task"
        note = w.note
        assert note is not None
        if note.remote_id and note.remote_type in ("ContentNote", "Note"):
            if w.outbox.operation == "create" and note.remote_type == "ContentNote":
                return "link"
            return f"update:{note.remote_type}"
        summaries = self.settings.meeting_summaries or note.remote_type == "Event"  # never a second copy
        if note.is_client_meeting_note and summaries and note.remote_type in (None, "Event"):
            return "Event"
        return self._note_type if self._note_type in ("ContentNote", "Note") else "ContentNote"

    async def _send_group(self, name: str, chunk: list[PushWork]) -> list[int]:
        if name == "Task":
            return await self._create_simple(chunk, "Task")
        if name == "Note":
            return await self._create_simple(chunk, "Note")
        if name == "ContentNote":
            return await self._create_content_notes(chunk)
        if name == "link":
            return await self._link([(w, w.note.remote_id or "", w.note.last_pushed_hash)
                                    for w in chunk if w.note is not None])
        if name == "Event":
            return await self._events(chunk)
        return await self._update(chunk, name.split(":", 1)[1])

    async def _valid(self, w: PushWork) -> bool:
        if w.note is not None:
            problems = note_problems(w.note.title, w.note.body_markdown,
                                     has_parent=bool(w.note.parent_sf_id or w.note.remote_id))
            what = "note"
        else:
            assert w.task is not None
            problems = task_problems(w.task.subject, w.task.description)
            what = "task"
        if not problems:
            return True
        message = " ".join(p.message for p in problems)
        await self._failed(w, "LIMIT", message, f"Edit the {what}, then push again. Nothing was sent.")
        await self._flush()
        return False

    async def _pre_retarget(self, w: PushWork) -> bool:
        """A Lead we already know was converted: point the item at its Contact before sending."""
        person = w.person
        if person is None or person.source_object != "Lead" or not person.is_converted:
            return False
        if not person.converted_contact_id or (w.note is not None and w.note.remote_id):
            return False
        await self._apply_retarget(w, person.converted_contact_id, person.converted_account_id)
        return True

