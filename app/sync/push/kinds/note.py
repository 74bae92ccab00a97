"""Notes: ContentNotes (linked to their client), classic Notes, updates, and meeting summaries.

Requests, in the order a run sends them:

* ``ContentNote`` — ≤ ``composite_max_notes`` notes: one Composite request, each note then its
  ContentDocumentLink via ``@{noteN.id}``; more: an sObject Collections create, then the links;
* ``Note`` — classic Notes (one parent each), one collections create per 200;
* ``link`` — ContentNotes created in an earlier pass or run that still need their link;
* ``update:ContentNote`` / ``update:Note`` — after a conflict check (:mod:`.updates`);
* ``Event`` — Client-tagged meeting notes into their Event's Description (:mod:`.note_events`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from app.salesforce.errors import ErrorDetail, OutcomeUnknown, SalesforceError
from app.salesforce.results import SaveResult
from app.store.kinds import ItemKind
from app.store.notes import NoteDraft
from app.store.outbox import PushWork
from app.sync.push import conflicts as push_conflicts
from app.sync.push import mapping as push_mapping
from app.sync.push.conflicts import RemoteVersion
from app.sync.push.kinds import note_events
from app.sync.push.kinds.base import DraftHandler
from app.sync.push.kinds.updates import Update, update_checked
from app.sync.push.ledger import Ledger, Sent
from app.sync.push.limits import LimitProblem, note_problems
from app.sync.push.mapping import NOTE_FIELDS, classic_note_fingerprint
from app.sync.push.pace import Pacer
from app.sync.push.reconcile import LookupSpec, SentCreate, html_text, squash
from app.sync.push.run import PushRun

CONTENT_NOTE, CLASSIC_NOTE, LINK, EVENT = "ContentNote", "Note", "link", "Event"
NOTE_TYPES = (CONTENT_NOTE, CLASSIC_NOTE)


def _classic_bucket(record: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(record.get("ParentId") or "")[:15], str(record.get("Title") or ""))


def _classic_plausible(item: SentCreate, _text: str, candidate: Mapping[str, Any]) -> bool:
    return classic_note_fingerprint(candidate) == classic_note_fingerprint(item.record)


def _title_bucket(record: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(record.get("Title") or ""),)


def _content_plausible(item: SentCreate, ours_text: str, candidate: Mapping[str, Any]) -> bool:
    if candidate.get("Title") != item.record.get("Title"):
        return False
    preview = squash(str(candidate.get("TextPreview") or ""))
    return ours_text.startswith(preview) if preview else not ours_text


# Neither object takes a field for our key (Note has no custom fields; ContentNote shows only
# Title/Content), so the marker is the record itself: this user, since we sent it, same fields.
CLASSIC_NOTE_LOOKUP = LookupSpec(CLASSIC_NOTE, NOTE_FIELDS, "ParentId", _classic_bucket, _classic_plausible)
CONTENT_NOTE_LOOKUP = LookupSpec(CONTENT_NOTE, ("Title", "TextPreview", "ContentSize"), "Title", _title_bucket,
                                 _content_plausible, lambda item: html_text(item.record.get("Content")),
                                 full_text=True)


def note_of(w: PushWork) -> NoteDraft:
    assert w.note is not None
    return w.note


class NoteHandler(DraftHandler):
    kind: ClassVar[ItemKind] = ItemKind.NOTE
    sobjects: ClassVar[tuple[str, ...]] = (CONTENT_NOTE, "ContentDocumentLink", CLASSIC_NOTE, EVENT)
    groups: ClassVar[tuple[str, ...]] = (CONTENT_NOTE, CLASSIC_NOTE, LINK, f"update:{CONTENT_NOTE}",
                                         f"update:{CLASSIC_NOTE}", EVENT)
    lookups: ClassVar[tuple[LookupSpec, ...]] = (CONTENT_NOTE_LOOKUP, CLASSIC_NOTE_LOOKUP)

    def problems(self, w: PushWork) -> list[LimitProblem]:
        note = note_of(w)
        return note_problems(note.title, note.body_markdown, has_parent=bool(note.parent_sf_id or note.remote_id))

    def group_of(self, w: PushWork, run: PushRun) -> str:
        note = note_of(w)
        if note.remote_id and note.remote_type in NOTE_TYPES:
            if w.outbox.operation == "create" and note.remote_type == CONTENT_NOTE:
                return LINK
            return f"update:{note.remote_type}"
        summaries = run.settings.meeting_summaries or note.remote_type == EVENT  # never a second copy
        if note.is_client_meeting_note and summaries and note.remote_type in (None, EVENT):
            return EVENT
        return run.note_type if run.note_type in NOTE_TYPES else CONTENT_NOTE

    def keeps_target(self, w: PushWork) -> bool:
        return bool(note_of(w).remote_id)  # already in Salesforce: an update stays on its record

    def lead_id(self, w: PushWork) -> str | None:
        return note_of(w).parent_sf_id

    def record_object(self, w: PushWork, run: PushRun) -> str:
        return note_of(w).remote_type or run.note_type

    def edited_since(self, s: Sent, sobject: str) -> bool:
        current = _current_fp(note_of(s.work), sobject)
        return current not in (None, s.fp)

    def settle_found(self, s: Sent, remote_id: str, sobject: str, ledger: Ledger) -> bool:
        if sobject == CONTENT_NOTE:
            ledger.created(s, remote_id)
            return True  # still needs its link
        return super().settle_found(s, remote_id, sobject, ledger)

    async def send(self, group: str, chunk: list[PushWork], run: PushRun) -> list[int]:
        if group == CONTENT_NOTE:
            return await _create_content_notes(chunk, run)
        if group == CLASSIC_NOTE:
            return await _create_classic(chunk, run)
        if group == LINK:
            return await link(run, [(w, note_of(w).remote_id or "", note_of(w).last_pushed_hash) for w in chunk])
        if group == EVENT:
            return await note_events.send(chunk, run)
        sobject = group.split(":", 1)[1]
        return await update_checked(run, chunk, sobject, _update_of(sobject),
                                    read_calls=1 if sobject != CONTENT_NOTE else 1 + 2 * len(chunk))


def _current_fp(note: NoteDraft, remote_type: str) -> str | None:
    """Fingerprint of the draft as this run saw it (to tell whether it was edited after sending)."""
    if remote_type == CONTENT_NOTE:
        return push_mapping.sent_fingerprint(push_mapping.content_note_record(note))
    if remote_type == CLASSIC_NOTE and note.parent_sf_id:
        return push_mapping.sent_fingerprint(push_mapping.classic_note_record(note, note.parent_sf_id))
    return None


def _update_of(sobject: str) -> Any:
    def build(w: PushWork, remote_id: str, _theirs: RemoteVersion) -> Update:
        note = note_of(w)
        record = push_mapping.note_update_record(note, sobject, remote_id)
        return Update(record, push_conflicts.comparable(sobject, record, note.parent_sf_id))

    return build


# -- creates -----------------------------------------------------------------------------------------------
async def _create_classic(chunk: list[PushWork], run: PushRun) -> list[int]:
    sent = []
    pacer = Pacer()
    for w in chunk:
        await pacer.turn()
        note = note_of(w)
        assert note.parent_sf_id
        record = push_mapping.classic_note_record(note, note.parent_sf_id)
        sent.append(Sent(w, record, push_mapping.sent_fingerprint(record), note.parent_sf_id))
    answer = await run.protocol.send(sent, lambda: run.client.create_many([s.record for s in sent]))
    if answer.results is None:
        return answer.retry
    retry: list[int] = []
    for s, result in zip(sent, answer.results, strict=True):
        if result.success and result.id:
            run.ledger.pushed(s.work, result.id, CLASSIC_NOTE, s.fp)
        else:
            retry += await run.protocol.item_failed(s.work, result.errors)
    return retry


async def _create_content_notes(chunk: list[PushWork], run: PushRun) -> list[int]:
    def build() -> list[Sent]:
        out = []
        for w in chunk:
            record = push_mapping.content_note_record(note_of(w))
            out.append(Sent(w, record, push_mapping.sent_fingerprint(record), note_of(w).parent_sf_id))
        return out

    # Rendering Markdown for 200 notes takes tens of milliseconds: keep it off the UI's loop.
    sent = build() if len(chunk) <= 10 else await asyncio.to_thread(build)
    if len(sent) <= run.settings.composite_max_notes:
        return await _content_notes_composite(sent, run)
    answer = await run.protocol.send(sent, lambda: run.client.create_many([s.record for s in sent]), calls=2)
    if answer.results is None:
        return answer.retry
    created: list[tuple[PushWork, str, str | None]] = []
    retry: list[int] = []
    for s, result in zip(sent, answer.results, strict=True):
        if result.success and result.id:
            run.ledger.created(s, result.id)
            created.append((s.work, result.id, s.fp))
        else:
            retry += await run.protocol.item_failed(s.work, result.errors)
    return retry + await link(run, created)


async def _content_notes_composite(sent: list[Sent], run: PushRun) -> list[int]:
    subrequests: list[dict[str, Any]] = []
    for n, s in enumerate(sent):
        body = {k: v for k, v in s.record.items() if k != "attributes"}
        subrequests.append({"method": "POST", "url": run.client.sobject_url(CONTENT_NOTE),
                            "referenceId": f"note{n}", "body": body})
        link_body = push_mapping.link_record(f"@{{note{n}.id}}", s.parent or "")
        subrequests.append({"method": "POST", "url": run.client.sobject_url("ContentDocumentLink"),
                            "referenceId": f"link{n}", "body": {k: v for k, v in link_body.items()
                                                                if k != "attributes"}})
    answer = await run.protocol.send(sent, lambda: run.client.composite(subrequests, all_or_none=False))
    if answer.results is None:
        return answer.retry
    by_ref = {r.reference_id: r for r in answer.results}
    retry: list[int] = []
    for n, s in enumerate(sent):
        note, linked = by_ref.get(f"note{n}"), by_ref.get(f"link{n}")
        if note is None or not note.ok or not note.id:
            retry += await run.protocol.item_failed(s.work, note.errors if note is not None else [])
            continue
        run.ledger.created(s, note.id)
        if linked is not None and linked.ok:
            run.ledger.pushed(s.work, note.id, CONTENT_NOTE, s.fp, link_id=linked.id)
        else:
            retry += await _link_failed(run, s.work, note.id, s.fp, linked.errors if linked else [])
    return retry


async def link(run: PushRun, pairs: list[tuple[PushWork, str, str | None]]) -> list[int]:
    """Attach created ContentNotes to their clients.  Re-sending a link is safe: Salesforce
    refuses a second identical link with DUPLICATE_VALUE, which we take as done."""
    pairs = [p for p in pairs if p[1]]
    if not pairs:
        return []
    records = [push_mapping.link_record(doc, note_of(w).parent_sf_id or "") for w, doc, _fp in pairs]
    results: list[SaveResult] | None = None
    for _attempt in range(2):
        await run.gate.spend(1)
        try:
            results = await run.client.create_many(records)
            break
        except OutcomeUnknown:
            continue
        except SalesforceError as exc:
            await run.protocol.whole_call_failed(exc, [p[0] for p in pairs])
            return []
    if results is None:
        raise run.gate.offline()
    retry: list[int] = []
    for (w, doc, fp), result in zip(pairs, results, strict=True):
        if result.success:
            run.ledger.pushed(w, doc, CONTENT_NOTE, fp, link_id=result.id)
        else:
            retry += await _link_failed(run, w, doc, fp, result.errors)
    return retry


async def _link_failed(run: PushRun, w: PushWork, doc: str, fp: str | None,
                       errors: Sequence[ErrorDetail]) -> list[int]:
    if errors and errors[0].error_code == "DUPLICATE_VALUE":
        run.ledger.pushed(w, doc, CONTENT_NOTE, fp)
        return []
    return await run.protocol.item_failed(w, errors)


__all__ = ["CLASSIC_NOTE_LOOKUP", "CONTENT_NOTE_LOOKUP", "NoteHandler", "link"]
