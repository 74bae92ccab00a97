""""Sync steps": what runs in which direction and when, each with its last run, counts and errors.

One typed row per step (``SyncStep``) for Settings → Sync steps: its name and direction, when it runs
(from the settings: the pull's interval, "after each sync of your clients", "when you send", or "Off"
where Settings → Sending turned that kind off), its last finished run with that run's counts (records
fetched, items sent), and its newest error in plain words with how many went wrong in the last 24 hours.
Read in one transaction from the sync log (``app.store.sync_log_steps``) and the workspace settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from app.salesforce.errors import ErrorDetail
from app.store import sync_log_steps, sync_state
from app.store.kinds import ItemKind
from app.store.sync_log import LogRow
from app.store.sync_log_steps import StepActivity
from app.store.sync_state import PullSettings
from app.store.sync_steps import SyncStep, kind_of
from app.store.types import utcnow
from app.sync.push import preferences as push_preferences
from app.sync.push.errors import classify
from app.sync.push.preferences import ProspectPreferences, PushPreferences
from app.sync.push.prepare import HELD_CODE, WAITING_FOR_PERSON
from app.wording import counted, duration

if TYPE_CHECKING:
    from app.store.db import Database

__all__ = ["ERROR_WINDOW", "STEP_NAMES", "StepRow", "SyncStep", "SyncSteps"]

ERROR_WINDOW = timedelta(hours=24)
# Outcomes of an entry that went wrong (pull, history and push outcomes alike); "cancelled" and "off"
# are the advisor's doing, and a "waiting" item held because its kind is off is a choice, not an error.
ERROR_OUTCOMES = ("partial", "limit", "busy", "offline", "needs_attention", "session_policy", "failed",
                  "interrupted", "waiting", "budget", "signed_out")
NOT_ERRORS = (HELD_CODE, WAITING_FOR_PERSON)

STEP_NAMES: Mapping[SyncStep, str] = MappingProxyType({
    SyncStep.PULL_CLIENTS: "Clients and meetings",
    SyncStep.PULL_HISTORY: "Client history for meeting prep",
    SyncStep.PUSH_PEOPLE: "New people",
    SyncStep.PUSH_NOTES: "Notes",
    SyncStep.PUSH_TASKS: "Tasks",
    SyncStep.PUSH_CALLS: "Logged calls",
    SyncStep.PUSH_MEETINGS: "Logged meetings",
    SyncStep.PUSH_EMAILS: "Logged emails",
    SyncStep.PUSH_OPPORTUNITIES: "New opportunities",
})
DIRECTION_WORDS = {"pull": "From Salesforce", "push": "To Salesforce"}
# What a pull run's counts are about ("Contact.written" …), as an advisor says it.
_OBJECT_NOUNS = {"Contact": "contact", "Lead": "lead", "Account": "account", "Event": "meeting",
                 "User": "user", "AccountContactRelation": "household link"}
_GENERIC_CODES = frozenset({"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"})  # Salesforce's text is no help
_PUSH_WORDS = (("pushed", "sent"), ("needs_attention", "needing attention"), ("waiting", "waiting"))


@dataclass(frozen=True)
class StepRow:
    """One step as the screen shows it.  ``done``: records fetched (pull) or items sent (push) in its
    last run; ``problems``: records skipped, or items needing attention or waiting, in that run."""

    step: SyncStep
    name: str
    direction: str             # "From Salesforce" / "To Salesforce"
    schedule: str              # when it runs, or why it does not ("Off: …")
    on: bool
    last_run_at: datetime | None
    last_outcome: str | None   # the run's outcome as the log keeps it ("ok", "partial", "pushed" …)
    running: bool
    done: int
    problems: int
    counts: str                # the last run's counts in words ("12 contacts, 3 meetings")
    last_error: str | None     # the newest error in plain words
    last_error_at: datetime | None
    errors_24h: int

    @property
    def ran(self) -> bool:
        return self.last_run_at is not None


@dataclass(frozen=True)
class _Settings:
    pull: PullSettings
    push: PushPreferences
    prospects: ProspectPreferences
    history_on: bool


class SyncSteps:
    """The "Sync steps" screen's one use case."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def overview(self, connection_id: int, *, now: datetime | None = None) -> list[StepRow]:
        """Every step, in the order they run (pulls, then pushes, new people first)."""
        since = (now or utcnow()) - ERROR_WINDOW
        push = await push_preferences.load(self.db, connection_id)
        prospects = await push_preferences.load_prospects(self.db, connection_id)

        def read(session: Any) -> tuple[PullSettings, dict[SyncStep, StepActivity]]:
            return sync_state.pull_settings(session, connection_id), sync_log_steps.step_activity(
                session, connection_id, since=since, error_outcomes=ERROR_OUTCOMES, not_errors=NOT_ERRORS)

        pull, activity = await self.db.run(read)
        settings = _Settings(pull, push, prospects, history_on=pull.include_events)
        return [_row(step, settings, activity.get(step, StepActivity(step))) for step in SyncStep]


