"""Salesforce's field limits, checked before a push so nothing is ever truncated silently.

Numbers from the Object Reference: Note.Title 80 characters and Note.Body 32 KB
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_note.htm),
Task.Subject 255 and Task.Description 32,000 characters
(https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm).
The same limits apply whichever note type the org uses, so a note can switch between ContentNote and
classic Note without surprises.  The body limit is counted in UTF-8 bytes of what the advisor wrote
(≤ 32,000 bytes, which is also ≤ 32,000 characters for Body's text area).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

NOTE_TITLE_MAX = 80
NOTE_BODY_MAX_BYTES = 32_000
TASK_SUBJECT_MAX = 255
TASK_DESCRIPTION_MAX = 32_000


@dataclass(frozen=True)
class LimitProblem:
    field: str  # "title", "body", "subject", "description", "parent", "reminder"
    message: str


def note_problems(title: str, body_markdown: str, *, has_parent: bool) -> list[LimitProblem]:
    problems: list[LimitProblem] = []
    if not title.strip():
        problems.append(LimitProblem("title", "Give the note a title (Salesforce requires one)."))
    elif len(title) > NOTE_TITLE_MAX:
        problems.append(LimitProblem(
            "title", f"The title is {len(title)} characters; Salesforce allows {NOTE_TITLE_MAX}. "
            f"Shorten it by {len(title) - NOTE_TITLE_MAX}."))
    size = len(body_markdown.encode("utf-8"))
    if size > NOTE_BODY_MAX_BYTES:
        problems.append(LimitProblem(
            "body", f"The note is {size / 1000:.1f} KB; Salesforce allows 32 KB. Split it into two notes "
            "or shorten it."))
    if not has_parent:
        problems.append(LimitProblem("parent", "Choose the client this note is about."))
    return problems


def task_problems(subject: str, description: str) -> list[LimitProblem]:
    problems: list[LimitProblem] = []
    if not subject.strip():
        problems.append(LimitProblem("subject", "Give the task a subject."))
    elif len(subject) > TASK_SUBJECT_MAX:
        problems.append(LimitProblem(
            "subject", f"The subject is {len(subject)} characters; Salesforce allows {TASK_SUBJECT_MAX}. "
            f"Shorten it by {len(subject) - TASK_SUBJECT_MAX}."))
    if len(description) > TASK_DESCRIPTION_MAX:
        problems.append(LimitProblem(
            "description", f"The description is {len(description):,} characters; Salesforce allows "
            f"{TASK_DESCRIPTION_MAX:,}. Shorten it by {len(description) - TASK_DESCRIPTION_MAX:,}."))
    return problems


@runtime_checkable
class NoteFields(Protocol):
    """What a NoteDraft offers this module (a protocol, so this module stays free of the store)."""

    @property
    def title(self) -> str: ...
    @property
    def body_markdown(self) -> str: ...
    @property
    def parent_sf_id(self) -> str | None: ...
    @property
    def remote_id(self) -> str | None: ...


class TaskFields(Protocol):
    """What a TaskDraft offers this module."""

    @property
    def subject(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def reminder_set(self) -> bool | None: ...
    @property
    def reminder_at(self) -> datetime | None: ...
    @property
    def remote_id(self) -> str | None: ...


def draft_problems(draft: NoteFields | TaskFields) -> list[LimitProblem]:
    """Problems of a NoteDraft or TaskDraft."""
    if isinstance(draft, NoteFields):
        return note_problems(draft.title, draft.body_markdown,
                             has_parent=bool(draft.parent_sf_id or draft.remote_id))
    problems = task_problems(draft.subject, draft.description)
    if draft.remote_id is None:  # a sent task's reminder may have fired since; it is kept, not refused
        problems += reminder_problems(draft.reminder_set, draft.reminder_at, datetime.now(UTC))
    return problems


REMINDER_PASSED = ("The reminder time has already passed. Choose a later time, or untick “Remind me” "
                   "to send the task without a reminder.")


def reminder_problems(reminder_set: bool | None, reminder_at: datetime | None, now: datetime) -> list[LimitProblem]:
    """A reminder set for a moment already gone would never pop up: refuse it rather than send it."""
    if reminder_set and reminder_at is not None and reminder_at <= now:
        return [LimitProblem("reminder", REMINDER_PASSED)]
    return []
