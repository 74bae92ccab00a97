"""Object-specific behaviour a real org applies on save: derived fields and cross-field rules.

Kept apart from the generic create/update path so each rule can cite its source and stay readable.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from typing import Any

from app.demo_org import timefmt
from app.demo_org.data.objects import TASK_PRIORITIES, TASK_STATUSES
from app.demo_org.data.store import Record, Store
from app.demo_org.errors import SaveError

_CLOSED_STATUSES = {value for value, _, closed in TASK_STATUSES if closed}
_HIGH_PRIORITIES = {value for value, _, high in TASK_PRIORITIES if high}
EVENT_MAX_MINUTES = 14 * 24 * 60
# ContentNote content: "plain text must be HTML-escaped; unsafe HTML and newlines are stripped".
# https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contentnote.htm
_UNESCAPED = re.compile(r"<(?![A-Za-z/!])|&(?!#?[A-Za-z0-9]+;)")
_UNSAFE_BLOCK = re.compile(r"<(script|style|iframe|object|embed)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_UNSAFE_TAG = re.compile(r"</?(script|style|iframe|object|embed)\b[^>]*>", re.IGNORECASE)
_EVENT_ATTR = re.compile(r"\s+on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def full_name(first: str | None, last: str | None) -> str | None:
    name = " ".join(p for p in (first, last) if p)
    return name or None


def derive(sobject: str, record: Record, *, person_accounts: bool) -> None:
    """Recompute calculated fields after any change (Name, IsClosed, activity dates …)."""
    person = sobject == "Account" and person_accounts and record.get("IsPersonAccount")
    if sobject in ("Contact", "Lead", "User") or person:
        record["Name"] = full_name(record.get("FirstName"), record.get("LastName"))
    elif sobject == "Task":
        closed = record.get("Status") in _CLOSED_STATUSES
        if closed and not record.get("IsClosed"):
            record["CompletedDateTime"] = timefmt.format_datetime(timefmt.utcnow())
        elif not closed:
            record["CompletedDateTime"] = None
        record["IsClosed"] = closed
        record["IsHighPriority"] = record.get("Priority") in _HIGH_PRIORITIES
    elif sobject == "Event":
        _derive_event(record)


def _derive_event(record: Record) -> None:
    """Rule event-duration: StartDateTime, and DurationInMinutes or EndDateTime (one gives the other);
    an end before the start is refused. Object reference, Event (DurationInMinutes, EndDateTime,
    ActivityDateTime "must match" StartDateTime):
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm"""
    start = record.get("StartDateTime")
    if start is None:
        raise SaveError("REQUIRED_FIELD_MISSING", "Required fields are missing: [StartDateTime]", 400,
                      ["StartDateTime"])
    start_dt = timefmt.parse_datetime(start)
    end, duration = record.get("EndDateTime"), record.get("DurationInMinutes")
    if end is None and duration is None:
        raise SaveError("REQUIRED_FIELD_MISSING", "Required fields are missing: [DurationInMinutes]", 400,
                      ["DurationInMinutes"])
    if end is not None:
        end_dt = timefmt.parse_datetime(end)
        if end_dt < start_dt:
            raise SaveError("FIELD_INTEGRITY_EXCEPTION",
                          "End Date Time: End time can't be before the start time", 400, ["EndDateTime"])
        record["DurationInMinutes"] = int((end_dt - start_dt).total_seconds() // 60)
    else:
        assert duration is not None  # one of the two is set (checked above)
        record["EndDateTime"] = timefmt.format_datetime(start_dt + dt.timedelta(minutes=int(duration)))
    # Multiday events: DurationInMinutes may exceed 1,440 but an event lasts at most 14 days.
    # https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_event.htm
    if int(record["DurationInMinutes"]) > EVENT_MAX_MINUTES:
        raise SaveError("FIELD_INTEGRITY_EXCEPTION", "End Date Time: An event can't last more than 14 days.", 400,
                      ["EndDateTime"])
    record["ActivityDateTime"] = start
    record["ActivityDate"] = start[:10]


def check_task_who_what(record: Record, store: Store) -> None:
    """Rule lead-no-what: a task whose WhoId is a Lead cannot also be related to a record (WhatId):
    "If whoId is related to lead, Salesforce does not allow the whatId field to contain any value"
    (https://rioeducation.com/salesforce-activity-whatid-whoid/; the Related To field "is not available
    when … the Name field … is a Lead", https://www.salesforceben.com/what-is-the-difference-between-whoid-and-whatid/)."""
    who = record.get("WhoId")
    if who and record.get("WhatId") and store.type_of_id(who) == "Lead":
        raise SaveError("FIELD_INTEGRITY_EXCEPTION",
                      "Related To ID: Only contacts can be related to other records; a lead can't have a "
                      "Related To value", 400, ["WhatId"])


def check_link_visibility(record: Record, store: Store) -> None:
    """Rule link-visibility: "SharedUsers is used only for files shared with users" (UI API,
    Content Document Link, https://developer.salesforce.com/docs/atlas.en-us.uiapi.meta/uiapi/ui_api_responses_contentdocumentlink.htm).
    Which error a record link gets is not documented, so the demo is strict: FIELD_INTEGRITY_EXCEPTION
    on Visibility. ShareType/Visibility values themselves are restricted picklists (V, C, I / AllUsers,
    InternalUsers, SharedUsers: object reference, ContentDocumentLink)."""
    if record.get("Visibility") == "SharedUsers" and store.type_of_id(record["LinkedEntityId"]) != "User":
        raise SaveError("FIELD_INTEGRITY_EXCEPTION",
                        "Visibility: SharedUsers can only be used for a file shared with a user", 400, ["Visibility"])


def sanitize_note_content(encoded: str | None) -> tuple[str | None, str | None, int]:
    """Rule content-note-html: check and clean ContentNote content (sources at the top of this module:
    unescaped text refused, unsafe markup and newlines stripped). Returns (base64 content, text
    preview, size in bytes)."""
    if encoded is None:
        return None, None, 0
    try:
        text = base64.b64decode(encoded).decode("utf-8")
    except UnicodeDecodeError:
        raise SaveError("FIELD_INTEGRITY_EXCEPTION", "Content: the note content must be UTF-8 text", 400,
                      ["Content"]) from None
    if _UNESCAPED.search(text):
        raise SaveError("FIELD_INTEGRITY_EXCEPTION",
                      "Note can't be saved because it contains HTML tags or unescaped characters that are "
                      "not allowed in a Note.", 400, ["Content"])
    text = _UNSAFE_BLOCK.sub("", text)
    text = _UNSAFE_TAG.sub("", text)
    text = _EVENT_ATTR.sub("", text)
    text = text.replace("\r", "").replace("\n", "")
    data = text.encode("utf-8")
    preview = html.unescape(_TAG.sub(" ", text))
    summary = " ".join(preview.split())[:255] or None
    return base64.b64encode(data).decode("ascii"), summary, len(data)


def content_of(record: Record) -> bytes:
    """The stored HTML bytes of a ContentNote (what GET …/ContentNote/{id}/Content returns)."""
    encoded: Any = record.get("Content")
    return base64.b64decode(encoded) if encoded else b""
