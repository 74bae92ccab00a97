"""How a date and a meeting are written in the client and household views (one way, both views)."""

from __future__ import annotations

import html
from datetime import datetime

from app.services.clients import EventSummary


def when(moment: datetime | None, *, all_day: bool = False) -> str:
    if moment is None:
        return "No date"
    local = moment.astimezone()
    return local.strftime("%a %d %b %Y") if all_day else local.strftime("%a %d %b %Y, %H:%M")


def meeting_line(event: EventSummary) -> str:
    """``Tue 04 Mar 2025, 10:00: Annual review — Office`` as escaped rich text."""
    where = f" — {html.escape(event.location)}" if event.location else ""
    subject = html.escape(event.subject or "Meeting")
    return f"{html.escape(when(event.start_at, all_day=event.is_all_day))}: {subject}{where}"
