"""Title templates for what Notebridge sends: ``{contact}``-style placeholders, validated and rendered.

Plain ``str.format`` field names and nothing more: unknown names, format specs (``{date:%Y}``),
conversions and stray braces are refused with a message that says which; a live preview renders the
template on sample values.  Kept apart from the preferences and the engine (both use it) so neither
has to import the other.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.store.activity_forms import OPPORTUNITY_NAME_MAX
from app.store.kinds import ItemKind
from app.sync.push.limits import NOTE_TITLE_MAX, TASK_SUBJECT_MAX

NOTE_PLACEHOLDERS: dict[str, str] = {
    "title": "the title you typed",
    "contact": "the client's name",
    "account": "their household or company",
    "date": "the note's date",
    "meeting_type": "the note's template (e.g. Meeting), or Note",
    "meeting": "the meeting's subject, when the note belongs to one",
    "advisor": "your name",
}
TASK_PLACEHOLDERS: dict[str, str] = {
    "subject": "the subject you typed",
    "contact": "the client's name",
    "account": "their household or company",
    "date": "the task's date",
    "due_date": "when it is due",
    "advisor": "your name",
}
CALL_PLACEHOLDERS: dict[str, str] = {
    "subject": "the call as Notebridge names it (e.g. Outbound call — Left a voicemail)",
    "direction": "Inbound or Outbound", "outcome": "the outcome you typed",
    "contact": "the client's name", "account": "their household or company", "date": "the call's date",
    "advisor": "your name",
}
MEETING_PLACEHOLDERS: dict[str, str] = {
    "subject": "the subject you typed", "location": "where it is", "contact": "the client's name",
    "account": "their household or company", "date": "the meeting's date", "advisor": "your name",
}
EMAIL_PLACEHOLDERS: dict[str, str] = {
    "subject": "the email as Salesforce names it (Email: and its subject)", "sender": "who sent it",
    "to": "who it went to",
    "contact": "the client's name", "account": "their household or company", "date": "the day you logged it",
    "advisor": "your name",
}
OPPORTUNITY_PLACEHOLDERS: dict[str, str] = {
    "name": "the name you typed", "stage": "the stage", "close_date": "the close date",
    "contact": "the client's name", "account": "their household or company", "date": "the day you created it",
    "advisor": "your name",
}


@dataclass(frozen=True)
class TemplateSpec:
    """One kind's title template: what it may use, its own field, its default and Salesforce's limit."""

    placeholders: dict[str, str]
    own: str            # the placeholder holding what the advisor typed
    default: str
    limit: int
    what: str           # "task subjects" — for the limit's warning


# Activity kinds (Settings → Sending): the title each gets in Salesforce.  A call's and a meeting's
# Subject are at most 255 characters (Task/Event Subject), an opportunity's Name 120.  The opportunity's
# default puts the household first, as a pipeline list reads ("Chen Household - IRA rollover").
ACTIVITY_TEMPLATES: dict[ItemKind, TemplateSpec] = {
    ItemKind.CALL: TemplateSpec(CALL_PLACEHOLDERS, "subject", "{subject}", TASK_SUBJECT_MAX, "call subjects"),
    ItemKind.MEETING: TemplateSpec(MEETING_PLACEHOLDERS, "subject", "{subject}", TASK_SUBJECT_MAX,
                                   "meeting subjects"),
    # An email left at "{subject}" is named as Salesforce names the emails it logs ("Email: <subject>").
    ItemKind.EMAIL: TemplateSpec(EMAIL_PLACEHOLDERS, "subject", "{subject}", TASK_SUBJECT_MAX, "email subjects"),
    ItemKind.OPPORTUNITY: TemplateSpec(OPPORTUNITY_PLACEHOLDERS, "name", "{account} - {name}",
                                       OPPORTUNITY_NAME_MAX, "opportunity names"),
}
_SPECS: dict[ItemKind, TemplateSpec] = {
    ItemKind.NOTE: TemplateSpec(NOTE_PLACEHOLDERS, "title", "{title}", NOTE_TITLE_MAX, "note titles"),
    ItemKind.TASK: TemplateSpec(TASK_PLACEHOLDERS, "subject", "{subject}", TASK_SUBJECT_MAX, "task subjects"),
    **ACTIVITY_TEMPLATES,
}
SAMPLE_VALUES: dict[str, str] = {
    "title": "Annual review", "subject": "Send IRA transfer form", "contact": "Maria Chen",
    "account": "Chen Household", "meeting_type": "Meeting", "meeting": "Annual review with Maria",
    "advisor": "Alex Morgan", "direction": "Outbound", "outcome": "Left a voicemail", "location": "Office",
    "name": "IRA rollover", "stage": "Prospecting", "sender": "maria.chen@example.com",
    "to": "alex.morgan@example.com",
}
# What {subject} is on the sample, per kind (a call's subject is built from its direction and outcome).
_SAMPLE_OWN: dict[ItemKind, str] = {
    ItemKind.CALL: "Outbound call — Left a voicemail", ItemKind.MEETING: "Annual review with Maria",
    ItemKind.EMAIL: "Email: Re: IRA transfer form",
}
_TIDY = " -–—:·|,;/"


def email_line(subject: str) -> str:
    """An email's Task subject as Salesforce names the emails it logs itself: "Email: <subject>"."""
    typed = subject.strip()
    line = f"Email: {typed}" if typed else "Email"
    return typed if len(line) > TASK_SUBJECT_MAX else line  # only the prefix can overflow: the form holds 255


