"""The activity kinds drafted in the generic ``activity_draft`` table, and the one description of each.

A call or a meeting is not a note or a task: each has a handful of fields of its own (when, duration,
direction …).  Rather than a table per kind (a model, a migration, a repository, a list query, a
discard path … for every new kind), every such kind is one :class:`ActivityForm` here: its fields,
their types and limits.  The draft's fields are stored as a JSON object (``ActivityDraft.fields``)
that :func:`clean` checks on every save, so the payload in the table is always what the form says.
The form is also what the generic editor (``app/ui/editor/activity_editor.py``) is built from, and
where a kind's title comes from for the Outbox and the Drafts list.

Why JSON and not typed columns: the columns a kind needs differ per kind and grow with each one
(issue 16 adds emails and opportunities); a new column per field would put every new kind back into
a migration.  What SQL must filter or join on — the client, the state, the Salesforce Id — stays in
real columns; the rest is only ever read whole, by the kind's handler and its editor.

Lengths are not enforced on save (an advisor never loses text): :func:`problems` reports them, and
queueing refuses a draft that has any (as for notes and tasks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from app.store import email_text
from app.store.kinds import ItemKind

DESCRIPTION_MAX = 32_000  # Task/Event Description: 32,000 characters
LINE_MAX = 255            # Subject, Location, CallDisposition: 255 characters
OPPORTUNITY_NAME_MAX = 120  # Opportunity.Name: 120 characters (object reference, Opportunity)
AMOUNT_MAX = 10**16       # Opportunity.Amount: currency, precision 18 scale 2


class FieldType(StrEnum):
    """How a form field is stored (JSON) and edited."""

    DATETIME = "datetime"  # an ISO-8601 instant in UTC ("2026-12-04T09:30:00+00:00")
    MINUTES = "minutes"    # a whole number of minutes, 0 … ``maximum``
    CHOICE = "choice"      # one of ``choices``
    LINE = "line"          # one line of text
    TEXT = "text"          # several lines of text
    FILES = "files"        # a list of files, each {"name": str, "size": int | None} (listed, not sent)
    DATE = "date"          # a calendar date, ISO ("2027-01-31")
    MONEY = "money"        # an amount, a non-negative number (None: not given)
    PICKLIST = "picklist"  # one value of the org's picklist ``picklist`` (object, field); "" = the org's default
    PEOPLE = "people"      # workspace people, each {"id": contact id, "sf_id": str, "name": str} (a meeting's others)


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    type: FieldType
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    maximum: int | None = None       # MINUTES
    default: Any = None              # LINE/TEXT/CHOICE/MINUTES: the JSON value of a new draft
    after_minutes: int = 0           # DATETIME: a new draft's value is now (rounded) + this
    placeholder: str = ""
    after_days: int = 0              # DATE: a new draft's value is today + this
    picklist: tuple[str, str] | None = None  # PICKLIST: (sobject, field) whose active values are offered
    required: bool = False           # LINE/TEXT: may not be left empty when pushed


@dataclass(frozen=True)
class ActivityForm:
    """One activity kind: what the advisor fills in, and the words around it."""

    kind: ItemKind
    action: str                  # the button in the client view ("Log a call")
    noun: str                    # the Outbox's word for it ("Call")
    fields: tuple[FormField, ...]
    title: Callable[[Mapping[str, Any]], str]
    shortcut: str | None = None  # a key sequence for the client on screen ("Ctrl+L")
    notice: str = ""             # plain words shown on the form (what it does not do yet)
    # What will be changed on the way to Salesforce without stopping Push (an email body cut to fit),
    # as (field, plain words); the editor shows it before Push.  None: nothing is ever changed.
    warnings: Callable[[Mapping[str, Any]], list[tuple[str, str]]] | None = None
    imports_email: bool = False  # the editor takes a pasted or dropped email (.eml, text) to fill the form
    needs_account: bool = False  # created on the client's household/account (not on the person)

    def field(self, name: str) -> FormField:
        return next(f for f in self.fields if f.name == name)


def _call_title(values: Mapping[str, Any]) -> str:
    direction = str(values.get("direction") or "Outbound")
    outcome = str(values.get("outcome") or "").strip()
    return f"{direction} call" + (f" — {outcome}" if outcome else "")


def _meeting_title(values: Mapping[str, Any]) -> str:
    return str(values.get("subject") or "").strip() or "Meeting"


CALL_FORM = ActivityForm(
    ItemKind.CALL, "Log a call", "Call", (
        FormField("when", "When", FieldType.DATETIME),
        FormField("duration_minutes", "Duration (minutes)", FieldType.MINUTES, maximum=24 * 60, default=5),
        FormField("direction", "Direction", FieldType.CHOICE, choices=("Outbound", "Inbound"), default="Outbound"),
        FormField("outcome", "Outcome", FieldType.LINE, max_length=LINE_MAX, default="",
                  placeholder="e.g. Left a voicemail"),
        FormField("note", "Note", FieldType.TEXT, max_length=DESCRIPTION_MAX, default="",
                  placeholder="What was said (optional)"),
    ), _call_title, shortcut="Ctrl+L")

MEETING_FORM = ActivityForm(
    ItemKind.MEETING, "New meeting", "Meeting", (
        FormField("subject", "Subject", FieldType.LINE, max_length=LINE_MAX, default="Meeting"),
        FormField("start", "Starts", FieldType.DATETIME),
        FormField("end", "Ends", FieldType.DATETIME, after_minutes=60),
        FormField("location", "Location", FieldType.LINE, max_length=LINE_MAX, default="",
                  placeholder="e.g. Office, or a video link"),
        FormField("attendees", "Also attending", FieldType.PEOPLE, default=()),
        FormField("note", "Note", FieldType.TEXT, max_length=DESCRIPTION_MAX, default="",
                  placeholder="Agenda or notes (optional)"),
    ), _meeting_title,
    notice="This client is the meeting's main attendee. Add anyone else from your workspace below.")



def _email_title(values: Mapping[str, Any]) -> str:
    return str(values.get("subject") or "").strip() or "Email"


def _email_warnings(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    notice = email_text.cut_notice(values)
    return [("body", notice)] if notice else []


# A logged email: a completed Task with TaskSubtype=Email (app/sync/push/kinds/email.py).  The body has
# no refusing limit: it is cut to fit the Description, and the editor says so first (app.store.email_text).
EMAIL_FORM = ActivityForm(
    ItemKind.EMAIL, "Log an email", "Email", (
        FormField("subject", "Subject", FieldType.LINE, max_length=LINE_MAX, default=""),
        FormField("sent", "Sent", FieldType.DATETIME),
        FormField("sender", "From", FieldType.LINE, default="", placeholder="name@example.com"),
        FormField("to", "To", FieldType.LINE, default=""),
        FormField("cc", "Cc", FieldType.LINE, default=""),
        FormField("body", "Email", FieldType.TEXT, default="",
                  placeholder="Paste the email here (or use “Paste an email”, or drop an .eml file on this window)"),
        FormField("attachments", "Attachments", FieldType.FILES, default=()),
    ), _email_title, warnings=_email_warnings, imports_email=True,
    notice="Paste an email, or drop an .eml file or an email's text on this window, to fill this in.")


def _opportunity_title(values: Mapping[str, Any]) -> str:
    return str(values.get("name") or "").strip() or "Opportunity"


# Name, StageName and CloseDate are required by Salesforce; the stage is one of the org's active stages
# ("" until chosen: the push takes the org's default, else its first active stage), the name goes
# through the advisor's title template (Settings → Sending) before it is sent.
OPPORTUNITY_FORM = ActivityForm(
    ItemKind.OPPORTUNITY, "New opportunity", "Opportunity", (
        FormField("name", "Name", FieldType.LINE, max_length=OPPORTUNITY_NAME_MAX, default="",
                  placeholder="e.g. IRA rollover", required=True),
        FormField("stage", "Stage", FieldType.PICKLIST, default="", picklist=("Opportunity", "StageName")),
        FormField("close_date", "Close date", FieldType.DATE, after_days=30),
        FormField("amount", "Amount", FieldType.MONEY, default=None),
        FormField("note", "Description", FieldType.TEXT, max_length=DESCRIPTION_MAX, default="",
                  placeholder="What the deal is about (optional)"),
    ), _opportunity_title, needs_account=True,
    notice="Created on the client's household or account in Salesforce.")

FORMS: Mapping[ItemKind, ActivityForm] = MappingProxyType(
    {f.kind: f for f in (CALL_FORM, MEETING_FORM, EMAIL_FORM, OPPORTUNITY_FORM)})


def form_of(kind: ItemKind | str) -> ActivityForm:
    """The form of an activity kind; ``KeyError`` for a kind without one (a note, a task …)."""
    return FORMS[ItemKind(kind)]


def _rounded_now(now: datetime | None) -> datetime:
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    return moment - timedelta(minutes=moment.minute % 5)


def initial(kind: ItemKind | str, now: datetime | None = None) -> dict[str, Any]:
    """The fields of a new draft: the defaults, and "now" (to five minutes) for its times."""
    start = _rounded_now(now)
    out: dict[str, Any] = {}
    for f in form_of(kind).fields:
        if f.type == FieldType.DATETIME:
            out[f.name] = (start + timedelta(minutes=f.after_minutes)).isoformat()
        elif f.type == FieldType.DATE:
            out[f.name] = (start.astimezone().date() + timedelta(days=f.after_days)).isoformat()
        else:
            out[f.name] = f.default
    return out


def parse_day(value: Any) -> date | None:
    """A stored DATE value (None when unset or unreadable)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def parse_instant(value: Any) -> datetime | None:
    """A stored DATETIME value as an aware UTC datetime (None when unset or unreadable)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _clean_value(f: FormField, value: Any) -> Any:
    if value is None:
        return [] if f.type == FieldType.PEOPLE else None  # no one else: always a list
    if f.type == FieldType.DATETIME:
        moment = value if isinstance(value, datetime) else parse_instant(value)
        if moment is None:
            raise ValueError(f"{f.label}: not a date and time")
        if moment.tzinfo is None:
            raise ValueError(f"{f.label}: a time without a time zone")
        return moment.astimezone(UTC).isoformat()
    if f.type == FieldType.MINUTES:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{f.label}: not a number of minutes")
        minutes = int(value)
        if minutes < 0 or (f.maximum is not None and minutes > f.maximum):
            raise ValueError(f"{f.label}: must be between 0 and {f.maximum}")
        return minutes
    if f.type == FieldType.DATE:
        day = value if isinstance(value, date) and not isinstance(value, datetime) else parse_day(value)
        if day is None:
            raise ValueError(f"{f.label}: not a date")
        return day.isoformat()
    if f.type == FieldType.MONEY:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{f.label}: not an amount")
        if value < 0 or value >= AMOUNT_MAX:
            raise ValueError(f"{f.label}: must be between 0 and {AMOUNT_MAX:,}")
        return round(float(value), 2)
    if f.type == FieldType.CHOICE:
        if value not in f.choices:
            raise ValueError(f"{f.label}: must be one of {', '.join(f.choices)}")
        return value
    if f.type == FieldType.FILES:
        return _clean_files(f, value)
    if f.type == FieldType.PEOPLE:
        return _clean_people(f, value)
    if not isinstance(value, str):
        raise ValueError(f"{f.label}: not text")
    return value


def _clean_files(f: FormField, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{f.label}: not a list of files")
    out: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValueError(f"{f.label}: a file without a name")
        size = item.get("size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            raise ValueError(f"{f.label}: a file size that is not a number of bytes")
        out.append({"name": item["name"], "size": size})
    return out


def _clean_people(f: FormField, value: Any) -> list[dict[str, Any]]:
    """Each person once, in the order added; the name and Id are a snapshot for the description."""
    if not isinstance(value, list | tuple):
        raise ValueError(f"{f.label}: not a list of people")
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for item in value:
        if not isinstance(item, dict) or isinstance(item.get("id"), bool) or not isinstance(item.get("id"), int):
            raise ValueError(f"{f.label}: a person without a workspace id")
        if not isinstance(item.get("name"), str) or not isinstance(item.get("sf_id"), str | None):
            raise ValueError(f"{f.label}: a person without a name")
        if item["id"] not in seen:
            seen.add(item["id"])
            out.append({"id": item["id"], "sf_id": item.get("sf_id") or "", "name": item["name"]})
    return out


def clean(kind: ItemKind | str, values: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``base`` (the stored fields) with ``values`` applied, checked against the kind's form.

    ``ValueError`` (naming the field) for a field the form does not have or a value of the wrong type;
    the table therefore never holds a payload its handler cannot read."""
    form = form_of(kind)
    names = {f.name for f in form.fields}
    unknown = set(values) - names
    if unknown:
        raise ValueError(f"a {form.noun.lower()} has no field {', '.join(sorted(unknown))}")
    merged = {**initial(kind), **(base or {}), **values}
    return {f.name: _clean_value(f, merged.get(f.name)) for f in form.fields}


