"""The advisor's push settings inside a push run, and the sync log the run leaves behind.

Mixed into :class:`app.sync.push.engine.PushEngine`, so the engine's own modules only gain a few calls:

* **new people first** (:mod:`app.sync.push.prospects`): notes and tasks about them then go to the
  record Salesforce just created;
* **prepare** each item (:mod:`app.sync.push.prepare`): title templates, "appear on" the contact, the
  account or both, kinds turned off held in the Outbox with the reason, items about a person not yet
  in Salesforce held until that person is created;
* **second link** for ContentNotes that should also appear on the household (``attach_to="both"``);
* **the sync log**: one row per settled item (with the local item and the Salesforce record) and one
  row per run with its API calls (``app.store.sync_log``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from app.salesforce.errors import ErrorDetail, OutcomeUnknown, SalesforceError
from app.store import outbox as outbox_repo
from app.store import sync_log
from app.store.outbox import PushWork
from app.store.sync_log import PushLogItem
from app.store.types import utcnow
from app.sync.push import mapping as push_mapping
from app.sync.push import prepare as prepare_push
from app.sync.push import prospects as prospect_push
from app.sync.push.base import EngineBase, PushReport, _raise_stop
from app.sync.push.errors import classify

log = logging.getLogger(__name__)

HOLD_FOR = timedelta(days=1)        # a held kind is looked at again daily (released at once when turned on)
PERSON_RECHECK = timedelta(hours=1)  # a note about a person Salesforce refused: looked at again hourly


class SettingsApplied(EngineBase):
    """State: ``_account_links`` (outbox id → Account Id to link as well), ``_extra_links`` (done
    ContentNotes still to link to their account), ``_log_items`` (rows for the sync log)."""

    def _reset_settings_state(self) -> None:
        self._account_links: dict[int, str] = {}
        self._extra_links: list[tuple[PushWork, str, str]] = []
        self._log_items: list[PushLogItem] = []

    # -- new people -----------------------------------------------------------------------------------
    async def _push_people(self) -> None:
        try:
            people = await prospect_push.push_people(
                self.client, self.db, self.connection_id,
                create_as=getattr(self.settings, "new_people_as", "Contact"),
                lead_source=getattr(self.settings, "lead_source", "Notebridge"),
                user_id=self._user_id, spend=self._spend, retry_after=self.settings.retry_after)
        except SalesforceError as exc:
            _raise_stop(exc, self)
            raise
        for outbox_id, sobject, sf_id in people.created:
            self._log_items.append(PushLogItem("person", people.items[outbox_id], sobject, "pushed", sf_id))
            self._report.pushed += 1
        for outbox_id, code, message in people.failed:
            self._log_items.append(PushLogItem("person", people.items[outbox_id], None, "needs_attention",
                                               None, code, message))
            self._report.needs_attention += 1
        for outbox_id, code, message in people.waiting:
            self._log_items.append(PushLogItem("person", people.items[outbox_id], None, "waiting", None, code,
                                               message))
            self._report.waiting += 1

    # -- preparing the items ----------------------------------------------------------------------------
    async def _prepare(self, work: list[PushWork]) -> list[PushWork]:
        """The snapshots this run sends; held items are settled as waiting (with the reason) and left out."""
        prepared = await prepare_push.prepare(self.db, self.connection_id, self.settings, work)
        now = utcnow()
        holds: list[tuple[int, str, str, Any]] = [
            (outbox_id, prepare_push.HELD_CODE, reason, now + HOLD_FOR) for outbox_id, reason in prepared.held.items()]
        ready: list[PushWork] = []
        for w in prepared.work:
            if prepare_push.waits_for_person(w):
                holds.append((w.outbox.id, prepare_push.WAITING_FOR_PERSON, prepare_push.PERSON_FIRST,
                              now + PERSON_RECHECK))
            else:
                ready.append(w)
        if holds:
            def hold(session: Any) -> None:
                for outbox_id, code, reason, when in holds:
                    outbox_repo.settle_waiting(session, [outbox_id], code=code, reason=reason, next_try_at=when)

            await self.db.run(hold)
            for outbox_id, _code, _reason, _when in holds:
                self._open.pop(outbox_id, None)
            self._report.waiting += len(holds)
        self._account_links.update(prepared.account_links)
        return ready

    # -- settling (logged) --------------------------------------------------------------------------------
    async def _pushed(self, w: PushWork, remote_id: str, remote_type: str, fp: str | None,
                      link_id: str | None = None, *, check_edit: bool = False) -> None:
        await super()._pushed(w, remote_id, remote_type, fp, link_id, check_edit=check_edit)
        self._log(w, "pushed", remote_type, remote_id)
        account = self._account_links.pop(w.outbox.id, None)
        if account and remote_type == "ContentNote":
            self._extra_links.append((w, remote_id, account))

    async def _failed(self, w: PushWork, code: str, message: str, hint: str, conflict: Any = None) -> None:
        await super()._failed(w, code, message, hint, conflict)
        self._log(w, "needs_attention", None, w.item.remote_id, code, message)

    async def _item_failed(self, w: PushWork, errors: list[ErrorDetail]) -> list[int]:
        waiting = self._report.waiting
        retry = await super()._item_failed(w, errors)
        if self._report.waiting > waiting:
            outcome = classify(errors, what="task" if w.task is not None else "note")
            self._log(w, "waiting", None, w.item.remote_id, outcome.code, outcome.message)
        return retry

    def _log(self, w: PushWork, outcome: str, sobject: str | None, record_id: str | None,
             code: str | None = None, message: str | None = None) -> None:
        kind = "note" if w.note is not None else "task"
        if sobject is None:
            sobject = "Task" if w.task is not None else (w.note.remote_type if w.note and w.note.remote_type
                                                         else self._note_type)
        self._log_items.append(PushLogItem(kind, w.item.id, sobject, outcome, record_id, code, message))

    # -- the household link ---------------------------------------------------------------------------------
    async def _link_accounts(self) -> None:
        """ContentNotes that should also appear on the client's account: one more link each, in one call
        per 200.  A failure here leaves the note on the client and says so on the item."""
        pending, self._extra_links = self._extra_links, []
        for start in range(0, len(pending), self.settings.batch_size):
            chunk = pending[start:start + self.settings.batch_size]
            await self._spend(1)
            records = [push_mapping.link_record(doc, account) for _w, doc, account in chunk]
            try:
                results = await self.client.create_many(records)
            except OutcomeUnknown:
                continue  # a link is safe to send again; the next edit's push will not, so say nothing
            except SalesforceError as exc:
                _raise_stop(exc, self)
                results = None
                log.warning("could not link notes to their accounts: %s", exc)
            for n, (w, _doc, _account) in enumerate(chunk):
                result = results[n] if results is not None else None
                if result is not None and (result.success or (result.errors and
                                                               result.errors[0].error_code == "DUPLICATE_VALUE")):
                    continue
                reason = (result.errors[0].message if result is not None and result.errors else "no answer")
                notice = f"Sent to the client, but it could not also be shown on their account ({reason})."
                await self.db.run(partial(outbox_repo.set_notice, outbox_id=w.outbox.id, notice=notice))
                self._report.notices.append(notice)

    # -- the sync log ---------------------------------------------------------------------------------------
    async def _write_log(self, report: PushReport) -> None:
        """One row per settled item and one for the run (status, counts, API calls).  Never fails the run."""
        items, self._log_items = self._log_items, []
        if report.status == "nothing" and not items:
            return
        run = PushLogItem("run", 0, None, report.status, None,
                          None if report.status in ("done", "nothing") else "PUSH_" + report.status.upper(),
                          report.reason or None, report.api_calls)
        cid = self.connection_id
        counts = {"pushed": report.pushed, "needs_attention": report.needs_attention, "waiting": report.waiting}

        def write(session: Any) -> None:
            sync_log.record_push(session, cid, items)
            sync_log.record_run(session, cid, run, counts)

        try:
            await self.db.run(write)
        except Exception:
            log.exception("could not write the push to the sync log")
