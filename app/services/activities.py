""""Log a call", "New meeting" …: the use cases of every kind drafted in the generic activity table.

One class for all of them, because a kind is described by its form (:mod:`app.store.activity_forms`):
the client view offers one action per form, the generic editor is built from it, and saving and
queueing go through :class:`~app.services.drafts.Drafts` like notes and tasks (so autosave, the Outbox,
the Drafts list and the push treat them the same).  Nothing here names a kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.services.events import Events, ItemStateChanged
from app.store import activities as activities_repo
from app.store import activity_forms
from app.store.activities import ActivityContext, ActivityDraftValue, PushedActivityError
from app.store.activity_forms import FORMS, ActivityForm, FieldType, FormField, parse_day, parse_instant
from app.store.email_text import attachment_line
from app.store.kinds import ItemKind, is_activity
from app.sync.push.limits import LimitProblem

if TYPE_CHECKING:
    from app.store.db import Database

__all__ = [
    "Activities",
    "ActivityContext",
    "ActivityDraftValue",
    "ActivityForm",
    "FieldType",
    "FormField",
    "PushedActivityError",
    "activity_form",
    "activity_forms_offered",
    "activity_problems",
    "activity_warnings",
    "attachment_line",
    "parse_day",
    "parse_instant",
]


def activity_forms_offered() -> tuple[ActivityForm, ...]:
    """The activity kinds a client view offers, in the order their actions appear."""
    return tuple(FORMS.values())


def activity_form(kind: ItemKind | str) -> ActivityForm | None:
    """The form of ``kind`` when it is an activity kind (None for notes, tasks, people)."""
    return FORMS.get(ItemKind(kind)) if is_activity(kind) else None


def activity_problems(kind: ItemKind, fields: dict[str, object]) -> list[LimitProblem]:
    """What keeps these fields from being pushed (lengths, a time left empty), in plain words."""
    return [LimitProblem(name, words) for name, words in activity_forms.problems(kind, fields)]


def activity_warnings(kind: ItemKind, fields: dict[str, object]) -> list[LimitProblem]:
    """What will be changed on the way to Salesforce (an email body cut to fit); Push stays on."""
    return [LimitProblem(name, words) for name, words in activity_forms.warnings(kind, fields)]


class Activities:
    """Calls, meetings … of one workspace."""

    def __init__(self, db: Database, events: Events | None = None) -> None:
        self.db = db
        self.events = events or Events()

    async def new(self, connection_id: int, kind: ItemKind, contact_id: int) -> ActivityDraftValue:
        """A new draft for the client, on disk before its window shows (times: now)."""
        draft = await self.db.run(lambda s: activities_repo.create(s, connection_id, kind, contact_id=contact_id))
        self.events.publish(ItemStateChanged(connection_id, kind, draft.id, draft.state))
        return draft

    async def context(self, draft_id: int) -> ActivityContext:
        """The draft and its client's name; ``LookupError`` when it is gone."""
        return await self.db.run(lambda s: activities_repo.editor_context(s, draft_id))
