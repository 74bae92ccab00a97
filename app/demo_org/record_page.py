"""The record page a browser sees at ``/<Id>`` and ``/lightning/r/<Object>/<Id>/view``, as Salesforce
serves one, so "Open in Salesforce" in the app lands on the record instead of a NOT_FOUND answer.

Salesforce answers ``/<Id>`` (the Classic-style link every record has) by sending Lightning users on to
``/lightning/r/<Object>/<Id>/view`` — the documented Lightning record URL
(https://developer.salesforce.com/docs/atlas.en-us.lightning.meta/lightning/components_navigation_page_definitions.htm,
``standard__recordPage``).  Here that redirect is kept and the page is deliberately simple: the object,
the record's name and its fields.  A deleted or unknown record gets Salesforce's words for it.
No sign-in is asked for: the demo org has no browser sessions.
"""

from __future__ import annotations

import html
import re
import threading
from typing import Any

from app.demo_org import ids
from app.demo_org.http_types import Response, html_response, redirect

_BARE_ID = re.compile(r"^/([a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?)/?$")
_LIGHTNING = re.compile(r"^/lightning/r/([A-Za-z0-9_]+)/([a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?)/view/?$")
_TITLE_FIELDS = ("Name", "Title", "Subject", "CaseNumber")
_NOT_FOUND = ("Looks like there's a problem. This record was deleted, or you don't have access to it. "
              "Ask your Salesforce admin for help.")


def is_record_path(path: str) -> bool:
    return bool(_BARE_ID.match(path) or _LIGHTNING.match(path))


def handle(path: str, store: Any, lock: threading.RLock | threading.Lock) -> Response | None:
    """The answer for a record URL, or None when ``path`` is not one."""
    bare = _BARE_ID.match(path)
    if bare:
        with lock:
            found = store.find(bare.group(1))
        if found is None or found[1].get("IsDeleted"):
            return _page(404, "Record not found", f"<p>{html.escape(_NOT_FOUND)}</p>")
        sobject, record = found
        return redirect(f"/lightning/r/{sobject}/{record['Id']}/view")
    lightning = _LIGHTNING.match(path)
    if lightning is None:
        return None
    with lock:
        found = store.find(lightning.group(2))
        record = dict(found[1]) if found is not None else None
    if found is None or record is None or record.get("IsDeleted") or found[0].lower() != lightning.group(1).lower():
        return _page(404, "Record not found", f"<p>{html.escape(_NOT_FOUND)}</p>")
    return _page(200, _title(found[0], record), _fields(record), found[0])


def _title(sobject: str, record: dict[str, Any]) -> str:
    for field in _TITLE_FIELDS:
        if record.get(field):
            return str(record[field])
    if record.get("FirstName") or record.get("LastName"):
        return " ".join(str(record[f]) for f in ("FirstName", "LastName") if record.get(f))
    return f"{sobject} {ids.to18(record['Id'])}"


def _fields(record: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(_shown(value))}</td></tr>"
        for name, value in sorted(record.items()) if value not in (None, "", [], {}) and not name.startswith("_"))
    return f"<table class=\"record-fields\">{rows}</table>"


def _shown(value: Any) -> str:
    if isinstance(value, bytes):
        return f"({len(value):,} bytes)"
    text = str(value)
    return text if len(text) <= 2000 else text[:2000] + "…"


def _page(status: int, title: str, body: str, sobject: str = "") -> Response:
    kind = f"<p class=\"object\">{html.escape(sobject)}</p>" if sobject else ""
    return html_response(status, f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)} | "
                                 f"Salesforce</title></head><body>{kind}<h1>{html.escape(title)}</h1>{body}"
                                 "</body></html>")
