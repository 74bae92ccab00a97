"""What a logged email becomes in Salesforce: the Task's Description, and what of it does not fit.

A logged email is a completed Task with ``TaskSubtype = Email`` (see docs/architecture.md, "Log an
email", for why a Task and not an ``EmailMessage``).  Its Description is a textarea of at most 32,000
characters — the Task object reference lists ``Description`` as "Textarea (32,000)":
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm
and Salesforce itself cuts email text to the org's 32,000-character email body limit when it logs
a sent email as an activity (https://help.salesforce.com/apex/HTViewSolution?id=000233060).

An email is often longer (a quoted thread).  Refusing it would make the advisor cut it by hand, so
the body is cut at the end — never silently: :func:`cut_notice` is what the editor shows before
Push, and the Description itself ends with a line saying how much was left out.  The headers (from,
to, cc, date) and the attachment list always survive; only the body is shortened.

One pure module shared by the push (``app/sync/push/kinds/email.py``) and the editor (through
``app/services/email_log.py``), so what the editor announces is exactly what is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

DESCRIPTION_MAX = 32_000  # Task.Description: Textarea (32,000) — see the module docstring


@dataclass(frozen=True)
class EmailDescription:
    """The Description to send, and how many characters of the body it leaves out (0: all of it)."""

    text: str
    body_length: int
    cut_chars: int
    kept_until: str  # the last words kept, to show the advisor where the cut falls ("" when nothing is cut)


def attachments_of(fields: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stored attachment list, each ``{"name", "size"}`` (anything malformed left out)."""
    raw = fields.get("attachments")
    if not isinstance(raw, list):
        return []
    return [a for a in raw if isinstance(a, dict) and isinstance(a.get("name"), str)]


def _size(n: Any) -> str:
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        return ""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def attachment_line(attachment: Mapping[str, Any]) -> str:
    """"report.pdf (120 KB)": how one attachment is named on screen and in the Description."""
    size = _size(attachment.get("size"))
    return f"{attachment.get('name')}" + (f" ({size})" if size else "")


def sent_text(fields: Mapping[str, Any]) -> str:
    """The email's date as the Description shows it ("4 Dec 2026 09:30 UTC"; "" when unset)."""
    value = fields.get("sent")
    if not isinstance(value, str) or not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


def _head(fields: Mapping[str, Any]) -> str:
    lines = []
    for label, name in (("From", "sender"), ("To", "to"), ("Cc", "cc")):
        value = str(fields.get(name) or "").strip()
        if value:
            lines.append(f"{label}: {value}")
    date = sent_text(fields)
    if date:
        lines.append(f"Date: {date}")
    return "\n".join(lines)


def _tail(fields: Mapping[str, Any]) -> str:
    attachments = attachments_of(fields)
    if not attachments:
        return ""
    return "Attachments (not uploaded): " + "; ".join(attachment_line(a) for a in attachments)


def _cut_line(cut: int) -> str:
    return f"[… {cut:,} more characters of this email were not kept: Salesforce keeps {DESCRIPTION_MAX:,}.]"


def description(fields: Mapping[str, Any], limit: int = DESCRIPTION_MAX) -> EmailDescription:
    """Headers, body, attachment list — the body cut at the end so the whole fits in ``limit``."""
    head, tail = _head(fields), _tail(fields)
    body = str(fields.get("body") or "").strip()

    def join(text_body: str) -> str:
        return "\n\n".join(part for part in (head, text_body, tail) if part)

    whole = join(body)
    if len(whole) <= limit:
        return EmailDescription(whole, len(body), 0, "")
    # The text with nothing of the body kept, its marker counting the whole body: the real marker
    # counts fewer characters, so it is never longer, and what is kept always fits.
    skeleton = join("\n\n" + _cut_line(len(body)))
    room = max(0, limit - len(skeleton))
    kept = body[:room]
    boundary = max(kept.rfind("\n"), kept.rfind(" "))
    if boundary > room - 200:  # end on a whole word (or line) when one is near
        kept = kept[:boundary]
    kept = kept.rstrip()
    cut = len(body) - len(kept)
    text = join(f"{kept}\n\n{_cut_line(cut)}" if kept else _cut_line(cut))
    if len(text) > limit:  # the headers or the attachment list alone are over the limit: cut the end
        text = text[:limit]
    return EmailDescription(text, len(body), cut, kept[-40:].split("\n")[-1].strip())


def cut_notice(fields: Mapping[str, Any]) -> str:
    """Plain words for the editor when the body will not fit; "" when it all fits."""
    described = description(fields)
    if not described.cut_chars:
        return ""
    where = f" after “…{described.kept_until}”" if described.kept_until else ""
    return (f"This email is {described.body_length:,} characters long and Salesforce keeps {DESCRIPTION_MAX:,}: "
            f"the last {described.cut_chars:,} characters{where} will not be sent. "
            "The email in Salesforce ends with a line saying so.")


__all__ = ["DESCRIPTION_MAX", "EmailDescription", "attachment_line", "attachments_of", "cut_notice", "description"]
