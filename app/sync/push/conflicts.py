"""Has a record we pushed been changed in Salesforce since?  Checked before every update.

We compare *content*, not timestamps: the fingerprint of what Salesforce holds now against the
fingerprint of what we last pushed (``last_pushed_hash``).  Timestamps would need a read-back after
every create (an extra API call per batch) and would flag our own lost-response update as a
conflict; content comparison needs neither, and "already what we want to send" is recognised as
done.  Reading: one SOQL query per 200 Tasks/Notes; ContentNote text needs its body, read per note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.sync.push.mapping import NOTE_FIELDS, TASK_FIELDS, content_note_fingerprint, fingerprint
from app.sync.push.markdown_html import html_to_markdown, html_to_text
from app.sync.push.reconcile import content_of


@dataclass(frozen=True)
class RemoteVersion:
    """Salesforce's current version of one record (``exists`` False: deleted there)."""

    id: str
    exists: bool
    fingerprint: str = ""
    shown: dict[str, Any] = field(default_factory=dict)   # for the conflict view
    changes: dict[str, Any] = field(default_factory=dict)  # "take theirs": local draft fields


async def fetch(client: SalesforceClient, sobject: str, ids: Sequence[str], *,
                extra_fields: Sequence[str] = ()) -> dict[str, RemoteVersion]:
    """Current versions keyed by the Ids asked for (records not returned are deleted).
    ``extra_fields`` (Tasks): read too and kept in ``shown``, never in the fingerprint."""
    out: dict[str, RemoteVersion] = {i: RemoteVersion(i, False) for i in ids}
    if not ids:
        return out
    by15 = {i[:15]: i for i in ids}
    fields = {"Task": TASK_FIELDS, "Note": NOTE_FIELDS, "ContentNote": ("Title",)}[sobject]
    for start in range(0, len(ids), 200):
        chunk = list(ids[start:start + 200])
        query = soql.select(["Id", *fields, *extra_fields], sobject, where=soql.fmt("Id IN {}", chunk))
        for record in await client.query_list(query):
            asked = by15.get(str(record["Id"])[:15])
            if asked is None:
                continue
            if sobject == "ContentNote":
                full = await client.retrieve("ContentNote", asked, ["Title", "Content"])
                out[asked] = _content_note_version(asked, str(record.get("Title") or ""),
                                                   await content_of(client, full))
            elif sobject == "Task":
                out[asked] = _task_version(asked, record, extra_fields)
            else:
                out[asked] = _note_version(asked, record)
    return out


def _task_version(record_id: str, record: dict[str, Any], extra: Sequence[str] = ()) -> RemoteVersion:
    due = record.get("ActivityDate")
    changes = {
        "subject": record.get("Subject") or "", "status": record.get("Status"),
        "priority": record.get("Priority"), "owner_id": record.get("OwnerId"), "who_id": record.get("WhoId"),
        "what_id": record.get("WhatId"), "description": (record.get("Description") or "").replace("\r\n", "\n"),
        "due_date": date.fromisoformat(due) if isinstance(due, str) and due else None,
    }
    shown = {name: record.get(name) for name in (*TASK_FIELDS, *extra)}
    return RemoteVersion(record_id, True, fingerprint(record, TASK_FIELDS), shown, changes)


def _note_version(record_id: str, record: dict[str, Any]) -> RemoteVersion:
    body = (record.get("Body") or "").replace("\r\n", "\n")
    shown = {"Title": record.get("Title") or "", "Body": body}
    changes = {"title": record.get("Title") or "", "body_markdown": body}
    return RemoteVersion(record_id, True, fingerprint(record, NOTE_FIELDS), shown, changes)


def _content_note_version(record_id: str, title: str, html: str) -> RemoteVersion:
    shown = {"Title": title, "Body": html_to_text(html)}
    changes = {"title": title, "body_markdown": html_to_markdown(html)}
    return RemoteVersion(record_id, True, content_note_fingerprint(title, html), shown, changes)


def comparable(sobject: str, record: dict[str, Any], parent_id: str | None = None) -> str:
    """Fingerprint of a payload we are about to send, comparable with ``RemoteVersion.fingerprint``."""
    if sobject == "Task":
        return fingerprint(record, TASK_FIELDS)
    if sobject == "Note":
        return fingerprint({**record, "ParentId": parent_id or record.get("ParentId")}, NOTE_FIELDS)
    from app.sync.push.mapping import decode_content

    return content_note_fingerprint(record.get("Title"), decode_content(record.get("Content")))
