"""The requests of a push: creates (Tasks, classic Notes, ContentNotes and their links), updates
after a conflict check, and Client-tagged meeting notes into their Event's Description."""

from __future__ import annotations

import asyncio
from typing import Any

from app.salesforce import soql
from app.salesforce.errors import ErrorDetail, OutcomeUnknown, SalesforceError
from app.salesforce.results import SaveResult
from app.store.outbox import PushWork
from app.store.tasks import TaskPicklists
from app.store.types import utcnow
from app.sync import picklists
from app.sync.push import conflicts as push_conflicts
from app.sync.push import mapping as push_mapping
from app.sync.push.base import OFFLINE_REASON, EngineBase, StopRun, _jsonable, _Sent


class Senders(EngineBase):
    # -- creates ------------------------------------------------------------------------------------
    async def _picklists(self, chunk: list[PushWork]) -> TaskPicklists:
        """Org defaults for tasks without a status/priority (Salesforce requires both); read once."""
        if all(w.task is not None and w.task.status and w.task.priority for w in chunk):
            return TaskPicklists()
        return await self._call(picklists.cached_or_fetch(self.client, self.db, self.connection_id), chunk)

    def _task_payload(self, w: PushWork, lists: TaskPicklists) -> dict[str, Any]:
        """A create: fields the draft left unset get the org's defaults (Status and Priority are
        required) and the signed-in user as assignee; the draft records them once pushed."""
        assert w.task is not None
        record = push_mapping.task_record(w.task, default_owner=self._user_id,
                                          key_field=self.settings.task_key_field, key=w.outbox.key)
        record.setdefault("Status", lists.default_status)
        record.setdefault("Priority", lists.default_priority)
        return {k: v for k, v in record.items() if v is not None or k not in ("Status", "Priority")}

    def _task_update(self, w: PushWork, remote_id: str) -> dict[str, Any]:
        """An update sends what the advisor sees and nothing in its place: a field the draft leaves
        unset is not sent, so Salesforce keeps its value — never the org's *current* default, nor the
        signed-in user, which would overwrite what the record holds."""
        assert w.task is not None
        record = push_mapping.task_record(w.task, default_owner=None)
        record["Id"] = remote_id
        return record

    async def _create_simple(self, chunk: list[PushWork], sobject: str) -> list[int]:
        if sobject == "Task":
            lists = await self._picklists(chunk)
            sent = []
            for w in chunk:
                record = self._task_payload(w, lists)
                sent.append(_Sent(w, record, push_mapping.sent_fingerprint(record)))
        else:
            sent = []
            for w in chunk:
                assert w.note is not None and w.note.parent_sf_id
                record = push_mapping.classic_note_record(w.note, w.note.parent_sf_id)
                sent.append(_Sent(w, record, push_mapping.sent_fingerprint(record), w.note.parent_sf_id))
        await self._spend(1)
        await self._mark_sending(sent)
        try:
            results = await self.client.create_many([s.record for s in sent])
        except OutcomeUnknown:
            return await self._reconcile(sent)
        except SalesforceError as exc:
            await self._whole_call_failed(exc, [s.work for s in sent])
            return []
        retry: list[int] = []
        for s, result in zip(sent, results, strict=True):
            if result.success and result.id:
                self._remember_held(s.work, s.record)
                await self._pushed(s.work, result.id, sobject, s.fp)
            else:
                retry += await self._item_failed(s.work, result.errors)
        return retry

    async def _create_content_notes(self, chunk: list[PushWork]) -> list[int]:
        def build() -> list[_Sent]:
            out = []
            for w in chunk:
                assert w.note is not None
                record = push_mapping.content_note_record(w.note)
                out.append(_Sent(w, record, push_mapping.sent_fingerprint(record), w.note.parent_sf_id))
            return out

        # Rendering Markdown for 200 notes takes tens of milliseconds: keep it off the UI's loop.
        sent = build() if len(chunk) <= 10 else await asyncio.to_thread(build)
        if len(sent) <= self.settings.composite_max_notes:
            return await self._content_notes_composite(sent)
        await self._spend(2)
        await self._mark_sending(sent)
        try:
            results = await self.client.create_many([s.record for s in sent])
        except OutcomeUnknown:
            return await self._reconcile(sent)
        except SalesforceError as exc:
            await self._whole_call_failed(exc, [s.work for s in sent])
            return []
        created: list[tuple[PushWork, str, str | None]] = []
        retry: list[int] = []
        for s, result in zip(sent, results, strict=True):
            if result.success and result.id:
                await self._created(s, result.id)
                created.append((s.work, result.id, s.fp))
            else:
                retry += await self._item_failed(s.work, result.errors)
        return retry + await self._link(created)

    async def _content_notes_composite(self, sent: list[_Sent]) -> list[int]:
        subrequests: list[dict[str, Any]] = []
        for n, s in enumerate(sent):
            body = {k: v for k, v in s.record.items() if k != "attributes"}
            subrequests.append({"method": "POST", "url": self.client.sobject_url("ContentNote"),
                                "referenceId": f"note{n}", "body": body})
            link_body = push_mapping.link_record(f"@{{note{n}.id}}", s.parent or "")
            subrequests.append({"method": "POST", "url": self.client.sobject_url("ContentDocumentLink"),
                                "referenceId": f"link{n}", "body": {k: v for k, v in link_body.items()
                                                                    if k != "attributes"}})
        await self._spend(1)
        await self._mark_sending(sent)
        try:
            results = await self.client.composite(subrequests, all_or_none=False)
        except OutcomeUnknown:
            return await self._reconcile(sent)
        except SalesforceError as exc:
            await self._whole_call_failed(exc, [s.work for s in sent])
            return []
        by_ref = {r.reference_id: r for r in results}
        retry: list[int] = []
        for n, s in enumerate(sent):
            note, link = by_ref.get(f"note{n}"), by_ref.get(f"link{n}")
            if note is None or not note.ok or not note.id:
                errors = note.errors if note is not None else []
                retry += await self._item_failed(s.work, errors)
                continue
            await self._created(s, note.id)
            if link is not None and link.ok:
                await self._pushed(s.work, note.id, "ContentNote", s.fp, link_id=link.id)
            else:
                retry += await self._link_failed(s.work, note.id, s.fp, link.errors if link else [])
        return retry

    async def _link(self, pairs: list[tuple[PushWork, str, str | None]]) -> list[int]:
        """Attach created ContentNotes to their clients.  Re-sending a link is safe: Salesforce
        refuses a second identical link with DUPLICATE_VALUE, which we take as done."""
        pairs = [p for p in pairs if p[1]]
        if not pairs:
            return []
        records = [push_mapping.link_record(doc, (w.note.parent_sf_id if w.note else "") or "")
                   for w, doc, _fp in pairs]
        results: list[SaveResult] | None = None
        for _attempt in range(2):
            await self._spend(1)
            try:
                results = await self.client.create_many(records)
                break
            except OutcomeUnknown:
                continue
            except SalesforceError as exc:
                await self._whole_call_failed(exc, [p[0] for p in pairs])
                return []
        if results is None:
            raise StopRun("offline", "NETWORK_ERROR", OFFLINE_REASON, utcnow() + self.settings.retry_after)
        retry: list[int] = []
        for (w, doc, fp), result in zip(pairs, results, strict=True):
            if result.success:
                await self._pushed(w, doc, "ContentNote", fp, link_id=result.id)
            else:
                retry += await self._link_failed(w, doc, fp, result.errors)
        return retry

    async def _link_failed(self, w: PushWork, doc: str, fp: str | None, errors: list[ErrorDetail]) -> list[int]:
        if errors and errors[0].error_code == "DUPLICATE_VALUE":
            await self._pushed(w, doc, "ContentNote", fp)
            return []
        return await self._item_failed(w, errors)

    # -- updates ------------------------------------------------------------------------------------
    async def _update(self, chunk: list[PushWork], sobject: str) -> list[int]:
        ids = [w.item.remote_id or "" for w in chunk]
        await self._spend(1 if sobject != "ContentNote" else 1 + 2 * len(chunk))
        remote = await self._call(push_conflicts.fetch(self.client, sobject, ids), chunk)
        to_send: list[_Sent] = []
        held: dict[int, dict[str, Any]] = {}  # outbox id → the Task as Salesforce will hold it
        for w in chunk:
            remote_id = w.item.remote_id or ""
            theirs = remote[remote_id]
            if sobject == "Task":
                record = self._task_update(w, remote_id)
                # Fields not sent keep Salesforce's value: compare (and remember) the record as it will be.
                held[w.outbox.id] = {**theirs.shown, **record}
                mine = push_conflicts.comparable(sobject, held[w.outbox.id])
            else:
                assert w.note is not None
                record = push_mapping.note_update_record(w.note, sobject, remote_id)
                mine = push_conflicts.comparable(sobject, record, w.note.parent_sf_id)
            if not theirs.exists:
                await self._failed(w, "ENTITY_IS_DELETED", "This record was deleted in Salesforce.",
                                   "Use “Save as new” to push it again as a new record.",
                                   conflict={"deleted": True})
            elif theirs.fingerprint == mine:
                self._remember_held(w, held.get(w.outbox.id, {}))
                await self._pushed(w, remote_id, sobject, mine)  # already there (e.g. a lost response)
            elif w.item.last_pushed_hash and theirs.fingerprint != w.item.last_pushed_hash:
                self._report.conflicts += 1
                await self._failed(
                    w, "CONFLICT", "Changed in Salesforce since your last push.",
                    "Compare both versions, then keep yours, take Salesforce's, or save yours as new.",
                    conflict={"theirs": theirs.shown, "theirs_hash": theirs.fingerprint,
                              "changes": _jsonable(theirs.changes), "sobject": sobject})
            else:
                to_send.append(_Sent(w, record, mine))
        if not to_send:
            return []
        await self._spend(1)
        await self._mark_sending(to_send)
        try:
            results = await self.client.update_many([s.record for s in to_send])
        except SalesforceError as exc:
            await self._whole_call_failed(exc, [s.work for s in to_send])
            return []
        retry: list[int] = []
        for s, result in zip(to_send, results, strict=True):
            if result.success:
                self._remember_held(s.work, held.get(s.work.outbox.id, {}))
                await self._pushed(s.work, s.record["Id"], sobject, s.fp)
            else:
                retry += await self._item_failed(s.work, result.errors)
        return retry

    async def _events(self, chunk: list[PushWork]) -> list[int]:
        """Client-tagged meeting notes: our section of the Event's Description, the rest kept."""
        event_ids = sorted({w.note.event_sf_id for w in chunk if w.note and w.note.event_sf_id})
        await self._spend(2)
        query = soql.select(["Id", "Description"], "Event", where=soql.fmt("Id IN {}", event_ids))
        rows = await self._call(self.client.query_list(query), chunk)
        descriptions = {str(r["Id"])[:15]: r.get("Description") for r in rows}
        merged: dict[str, str] = {}
        members: dict[str, list[PushWork]] = {}
        for w in chunk:
            assert w.note is not None and w.note.event_sf_id
            key = w.note.event_sf_id[:15]
            if key not in descriptions:
                await self._failed(w, "ENTITY_IS_DELETED", "The meeting was deleted in Salesforce.",
                                   "Choose another meeting, or remove the Client tag, then push again.")
                continue
            text = push_mapping.merge_event_description(merged.get(key, descriptions[key]), w.note)
            if len(text) > push_mapping.EVENT_DESCRIPTION_MAX:
                await self._failed(w, "LIMIT", "The meeting's description would exceed Salesforce's 32,000 "
                                   "characters.", "Shorten the note, then push again. Nothing was sent.")
                continue
            merged[key] = text
            members.setdefault(key, []).append(w)
        if not merged:
            return []
        records = []
        sent: list[_Sent] = []
        for key, text in merged.items():
            first = members[key][0].note
            assert first is not None  # every member is a meeting note (checked above)
            records.append({"attributes": {"type": "Event"}, "Id": first.event_sf_id, "Description": text})
            for w in members[key]:
                assert w.note is not None
                section = push_mapping.event_section(w.note)
                sent.append(_Sent(w, records[-1], push_mapping.fingerprint({"s": section}, ("s",))))
        await self._mark_sending(sent)
        try:
            results = await self.client.update_many(records)
        except SalesforceError as exc:
            await self._whole_call_failed(exc, [s.work for s in sent])
            return []
        by_event = {str(r["Id"])[:15]: res for r, res in zip(records, results, strict=True)}
        retry: list[int] = []
        for s in sent:
            result = by_event[str(s.record["Id"])[:15]]
            if result.success:
                await self._pushed(s.work, str(s.record["Id"]), "Event", s.fp)
            else:
                retry += await self._item_failed(s.work, result.errors)
        return retry