def _row(step: SyncStep, settings: _Settings, activity: StepActivity) -> StepRow:
    schedule, on = schedule_of(step, settings.pull, settings.push, history_on=settings.history_on)
    done, problems, words = _counts(step, activity.last_run)
    last = activity.last_run[0] if activity.last_run else None
    error = activity.last_error
    return StepRow(
        step=step, name=_name(step, settings), direction=DIRECTION_WORDS[step.direction], schedule=schedule, on=on,
        last_run_at=activity.last_run_at, last_outcome=_outcome(activity.last_run), running=activity.running,
        done=done, problems=problems, counts=words if last is not None else "",
        last_error=error_words(error) if error is not None else None,
        last_error_at=error.started_at if error is not None else None, errors_24h=activity.errors_since,
    )


def schedule_of(step: SyncStep, pull: PullSettings, push: PushPreferences, *, history_on: bool = True
                ) -> tuple[str, bool]:
    """When ``step`` runs with these settings, in words, and whether it runs at all."""
    if step is SyncStep.PULL_CLIENTS:
        every = _every(pull.interval_minutes)
        if not pull.contacts_enabled:
            return f"{every}, meetings only: contact sync is off", True
        if pull.pick_mode:
            return f"{every}, only the clients you picked", True
        return f"{every}, and when you choose Sync now", True
    if step is SyncStep.PULL_HISTORY:
        if not history_on:
            return "Off: meetings are not synced", False
        return "After each sync of your clients", True
    if step is SyncStep.PUSH_PEOPLE:
        return "As soon as you add someone", True
    kind = kind_of(step)
    assert kind is not None
    sending = {ItemKind.NOTE: push.push_notes, ItemKind.TASK: push.push_tasks}.get(kind, push.sends(kind))
    if not sending:
        return "Off: turned off in Settings → Sending", False
    if kind in (ItemKind.NOTE, ItemKind.TASK) and push.auto_push:
        wait = duration(push.auto_push_delay_minutes * 60)
        return f"When you send, or by itself {wait} after you stop editing", True
    return "When you send", True


def error_words(row: LogRow) -> str:
    """The entry's error as the advisor reads it; the code stays in the log for support.

    A pull's message and a stopped push's reason are the advisor's words already.  An item Salesforce
    refused keeps Salesforce's message (a validation rule's is the admin's instruction), followed by
    what to do in Notebridge — the push's own advice for that code (``app.sync.push.errors``)."""
    message = (row.error_message or "").strip()
    if row.direction != "push" or row.outcome != "needs_attention" or not row.error_code:
        return message or (f"Salesforce said {row.error_code}." if row.error_code else "Something went wrong.")
    kind = kind_of(row.step) if row.step is not None else None
    hint = classify([ErrorDetail(row.error_code, message)], what=kind or ItemKind.NOTE).hint
    if row.error_code in _GENERIC_CODES or not message:
        return hint  # "entity is deleted" adds nothing to "The client was deleted in Salesforce."
    return f"Salesforce said: “{message.rstrip('.')}.” {hint}"


def _every(minutes: int) -> str:
    if minutes == 1:
        return "Every minute"
    if minutes == 60:
        return "Every hour"
    return f"Every {duration(minutes * 60)}"


def _name(step: SyncStep, settings: _Settings) -> str:
    if step is SyncStep.PULL_CLIENTS:
        people = ["Households (accounts)" if settings.pull.client_object == "Account" else "Contacts"]
        if settings.pull.include_leads:
            people.append("leads")
        if settings.pull.include_events:
            people.append("meetings")
        return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]
    if step is SyncStep.PUSH_PEOPLE:
        return f"New people (as {settings.prospects.create_as}s)"
    return STEP_NAMES[step]


def _outcome(run: tuple[LogRow, ...]) -> str | None:
    """A pull run's outcome; a push step's worst item outcome in the run."""
    if not run:
        return None
    outcomes = {r.outcome for r in run}
    for worst in ("needs_attention", "waiting"):
        if worst in outcomes:
            return worst
    return run[0].outcome


def _counts(step: SyncStep, run: tuple[LogRow, ...]) -> tuple[int, int, str]:
    if not run:
        return 0, 0, ""
    if not step.is_pull:
        by_outcome = {outcome: sum(1 for r in run if r.outcome == outcome) for outcome, _w in _PUSH_WORDS}
        words = ", ".join(f"{n:,} {w}" for outcome, w in _PUSH_WORDS if (n := by_outcome[outcome]))
        return by_outcome["pushed"], len(run) - by_outcome["pushed"], words
    counts = run[0].counts
    skipped = counts.get("skipped", 0)
    if step is SyncStep.PULL_HISTORY:
        clients, records = counts.get("clients", 0), counts.get("written", 0) + counts.get("deleted", 0)
        words = f"{counted(clients, 'client')}, {counted(records, 'record')}" if clients else "No clients to fetch"
        return records, skipped, words + (f", {skipped:,} skipped" if skipped else "")
    per_object: dict[str, int] = {}
    for key, n in counts.items():
        sobject, _, what = key.partition(".")
        if what in ("written", "deleted", "swept", "deactivated"):
            per_object[sobject] = per_object.get(sobject, 0) + n
    done = sum(per_object.values())
    parts = [counted(n, _OBJECT_NOUNS.get(sobject, sobject)) for sobject, n in per_object.items() if n]
    words = ", ".join(parts) if parts else "No changes"
    return done, skipped, words + (f", {skipped:,} skipped" if skipped else "")
