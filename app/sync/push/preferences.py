"""How Notebridge writes to the advisor's org: the push settings, their defaults and what each one means.

The settings page shows every field of :class:`PushPreferences` with the one-line explanation kept next
to it here (``explain``), so the words on screen and the behaviour live in one place.  They are saved
per connection as one JSON value (``app.store.settings``), except the note type, which is a fact of the
connection row (the pull and the wizard read it there too) and is saved through the
``ConnectionManager``.

Stored values are read tolerantly (``from_json``): a value from an older version, or one edited by
hand, falls back to its default instead of stopping the app.  New prospects (people the advisor adds
offline) have their own small dataclass, :class:`ProspectPreferences`.

Title templates: ``{contact}`` style placeholders (Python ``str.format`` field names, nothing more);
unknown names, format specs and stray braces are refused with a message that says which, and a live
preview shows the result on sample values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from app.store import Database
from app.store import connections as connection_rows
from app.store import settings as settings_repo
from app.store.kinds import ItemKind
from app.sync.push.base import PushSettings, UnmatchedEmail
from app.sync.push.budget import DEFAULT_RESERVE_FRACTION, ApiBudget
from app.sync.push.title_templates import (
    ACTIVITY_TEMPLATES,
    NOTE_PLACEHOLDERS,
    SAMPLE_VALUES,
    TASK_PLACEHOLDERS,
    TemplateCheck,
    check_template,
    default_template,
    placeholders,
    render_template,
)

if TYPE_CHECKING:
    from app.sync.connection import ConnectionManager

__all__ = [
    "ACTIVITY_KINDS",
    "ATTACH_CHOICES",
    "NOTE_PLACEHOLDERS",
    "NOTE_TYPES",
    "SAMPLE_VALUES",
    "TASK_PLACEHOLDERS",
    "ProspectPreferences",
    "PushPreferences",
    "TemplateCheck",
    "activity_template",
    "apply_to_loop",
    "check_template",
    "default_template",
    "explain",
    "load",
    "load_prospects",
    "loop_options",
    "not_honoured",
    "placeholders",
    "render_template",
    "save",
    "save_prospects",
    "to_push_settings",
    "validate",
]

PUSH_KEY = "push.preferences"
PROSPECTS_KEY = "prospects.preferences"

NOTE_TYPES = ("ContentNote", "Note")
ATTACH_CHOICES = ("contact", "account", "both")
PERSON_OBJECTS = ("Contact", "Lead")
AUTO_PUSH_DELAYS = (1, 5, 10, 15, 30, 60, 120)  # minutes a draft is left alone before it goes
RESERVE_RANGE = (0, 50)  # percent of the org's daily API allowance kept for other apps
LEAD_SOURCE_MAX = 40  # LeadSource is a picklist; Salesforce picklist values are at most 40 characters here

AttachTo = Literal["contact", "account", "both"]
# The activity kinds with a switch and a title template in Settings → Sending, in the order shown.
ACTIVITY_KINDS: tuple[ItemKind, ...] = tuple(ACTIVITY_TEMPLATES)


def _help(text: str, default: Any) -> Any:
    return field(default=default, metadata={"help": text})


@dataclass(frozen=True)
class PushPreferences:
    auto_push: bool = _help(
        "Send notes and tasks by themselves once you stop editing them (only complete ones).", False)
    auto_push_delay_minutes: int = _help(
        "How long a draft must be left alone before it is sent by itself.", 10)
    push_notes: bool = _help("Send your meeting notes to Salesforce.", True)
    push_tasks: bool = _help("Send your follow-up tasks to Salesforce.", True)
    meeting_summaries: bool = _help(
        "Notes tagged Client that belong to a meeting are added to that meeting's description in "
        "Salesforce; when off they are saved as ordinary notes.", True)
    note_type: str = _help(
        "Enhanced Notes (ContentNote) are what Salesforce shows today; classic Notes are the older kind.",
        "ContentNote")
    attach_to: AttachTo = _help(  # noqa: RUF009 - a field() with its explanation
        "Which record notes and tasks appear on: the client, their household/company account, or both.",
        "both")
    note_title_template: str = _help(
        "The title notes get in Salesforce; {title} is the title you typed.", "{title}")
    task_title_template: str = _help(
        "The subject tasks get in Salesforce; {subject} is the subject you typed.", "{subject}")
    api_reserve_percent: int = _help(
        "Share of your org's daily Salesforce API allowance Notebridge leaves for other apps.",
        round(DEFAULT_RESERVE_FRACTION * 100))
    # On by default: an activity is sent only when you press Push on it, so a switch that starts off
    # would only surprise (docs/sending.md says why).  Off keeps each one here, waiting, never dropped.
    activities_off: tuple[ItemKind, ...] = _help(
        "Turned off, what you log of this kind stays in Notebridge, waiting in the Outbox with the reason, "
        "and goes when you turn it back on. Nothing is deleted.", ())
    activity_title_templates: dict[ItemKind, str] = field(default_factory=dict, metadata={
        "help": "The title each kind gets in Salesforce (a call's and a meeting's Subject, an opportunity's "
                "Name). Empty: the kind's default."})
    # Hold by default: a Lead is a new record in the firm's pipeline, which the advisor did not ask for
    # by logging an email (docs/sending.md says why).
    unmatched_email: UnmatchedEmail = _help(  # noqa: RUF009 - a field() with its explanation
        "An email whose addresses match no client in Salesforce: send it only when the client exists (it "
        "waits in the Outbox until you choose the client), or also create a Lead for its address and log "
        "it there.", UnmatchedEmail.HOLD)

    def sends(self, kind: ItemKind) -> bool:
        return kind not in self.activities_off

    def to_json(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values.pop("note_type")  # kept on the connection row
        return values

    @classmethod
    def from_json(cls, values: Mapping[str, Any] | None, *, note_type: str | None = None) -> PushPreferences:
        """Anything missing, of the wrong type or not allowed falls back to its default."""
        d = cls()
        values = values if isinstance(values, Mapping) else {}

        def flag(name: str) -> bool:
            value = values.get(name)
            return value if isinstance(value, bool) else getattr(d, name)

        def number(name: str, low: int, high: int) -> int:
            value = values.get(name)
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                return value
            default: int = getattr(d, name)
            return default

        def template(name: str, kind: ItemKind) -> str:
            value = values.get(name)
            if isinstance(value, str) and not check_template(value, kind).problems:
                return value
            default: str = getattr(d, name)
            return default

        attach = values.get("attach_to")
        off = values.get("activities_off")
        activities_off = tuple(k for k in ACTIVITY_KINDS if isinstance(off, list | tuple) and k.value in off)
        chosen = values.get("activity_title_templates")
        chosen = chosen if isinstance(chosen, Mapping) else {}
        unmatched = values.get("unmatched_email")
        activity_templates = {k: str(chosen[k.value]) for k in ACTIVITY_KINDS if isinstance(chosen.get(k.value), str)
                              and not check_template(chosen[k.value], k).problems}
        return cls(
            auto_push=flag("auto_push"),
            auto_push_delay_minutes=number("auto_push_delay_minutes", 1, 24 * 60),
            push_notes=flag("push_notes"),
            push_tasks=flag("push_tasks"),
            meeting_summaries=flag("meeting_summaries"),
            note_type=note_type if note_type in NOTE_TYPES else d.note_type,
            attach_to=attach if attach in ATTACH_CHOICES else d.attach_to,
            note_title_template=template("note_title_template", ItemKind.NOTE),
            task_title_template=template("task_title_template", ItemKind.TASK),
            api_reserve_percent=number("api_reserve_percent", *RESERVE_RANGE),
            activities_off=activities_off,
            activity_title_templates=activity_templates,
            unmatched_email=(UnmatchedEmail(unmatched) if isinstance(unmatched, str)
                             and unmatched in {u.value for u in UnmatchedEmail} else d.unmatched_email),
        )

    @property
    def reserve_fraction(self) -> float:
        return self.api_reserve_percent / 100

    @property
    def auto_push_idle_seconds(self) -> float | None:
        """What ``PushLoop(auto_push_idle=...)`` takes: None when auto-push is off."""
        return float(self.auto_push_delay_minutes * 60) if self.auto_push else None


@dataclass(frozen=True)
class ProspectPreferences:
    create_as: str = _help(
        "New people you add go to Salesforce as a Contact with an Account (household), or as a Lead "
        "with a Company.", "Contact")
    lead_source: str = _help(
        "The Lead Source Salesforce records for people you add, so your admin can see where they came "
        "from.", "Notebridge")

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, values: Mapping[str, Any] | None) -> ProspectPreferences:
        d = cls()
        values = values if isinstance(values, Mapping) else {}
        create_as = values.get("create_as")
        source = values.get("lead_source")
        return cls(
            create_as=create_as if create_as in PERSON_OBJECTS else d.create_as,
            lead_source=source if isinstance(source, str) and not lead_source_problem(source) else d.lead_source,
        )


def explain(prefs: type[PushPreferences] | type[ProspectPreferences], name: str) -> str:
    """The one-line explanation shown under a setting."""
    for f in dataclasses.fields(prefs):
        if f.name == name:
            return str(f.metadata.get("help", ""))
    raise KeyError(name)


def lead_source_problem(value: str) -> str:
    text = value.strip()
    if not text:
        return "Enter a Lead Source (for example Notebridge)."
    if len(text) > LEAD_SOURCE_MAX:
        return f"Salesforce keeps at most {LEAD_SOURCE_MAX} characters here; this is {len(text)}."
    return ""


# -- the engine's view -------------------------------------------------------------------------------------

def to_push_settings(prefs: PushPreferences | None = None, base: PushSettings | None = None,
                     prospects: ProspectPreferences | None = None) -> PushSettings:
    """The engine's settings for these preferences (``None`` leaves that part of ``base`` as it is).
    Only fields the engine knows are passed; :func:`not_honoured` names any it would ignore."""
    wanted: dict[str, Any] = {}
    if prefs is not None:
        wanted.update({
            "note_type": prefs.note_type, "reserve_fraction": prefs.reserve_fraction,
            "push_notes": prefs.push_notes, "push_tasks": prefs.push_tasks,
            "meeting_summaries": prefs.meeting_summaries, "attach_to": prefs.attach_to,
            "note_title_template": prefs.note_title_template, "task_title_template": prefs.task_title_template,
            "activities_off": frozenset(prefs.activities_off),
            "activity_title_templates": dict(prefs.activity_title_templates),
            "unmatched_email": prefs.unmatched_email,
        })
    if prospects is not None:
        wanted.update({"new_people_as": prospects.create_as, "lead_source": prospects.lead_source})
    known = {f.name for f in dataclasses.fields(PushSettings)}
    return dataclasses.replace(base or PushSettings(), **{k: v for k, v in wanted.items() if k in known})


_ENGINE_FIELDS = {"push_notes", "push_tasks", "meeting_summaries", "attach_to", "note_title_template",
                  "task_title_template", "new_people_as", "lead_source", "activities_off", "activity_title_templates",
                  "unmatched_email"}


def activity_template(prefs: PushPreferences, kind: ItemKind) -> str:
    """The title template in use for an activity kind (the advisor's, else the kind's default)."""
    return prefs.activity_title_templates.get(kind) or default_template(kind)


def not_honoured() -> list[str]:
    """Preferences the push engine (``PushSettings``) does not take (auto-push belongs to the loop)."""
    known = {f.name for f in dataclasses.fields(PushSettings)}
    return sorted(_ENGINE_FIELDS - known)


async def loop_options(db: Database, connection_id: int) -> dict[str, Any]:
    """Keyword arguments for ``PushLoop(...)`` from the saved preferences (the shell uses it at attach)."""
    prefs = await load(db, connection_id)
    prospects = await load_prospects(db, connection_id)
    return {"settings": to_push_settings(prefs, prospects=prospects), "auto_push_idle": prefs.auto_push_idle_seconds,
            "budget": ApiBudget(prefs.reserve_fraction)}


# -- load / save -------------------------------------------------------------------------------------------

async def load(db: Database, connection_id: int) -> PushPreferences:
    def read(session: Any) -> PushPreferences:
        row = connection_rows.get(session, connection_id)
        stored = settings_repo.get(session, connection_id, PUSH_KEY, {})
        return PushPreferences.from_json(stored, note_type=row.note_type if row is not None else None)

    return await db.run(read)


async def save(db: Database, connections: ConnectionManager, prefs: PushPreferences) -> PushPreferences:
    """Save to the active connection: the note type on its row, the rest as one setting."""
    problems = validate(prefs)
    if problems:
        raise ValueError(" ".join(problems))
    active = connections.active
    if active is None:
        raise LookupError("no connection to save push settings for")
    if active.note_type != prefs.note_type:
        await connections.update_preferences(note_type=prefs.note_type)
    values = prefs.to_json()
    cid = active.connection_id
    await db.run(lambda s: settings_repo.put(s, cid, PUSH_KEY, values))
    return prefs


def validate(prefs: PushPreferences) -> list[str]:
    problems: list[str] = []
    if prefs.note_type not in NOTE_TYPES:
        problems.append(f"Unknown note type {prefs.note_type!r}.")
    if prefs.attach_to not in ATTACH_CHOICES:
        problems.append(f"Unknown choice {prefs.attach_to!r} for where activities appear.")
    if not RESERVE_RANGE[0] <= prefs.api_reserve_percent <= RESERVE_RANGE[1]:
        problems.append(f"Keep between {RESERVE_RANGE[0]}% and {RESERVE_RANGE[1]}% for other apps.")
    if not 1 <= prefs.auto_push_delay_minutes <= 24 * 60:
        problems.append("The auto-push delay must be between 1 minute and 24 hours.")
    problems += list(check_template(prefs.note_title_template, ItemKind.NOTE).problems)
    problems += list(check_template(prefs.task_title_template, ItemKind.TASK).problems)
    for kind, template in prefs.activity_title_templates.items():
        problems += list(check_template(template, kind).problems)
    return problems


async def load_prospects(db: Database, connection_id: int) -> ProspectPreferences:
    stored = await db.run(lambda s: settings_repo.get(s, connection_id, PROSPECTS_KEY, {}))
    return ProspectPreferences.from_json(stored)


async def save_prospects(db: Database, connection_id: int, prefs: ProspectPreferences) -> ProspectPreferences:
    if prefs.create_as not in PERSON_OBJECTS:
        raise ValueError(f"new people are created as a Contact or a Lead, not {prefs.create_as!r}")
    problem = lead_source_problem(prefs.lead_source)
    if problem:
        raise ValueError(problem)
    clean = dataclasses.replace(prefs, lead_source=prefs.lead_source.strip())
    values = clean.to_json()
    await db.run(lambda s: settings_repo.put(s, connection_id, PROSPECTS_KEY, values))
    return clean


def apply_to_loop(loop: Any, prefs: PushPreferences | None = None,
                  prospects: ProspectPreferences | None = None) -> None:
    """Make a running ``PushLoop`` use new preferences from its next look at the outbox.

    Takes effect without restarting anything: the loop builds a fresh engine from ``loop.settings``
    on every run, reads ``auto_push_idle`` on every wake-up, and the shared budget's reserve is read
    before every spend.
    """
    loop.settings = to_push_settings(prefs, loop.settings, prospects)
    if prefs is not None:
        loop.auto_push_idle = prefs.auto_push_idle_seconds
        loop.budget.reserve_fraction = prefs.reserve_fraction
    loop.wake()
