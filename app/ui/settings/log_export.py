"""Words for sync-log rows, and the CSV a support person gets (no Qt here, so it tests on its own).

The CSV carries what the table shows plus full timestamps (UTC, ISO 8601) and the record's address,
so support can open the exact record.  Only Ids, codes and Salesforce's messages are in the log —
never field values — so the file is safe to e-mail.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from app.services.sync_log import LogRow

OUTCOME_WORDS = {
    "ok": "Done", "pushed": "Sent", "partial": "Partly done", "cancelled": "Cancelled",
    "limit": "API limit reached", "offline": "Offline", "needs_attention": "Needs attention",
    "failed": "Failed", "off": "Turned off", "running": "Running", "interrupted": "Interrupted",
    "waiting": "Waiting", "done": "Done", "budget": "Paused (API reserve)", "signed_out": "Signed out",
    "busy": "Salesforce busy", "session_policy": "Needs your Salesforce admin",
}
OUTCOME_KIND = {
    "ok": "ok", "pushed": "ok", "partial": "warn", "cancelled": "idle", "limit": "warn", "offline": "warn",
    "needs_attention": "error", "failed": "error", "off": "idle", "running": "idle", "interrupted": "warn",
    "waiting": "warn", "done": "ok", "budget": "warn", "signed_out": "error",
    "busy": "warn", "session_policy": "error",
}
OBJECT_WORDS = {"ContentNote": "Note", "Note": "Note (classic)", "Event": "Meeting", "Task": "Task",
                "Contact": "Contact", "Lead": "Lead", "Account": "Account", "ContentDocumentLink": "Note link",
                "pick": "Picked clients", "history": "Client history"}
DIRECTION_WORDS = {"pull": "From Salesforce", "push": "To Salesforce"}
CSV_HEADER = ("time_utc", "direction", "object", "record_id", "record_url", "local_item", "outcome",
              "error_code", "error_message", "api_calls")


def outcome_words(outcome: str) -> str:
    return OUTCOME_WORDS.get(outcome, outcome.replace("_", " ").capitalize())


def direction_words(direction: str) -> str:
    return DIRECTION_WORDS.get(direction, direction.capitalize())


def object_words(row: LogRow) -> str:
    """"Contact, Lead" for a pull of both; the Salesforce object for a push item."""
    if not row.object:
        return "Push run" if row.direction == "push" else "—"
    return ", ".join(sobject_words(part) for part in row.object.split(",") if part)


def sobject_words(sobject: str) -> str:
    return OBJECT_WORDS.get(sobject, sobject)


def local_item_words(row: LogRow) -> str:
    if row.item_kind and row.item_id is not None:
        return f"{row.item_kind.capitalize()} #{row.item_id}"
    return ""


def record_words(row: LogRow) -> str:
    """What the Record column shows: the title and the client's name an advisor recognises; the Ids
    only when nothing else is known (they stay in the tooltip, the Copy Id button and the export)."""
    named = " · ".join(part for part in (row.title, row.client) if part)
    return named or local_item_words(row) or row.record_id or "—"


def id_words(row: LogRow) -> str:
    """The Record column's tooltip: the Salesforce Id and the local item, for support."""
    parts = [f"Salesforce Id: {row.record_id}" if row.record_id else "",
             f"Local {local_item_words(row).lower()}" if row.item_kind else ""]
    return "\n".join(part for part in parts if part)


def record_url(instance_url: str, record_id: str | None) -> str:
    """``<instance>/<Id>`` opens any record in Salesforce (Classic and Lightning redirect it)."""
    if not record_id or not instance_url:
        return ""
    return f"{instance_url.rstrip('/')}/{record_id}"


def error_words(row: LogRow) -> str:
    if row.error_code and row.error_message:
        return f"{row.error_message} ({row.error_code})"
    return row.error_message or row.error_code or ""


def csv_text(rows: Iterable[LogRow], instance_url: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow([
            row.started_at.isoformat(timespec="seconds"), row.direction, row.object or "", row.record_id or "",
            record_url(instance_url, row.record_id), local_item_words(row), row.outcome, row.error_code or "",
            _safe(row.error_message or ""), row.api_calls,
        ])
    return out.getvalue()


def _safe(text: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas; a leading quote keeps them text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
