"""What a sync-log entry was part of: the steps the pull and the push really run, as one enum.

A ``StrEnum`` because the step is stored as text in ``sync_log.step`` (migration ``0012_sync_log_step``):
the members *are* the stored strings, so the Settings page's "Sync steps" screen and the log's step
filter read back what the engines wrote.  The steps are what is logged on its own, no finer:

* ``PULL_CLIENTS`` — one pull run (``app.sync.pull.engine``): the people (Contacts or Accounts, and
  Leads when synced), their households, the org's users and the meetings, in that order, in one entry;
  the picks of pick mode too.  Its counts say how many of each came.
* ``PULL_HISTORY`` — the meeting-prep prefetch after a good pull (``app.sync.pull.history_prefetch``).
* ``PUSH_*`` — one per kind of outbox item (``ItemKind``); each settled item's row carries its kind's
  step.  The push run's own summary row has no step (it spans every kind).

The store is the lower layer, so the engines, the use cases and the UI import the step from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from app.store.kinds import ItemKind


class SyncStep(StrEnum):
    """One thing the sync does, in one direction."""

    PULL_CLIENTS = "pull_clients"
    PULL_HISTORY = "pull_history"
    PUSH_PEOPLE = "push_people"
    PUSH_NOTES = "push_notes"
    PUSH_TASKS = "push_tasks"
    PUSH_CALLS = "push_calls"
    PUSH_MEETINGS = "push_meetings"
    PUSH_EMAILS = "push_emails"
    PUSH_OPPORTUNITIES = "push_opportunities"

    @property
    def is_pull(self) -> bool:
        """From Salesforce (a pull) rather than to it (a push)."""
        return self.value.startswith("pull_")

    @property
    def direction(self) -> str:
        """The log's ``direction`` for this step's entries ("pull" or "push")."""
        return "pull" if self.is_pull else "push"


# Each push kind's step; a new kind of item is one line here (tests/unit fails when one is missing).
KIND_STEP: Mapping[ItemKind, SyncStep] = MappingProxyType({
    ItemKind.PERSON: SyncStep.PUSH_PEOPLE,
    ItemKind.NOTE: SyncStep.PUSH_NOTES,
    ItemKind.TASK: SyncStep.PUSH_TASKS,
    ItemKind.CALL: SyncStep.PUSH_CALLS,
    ItemKind.MEETING: SyncStep.PUSH_MEETINGS,
    ItemKind.EMAIL: SyncStep.PUSH_EMAILS,
    ItemKind.OPPORTUNITY: SyncStep.PUSH_OPPORTUNITIES,
})
STEP_KIND: Mapping[SyncStep, ItemKind] = MappingProxyType({step: kind for kind, step in KIND_STEP.items()})


def step_for_kind(kind: str) -> SyncStep | None:
    """The push step of an item of ``kind`` (None: not an item kind, e.g. the run's own row)."""
    try:
        return KIND_STEP.get(ItemKind(kind))
    except ValueError:
        return None


def kind_of(step: SyncStep) -> ItemKind | None:
    """The kind of item a push step sends (None for a pull step)."""
    return STEP_KIND.get(step)


__all__ = ["KIND_STEP", "STEP_KIND", "SyncStep", "kind_of", "step_for_kind"]
