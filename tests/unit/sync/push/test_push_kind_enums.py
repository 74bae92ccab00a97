"""ItemKind and the push's outcome enums: the stored text stays what it always was."""

from __future__ import annotations

import json

import pytest

from app.store.kinds import DRAFT_KINDS, DraftTable, ItemKind, draft_table, is_note
from app.sync.push.status import LoopState, PushStatus, Settled


def test_push_item_kinds_are_the_stored_strings() -> None:
    assert [k.value for k in ItemKind] == ["note", "task", "call", "meeting", "email", "opportunity", "person"]
    assert ItemKind("task") is ItemKind.TASK and ItemKind.NOTE == "note"
    assert f"Edit the {ItemKind.TASK}" == "Edit the task"
    assert json.dumps({ItemKind.PERSON: 1}) == '{"person": 1}'  # the sync log's counts column


def test_push_draft_kinds_know_their_table() -> None:
    assert DRAFT_KINDS == (ItemKind.NOTE, ItemKind.TASK, ItemKind.CALL, ItemKind.MEETING, ItemKind.EMAIL,
                           ItemKind.OPPORTUNITY)
    assert draft_table("note") == DraftTable.NOTE and draft_table(ItemKind.TASK) == DraftTable.TASK
    assert draft_table("call") == draft_table(ItemKind.MEETING) == DraftTable.ACTIVITY
    assert draft_table(ItemKind.PERSON) is None and draft_table("run") is None
    assert is_note("note") and not is_note(ItemKind.TASK) and not is_note("person")


def test_push_statuses_compare_as_their_words() -> None:
    assert {s.value for s in PushStatus} == {"done", "nothing", "offline", "budget", "busy", "signed_out",
                                             "session_policy", "cancelled"}
    assert {s.value for s in LoopState} == {"idle", "sending", "offline", "budget", "busy", "signed_out",
                                            "session_policy"}
    assert {s.value for s in Settled} == {"pushed", "needs_attention", "waiting"}
    assert PushStatus.SIGNED_OUT.upper() == "SIGNED_OUT"


@pytest.mark.parametrize(("status", "stopped"), [
    (PushStatus.DONE, False), (PushStatus.NOTHING, False), (PushStatus.OFFLINE, True), (PushStatus.BUDGET, True),
    (PushStatus.SIGNED_OUT, True), (PushStatus.CANCELLED, True), (PushStatus.BUSY, True),
    (PushStatus.SESSION_POLICY, True),
])
def test_push_status_says_whether_the_run_stopped(status: PushStatus, stopped: bool) -> None:
    assert status.is_stop is stopped
