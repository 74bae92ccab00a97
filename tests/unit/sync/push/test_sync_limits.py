"""Salesforce's field limits are checked before a push, so nothing is ever truncated silently."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.store.notes import NoteDraft
from app.store.tasks import TaskDraft
from app.sync.push.limits import (
    NOTE_BODY_MAX_BYTES,
    NOTE_TITLE_MAX,
    TASK_DESCRIPTION_MAX,
    TASK_SUBJECT_MAX,
    LimitProblem,
    draft_problems,
    note_problems,
    task_problems,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_sync_limits_are_salesforce_s_documented_numbers() -> None:
    # Note.Title 80, Note.Body 32 KB, Task.Subject 255, Task.Description 32,000 (Object Reference).
    assert (NOTE_TITLE_MAX, NOTE_BODY_MAX_BYTES, TASK_SUBJECT_MAX, TASK_DESCRIPTION_MAX) == (80, 32_000, 255, 32_000)


def test_sync_note_at_every_limit_passes() -> None:
    assert note_problems("t" * 80, "b" * 32_000, has_parent=True) == []


@pytest.mark.parametrize(("title", "message"), [
    ("", "Give the note a title (Salesforce requires one)."),
    (" \t\n", "Give the note a title (Salesforce requires one)."),
    ("t" * 81, "The title is 81 characters; Salesforce allows 80. Shorten it by 1."),
    ("Ω" * 100, "The title is 100 characters; Salesforce allows 80. Shorten it by 20."),
])
def test_sync_note_title_problems(title: str, message: str) -> None:
    assert note_problems(title, "", has_parent=True) == [LimitProblem("title", message)]


def test_sync_note_body_counts_utf8_bytes_not_characters() -> None:
    # 16,001 "é" are 16,001 characters but 32,002 bytes.
    assert note_problems("Review", "é" * 16_000, has_parent=True) == []
    assert note_problems("Review", "é" * 16_001, has_parent=True) == [LimitProblem(
        "body", "The note is 32.0 KB; Salesforce allows 32 KB. Split it into two notes or shorten it.")]
    [problem] = note_problems("Review", "b" * 40_000, has_parent=True)
    assert problem.field == "body" and problem.message.startswith("The note is 40.0 KB;")


def test_sync_note_without_a_client_and_every_other_problem_at_once() -> None:
    problems = note_problems("", "x" * 32_001, has_parent=False)
    assert [p.field for p in problems] == ["title", "body", "parent"]
    assert problems[-1].message == "Choose the client this note is about."


@pytest.mark.parametrize(("subject", "description", "expected"), [
    ("s" * 255, "d" * 32_000, []),
    ("", "", [LimitProblem("subject", "Give the task a subject.")]),
    ("s" * 256, "", [LimitProblem(
        "subject", "The subject is 256 characters; Salesforce allows 255. Shorten it by 1.")]),
    ("Call", "d" * 33_500, [LimitProblem(
        "description", "The description is 33,500 characters; Salesforce allows 32,000. Shorten it by 1,500.")]),
])
def test_sync_task_problems(subject: str, description: str, expected: list[LimitProblem]) -> None:
    assert task_problems(subject, description) == expected


def _note(title: str, *, parent: str | None, remote: str | None = None) -> NoteDraft:
    return NoteDraft(1, "0f0e0d0c-0000-4000-8000-000000000001", 1, 1, parent, None, None, title, "Body", (),
                     None, "draft", remote, "ContentNote" if remote else None, None, NOW, NOW)


def _task(subject: str) -> TaskDraft:
    return TaskDraft(1, "0f0e0d0c-0000-4000-8000-000000000002", 1, 1, None, subject, date(2026, 5, 8), "Normal",
                     "Not Started", None, "003000000000001AAA", None, "", "draft", None, None, NOW, NOW)


def test_sync_draft_problems_reads_notes_and_tasks() -> None:
    assert draft_problems(_note("Review", parent="003000000000001AAA")) == []
    # A note already in Salesforce keeps its place there even without a parent here.
    assert draft_problems(_note("Review", parent=None, remote="069000000000001AAA")) == []
    assert [p.field for p in draft_problems(_note("Review", parent=None))] == ["parent"]
    assert draft_problems(_task("Send IRA transfer form")) == []
    assert [p.field for p in draft_problems(_task(""))] == ["subject"]
