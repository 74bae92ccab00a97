"""Drafts → Salesforce records, and the fingerprints that make pushes comparable.

Targets:
* Task: ``Subject, ActivityDate, Status, Priority, OwnerId, WhoId, WhatId, Description``.
* ContentNote (Enhanced Notes): ``Title`` + ``Content`` (base64 of escaped HTML), then a
  ContentDocumentLink (``ShareType`` V, ``Visibility`` AllUsers) to the client
  (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentdocumentlink.htm).
* Note (classic): ``ParentId, Title, Body`` (plain text).
* Client-tagged meeting notes: our own section of the Event's ``Description``, between markers that
  carry the note's uid, replaced on re-push; the rest of the description is kept.

A *fingerprint* is a hash of the fields as Salesforce gives them back (normalised: newlines, Ids to
15 characters, empty = null), so "what we pushed", "what we are about to push" and "what Salesforce
has now" can be compared to detect conflicts and to recognise our own record after a lost response.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from app.store.notes import NoteDraft
from app.store.tasks import TaskDraft
from app.sync.push.markdown_html import html_to_text, markdown_to_html, markdown_to_text

TASK_FIELDS = ("Subject", "ActivityDate", "Status", "Priority", "OwnerId", "WhoId", "WhatId", "Description")
NOTE_FIELDS = ("Title", "Body", "ParentId")
CONTENT_NOTE_FIELDS = ("Title", "Text")  # Text: the words of Content (HTML normalised away)
EVENT_DESCRIPTION_MAX = 32_000
_SECTION = re.compile(r"\[Notebridge note (?P<uid>[0-9a-f-]{8,36})\]\n.*?\n\[/Notebridge note (?P=uid)\]",
                      re.DOTALL)


def task_record(task: TaskDraft, *, default_owner: str | None, key_field: str | None = None,
                key: str | None = None, reminders: bool = False) -> dict[str, Any]:
    """The Task as sent.  ``key_field``: an external-ID text field the org added for us, if any.
    ``reminders``: the org lets us write IsReminderSet/ReminderDateTime; without it neither is sent
    (a hidden field named in a write fails the whole record)."""
    record: dict[str, Any] = {
        "attributes": {"type": "Task"},
        "Subject": task.subject,
        "ActivityDate": task.due_date.isoformat() if task.due_date else None,
        "Status": task.status,
        "Priority": task.priority,
        "OwnerId": task.owner_id or default_owner,
        "WhoId": task.who_id,
        "WhatId": None if (task.who_id or "").startswith("00Q") else task.what_id,
        "Description": task.description or None,
    }
    # Status/Priority are required picklists with org defaults: omit rather than send null.
    for name in ("Status", "Priority", "OwnerId"):
        if record[name] is None:
            del record[name]
    if reminders:
        record.update(reminder_fields(task))
    if key_field and key:
        record[key_field] = key
    return record


def reminder_fields(task: TaskDraft) -> dict[str, Any]:
    """IsReminderSet (and ReminderDateTime when set) as the advisor chose; nothing when they never
    chose, so Salesforce keeps the record's own reminder.  ReminderDateTime in Salesforce's wire form
    (UTC, ``+0000``):
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
    """
    if task.reminder_set is None:
        return {}
    if not task.reminder_set or task.reminder_at is None:
        return {"IsReminderSet": False}
    at = task.reminder_at.astimezone(UTC)
    return {"IsReminderSet": True, "ReminderDateTime": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")}


def note_html(note: NoteDraft) -> str:
    return markdown_to_html(note.body_markdown)


def content_note_record(note: NoteDraft) -> dict[str, Any]:
    content = base64.b64encode(note_html(note).encode("utf-8")).decode("ascii")
    return {"attributes": {"type": "ContentNote"}, "Title": note.title, "Content": content}


def classic_note_record(note: NoteDraft, parent_id: str) -> dict[str, Any]:
    return {"attributes": {"type": "Note"}, "ParentId": parent_id, "Title": note.title,
            "Body": markdown_to_text(note.body_markdown) or None}


def link_record(document_id: str, parent_id: str) -> dict[str, Any]:
    return {"attributes": {"type": "ContentDocumentLink"}, "ContentDocumentId": document_id,
            "LinkedEntityId": parent_id, "ShareType": "V", "Visibility": "AllUsers"}


def note_update_record(note: NoteDraft, remote_type: str, remote_id: str) -> dict[str, Any]:
    """Only Title and Content of a ContentNote are updatable; a classic Note keeps its ParentId."""
    if remote_type == "ContentNote":
        record = content_note_record(note)
    else:
        record = {"attributes": {"type": "Note"}, "Title": note.title,
                  "Body": markdown_to_text(note.body_markdown) or None}
    record["Id"] = remote_id
    return record


# -- Event description section --------------------------------------------------------------------------

def event_section(note: NoteDraft) -> str:
    body = markdown_to_text(note.body_markdown)
    heading = note.title.strip()
    text = f"{heading}\n\n{body}" if heading and body else heading or body
    return f"[Notebridge note {note.uid}]\n{text}\n[/Notebridge note {note.uid}]"


def merge_event_description(existing: str | None, note: NoteDraft) -> str:
    """Replace our section (found by the note's uid) or append it; everything else is kept."""
    section = event_section(note)
    current = (existing or "").replace("\r\n", "\n")
    replaced = False

    def swap(match: re.Match[str]) -> str:
        nonlocal replaced
        if match.group("uid") != note.uid:
            return match.group(0)
        replaced = True
        return section

    merged = _SECTION.sub(swap, current)
    if not replaced:
        merged = f"{current.rstrip()}\n\n{section}" if current.strip() else section
    return merged


def event_section_of(description: str | None, uid: str) -> str | None:
    for match in _SECTION.finditer((description or "").replace("\r\n", "\n")):
        if match.group("uid") == uid:
            return match.group(0)
    return None


# -- fingerprints ---------------------------------------------------------------------------------------

def _norm(name: str, value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if name.endswith("Id") and len(value) in (15, 18):
            return value[:15]  # 15- and 18-character forms of one Id are the same record
        return value.replace("\r\n", "\n")
    return value


def fingerprint(fields: Mapping[str, Any], names: tuple[str, ...]) -> str:
    data = {name: _norm(name, fields.get(name)) for name in names}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]


def task_fingerprint(record: Mapping[str, Any]) -> str:
    """Of a record as sent or as queried (``ActivityDate`` is an ISO date either way)."""
    return fingerprint(record, TASK_FIELDS)


def classic_note_fingerprint(record: Mapping[str, Any]) -> str:
    return fingerprint(record, NOTE_FIELDS)


def content_note_fingerprint(title: str | None, html: str) -> str:
    return fingerprint({"Title": title, "Text": html_to_text(html)}, CONTENT_NOTE_FIELDS)


def decode_content(content_b64: str | None) -> str:
    if not content_b64:
        return ""
    try:
        return base64.b64decode(content_b64).decode("utf-8", "replace")
    except ValueError:
        return ""


def sent_fingerprint(record: Mapping[str, Any]) -> str:
    """Fingerprint of a payload we built (any of our record kinds)."""
    kind = record.get("attributes", {}).get("type")
    if kind == "Task":
        return task_fingerprint(record)
    if kind == "ContentNote":
        return content_note_fingerprint(record.get("Title"), decode_content(record.get("Content")))
    if kind == "Note":
        return classic_note_fingerprint(record)
    return fingerprint(record, tuple(sorted(k for k in record if k != "attributes")))


def without_owner(record: Mapping[str, Any]) -> dict[str, Any]:
    """Owner may be defaulted by Salesforce; comparisons ignore it when we did not set one."""
    return {k: v for k, v in record.items() if k != "OwnerId"}