def warnings(kind: ItemKind | str, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, plain words) for what will be changed on the way to Salesforce; Push stays on."""
    form = form_of(kind)
    return form.warnings(values) if form.warnings is not None else []


def problems(kind: ItemKind | str, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, plain words) for each length a field exceeds or a time left empty; empty: may be sent."""
    out: list[tuple[str, str]] = []
    for f in form_of(kind).fields:
        value = values.get(f.name)
        if f.type == FieldType.DATETIME and parse_instant(value) is None:
            out.append((f.name, f"Choose when: “{f.label}” is empty."))
        elif f.type == FieldType.DATE and parse_day(value) is None:
            out.append((f.name, f"Choose a date: “{f.label}” is empty."))
        elif f.required and not str(value or "").strip():
            out.append((f.name, f"Fill in “{f.label}”: Salesforce needs it."))
        elif f.max_length is not None and isinstance(value, str) and len(value) > f.max_length:
            out.append((f.name, f"“{f.label}” is {len(value):,} characters; Salesforce takes at most "
                                f"{f.max_length:,}. Shorten it — nothing is cut off."))
    return out


__all__ = [
    "CALL_FORM", "DESCRIPTION_MAX", "EMAIL_FORM", "FORMS", "LINE_MAX", "MEETING_FORM", "OPPORTUNITY_FORM",
    "OPPORTUNITY_NAME_MAX", "ActivityForm", "FieldType", "FormField", "clean", "form_of", "initial", "parse_day",
    "parse_instant", "problems", "warnings",
]
