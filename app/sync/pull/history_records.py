"""Salesforce history records (query JSON) → ``history_item`` rows, one mapper per object.  Pure.

Every mapper returns the same keys (the store writes a batch as one statement) and raises
:class:`~app.sync.pull.records.MalformedRecord` for a record it cannot read; the puller skips it.
Note text is kept as plain text only: a ContentNote's body is HTML-ish markup, turned into text
here (``note_text``), so nothing from Salesforce is ever stored or shown as live HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import date
from html.parser import HTMLParser
from typing import Any

from app.store.history import HistoryKind
from app.sync.pull.records import MalformedRecord, record_id, timestamp

PREVIEW_CHARS = 280
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"})


class _Text(HTMLParser):
    """Markup to text: block elements become line breaks; scripts, styles and images vanish."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def note_text(markup: str) -> str:
    """Plain text of a ContentNote body (its ``Content`` is HTML-ish text)."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def preview_of(text: str) -> str:
    text = text.strip()
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1].rstrip() + "…"


def _str(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None or isinstance(value, str):
        return value
    raise MalformedRecord(record.get("Id") if isinstance(record.get("Id"), str) else None,
                          f"{name} has an unexpected value type")


def _date(record: Mapping[str, Any], name: str) -> date | None:
    value = _str(record, name)
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise MalformedRecord(record_id(record), f"{name} is not a date") from None


def _bool(record: Mapping[str, Any], name: str) -> bool:
    value = record.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    raise MalformedRecord(record_id(record), f"{name} is not true/false")


def _base(record: Mapping[str, Any], client: str, kind: HistoryKind) -> dict[str, Any]:
    return {
        "sf_id": record_id(record), "client_sf_id": client, "kind": kind.value, "title": "", "preview": "",
        "body": None, "occurs_at": None, "due_date": None, "status": None, "is_closed": False,
        "is_archived": False, "amount": None, "owner_id": _str(record, "OwnerId"),
        "system_modstamp": timestamp(record, "SystemModstamp", required=True),
    }


# A Task's TaskSubtype says what it records: a logged call or email shows as one, not as a to-do.
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
_TASK_SUBTYPES = {"Call": HistoryKind.CALL, "Email": HistoryKind.EMAIL}


def task_row(record: Mapping[str, Any], client: str) -> dict[str, Any]:
    row = _base(record, client, _TASK_SUBTYPES.get(_str(record, "TaskSubtype") or "", HistoryKind.TASK))
    row.update(title=_str(record, "Subject") or "Task", due_date=_date(record, "ActivityDate"),
               status=_str(record, "Status"), is_closed=_bool(record, "IsClosed"),
               is_archived=_bool(record, "IsArchived"), occurs_at=timestamp(record, "CreatedDate"),
               preview=preview_of(_str(record, "Description") or ""))
    return row


def event_row(record: Mapping[str, Any], client: str) -> dict[str, Any]:
    row = _base(record, client, HistoryKind.EVENT)
    row.update(title=_str(record, "Subject") or "Meeting", occurs_at=timestamp(record, "StartDateTime"),
               is_archived=_bool(record, "IsArchived"), status=_str(record, "Location"),
               preview=preview_of(_str(record, "Description") or ""))
    return row


def classic_note_row(record: Mapping[str, Any], client: str) -> dict[str, Any]:
    """A classic Note: ``Body`` is plain text already."""
    body = _str(record, "Body") or ""
    row = _base(record, client, HistoryKind.NOTE)
    row.update(title=_str(record, "Title") or "Note", occurs_at=timestamp(record, "CreatedDate"),
               preview=preview_of(body), body=body)
    return row


def content_note_row(record: Mapping[str, Any], client: str) -> dict[str, Any]:
    """An enhanced note: the query brings ``TextPreview``; the whole body is a separate download."""
    row = _base(record, client, HistoryKind.CONTENT_NOTE)
    row.update(title=_str(record, "Title") or "Note", occurs_at=timestamp(record, "CreatedDate"),
               preview=preview_of(html.unescape(_str(record, "TextPreview") or "")))
    return row


def opportunity_row(record: Mapping[str, Any], client: str) -> dict[str, Any]:
    amount = record.get("Amount")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)):
        raise MalformedRecord(record_id(record), "Amount is not a number")
    row = _base(record, client, HistoryKind.OPPORTUNITY)
    row.update(title=_str(record, "Name") or "Opportunity", status=_str(record, "StageName"),
               due_date=_date(record, "CloseDate"), is_closed=_bool(record, "IsClosed"),
               amount=float(amount) if amount is not None else None)
    return row
