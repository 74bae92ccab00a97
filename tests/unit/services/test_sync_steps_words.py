"""The sync steps' pure parts: every kind of item has its step, the stored values never change, and the
schedule and error words follow the settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.services.sync_steps import STEP_NAMES, error_words, schedule_of
from app.store.kinds import ItemKind
from app.store.sync_log import LogRow
from app.store.sync_state import PullSettings
from app.store.sync_steps import KIND_STEP, SyncStep, kind_of, step_for_kind
from app.sync.push.preferences import PushPreferences


def test_sync_steps_cover_every_kind_and_keep_their_stored_text() -> None:
    assert set(KIND_STEP) == set(ItemKind)  # a new kind of item needs its step (and the Sync log's filter)
    for kind in ItemKind:
        step = step_for_kind(kind.value)
        assert step is not None and not step.is_pull and step.direction == "push" and kind_of(step) is kind
    assert step_for_kind("run") is None  # the push run's own row spans every kind
    # What migration 0012 and older workspaces stored: the values are the stored text.
    assert [s.value for s in SyncStep] == [
        "pull_clients", "pull_history", "push_people", "push_notes", "push_tasks", "push_calls", "push_meetings",
        "push_emails", "push_opportunities"]
    assert SyncStep.PULL_HISTORY.is_pull and kind_of(SyncStep.PULL_CLIENTS) is None
    assert set(STEP_NAMES) == set(SyncStep)


@pytest.mark.parametrize(("minutes", "words"), [(15, "Every 15 minutes"), (60, "Every hour"), (1, "Every minute"),
                                                 (90, "Every 1 hour 30 minutes")])
def test_sync_steps_pull_schedule_says_the_interval(minutes: int, words: str) -> None:
    text, on = schedule_of(SyncStep.PULL_CLIENTS, PullSettings(interval_minutes=minutes), PushPreferences())
    assert on and text.startswith(words + ",")


def test_sync_steps_schedule_is_off_where_sending_is_off() -> None:
    pull, push = PullSettings(), PushPreferences()
    assert schedule_of(SyncStep.PUSH_NOTES, pull, push) == ("When you send", True)
    off = replace(push, push_notes=False, activities_off=(ItemKind.MEETING,))
    assert schedule_of(SyncStep.PUSH_NOTES, pull, off)[1] is False
    assert schedule_of(SyncStep.PUSH_MEETINGS, pull, off)[1] is False
    assert schedule_of(SyncStep.PUSH_CALLS, pull, off) == ("When you send", True)
    auto = replace(push, auto_push=True, auto_push_delay_minutes=5)
    assert schedule_of(SyncStep.PUSH_TASKS, pull, auto)[0] == (
        "When you send, or by itself 5 minutes after you stop editing")
    assert schedule_of(SyncStep.PUSH_CALLS, pull, auto)[0] == "When you send"  # activities go only when you send
    assert schedule_of(SyncStep.PULL_HISTORY, pull, push, history_on=False) == ("Off: meetings are not synced", False)
    assert "contact sync is off" in schedule_of(SyncStep.PULL_CLIENTS, replace(pull, contacts_enabled=False), push)[0]


def _row(**values: object) -> LogRow:
    base: dict[str, object] = dict(id=1, started_at=datetime(2026, 12, 4, tzinfo=UTC), finished_at=None,
                                   direction="push", object="Task", outcome="needs_attention", error_code=None,
                                   error_message=None, api_calls=0, record_ids=(), counts={}, item_kind="task",
                                   item_id=1, step=SyncStep.PUSH_TASKS)
    base.update(values)
    return LogRow(**base)  # type: ignore[arg-type]  # the test's own keyword set


def test_sync_steps_error_words_are_plain() -> None:
    rule = _row(error_code="FIELD_CUSTOM_VALIDATION_EXCEPTION", error_message="Due date must be in the future")
    assert error_words(rule) == ("Salesforce said: “Due date must be in the future.” This is a rule set by your "
                                 "Salesforce admin. Change the task so it passes, then push again.")
    gone = _row(error_code="ENTITY_IS_DELETED", error_message="entity is deleted")
    assert error_words(gone).startswith("The client was deleted in Salesforce.")
    pulled = _row(direction="pull", outcome="offline", error_code="NETWORK_ERROR", step=SyncStep.PULL_CLIENTS,
                  error_message="Salesforce could not be reached (timed out).")
    assert error_words(pulled) == "Salesforce could not be reached (timed out)."
    assert error_words(_row(direction="pull", outcome="failed", error_code="X")) == "Salesforce said X."