@dataclass(frozen=True)
class TemplateCheck:
    preview: str
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def spec(kind: ItemKind) -> TemplateSpec:
    try:
        return _SPECS[kind]
    except KeyError:
        raise ValueError(f"unknown template kind {kind!r}") from None


def placeholders(kind: ItemKind) -> dict[str, str]:
    return spec(kind).placeholders


def default_template(kind: ItemKind) -> str:
    return spec(kind).default


def sample_values(kind: ItemKind) -> dict[str, str]:
    today = date.today()
    values = dict(SAMPLE_VALUES, date=today.isoformat(), due_date=today.isoformat(),
                  close_date=date.fromordinal(today.toordinal() + 30).isoformat())
    if kind in _SAMPLE_OWN:
        values[spec(kind).own] = _SAMPLE_OWN[kind]
    return values


def check_template(template: str, kind: ItemKind, values: Mapping[str, str] | None = None) -> TemplateCheck:
    """Validate a title template and render it on ``values`` (sample values when None)."""
    kind_spec = spec(kind)
    known = kind_spec.placeholders
    own = kind_spec.own
    problems: list[str] = []
    if not template.strip():
        problems.append(f"The template is empty. Use {{{own}}}")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        parsed = []
        problems.append("A { or } has no partner. Write {{ or }} for a brace itself.")
    unknown: list[str] = []
    for _literal, name, format_spec, conversion in parsed:
        if name is None:
            continue
        if name not in known:
            unknown.append(name or "{}")
        elif format_spec or conversion:
            problems.append(f"Write {{{name}}} without anything after the name.")
    if unknown:
        names = ", ".join(f"{{{n}}}" if n != "{}" else "{}" for n in dict.fromkeys(unknown))
        allowed = ", ".join(f"{{{n}}}" for n in known)
        problems.append(f"Unknown placeholder {names}. You can use {allowed}.")
    if problems:
        return TemplateCheck("", tuple(problems))
    text = render_template(template, values if values is not None else sample_values(kind))
    limit, what = kind_spec.limit, kind_spec.what
    warnings: list[str] = []
    if not any(name == own for _l, name, _s, _c in parsed):
        warnings.append(f"The {own.replace('_', ' ')} you type is not in this template, so it will not reach "
                        "Salesforce.")
    if len(text) > limit:
        warnings.append(f"Salesforce allows {limit} characters for {what}; this example has {len(text)}, so "
                        "such an item would wait until shortened.")
    return TemplateCheck(text, (), tuple(warnings))


def render_template(template: str, values: Mapping[str, str | None]) -> str:
    """The title for one item.  A missing value leaves no dangling separator or empty brackets behind:
    with no meeting type, "{meeting_type}: {contact} — {date}" gives "Maria Chen — 2026-05-10", not
    ": Maria Chen …"; with no contact, "{title} ({contact})" gives "Annual review"."""
    pieces: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        pieces.append(literal.replace(_GAP, ""))  # a typed NUL is dropped, not taken for an empty value
        if name is not None:
            value = str(values.get(name) or "").replace(_GAP, "").strip()
            pieces.append(" ".join(value.split()) or _GAP)
    text = _GAP_RUN.sub(_join_gap, _EMPTY_BRACKETS.sub(_GAP, "".join(pieces)))
    return " ".join(text.split()).strip(_TIDY)


_GAP = "\x00"
# "{title} ({contact})" without a contact is "Annual review", not "Annual review ()".
_EMPTY_BRACKETS = re.compile(f"\\(\\s*{_GAP}\\s*\\)|\\[\\s*{_GAP}\\s*\\]")
_GAP_RUN = re.compile(f"(?P<before>[{re.escape(_TIDY)}]*)(?:{_GAP}[{re.escape(_TIDY)}]*)*{_GAP}"
                      f"(?P<after>[{re.escape(_TIDY)}]*)")


def _join_gap(match: re.Match[str]) -> str:
    """Keep one separator around an empty value: the one after it, else the one before it."""
    before, after = match.group("before"), match.group("after")
    if after.strip():
        return after
    if before.strip():
        return before
    return " " if before or after else ""
