"""Payload building without an org: escaping, the Event section, fingerprints, the budget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.store.notes import NoteDraft
from app.sync.push.budget import ApiBudget
from app.sync.push.mapping import event_section_of, merge_event_description, task_fingerprint
from app.sync.push.markdown_html import html_to_markdown, html_to_text, markdown_to_html

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def _note(body: str, uid: str = "0f0e0d0c-0000-4000-8000-000000000001") -> NoteDraft:
    return NoteDraft(1, uid, 1, 1, "003000000000001AAA", 1, "00U000000000001AAA", "Review", body, ("Client",),
                     None, "draft", None, None, None, NOW, NOW)


@pytest.mark.parametrize(("markdown", "expected"), [
    ("a < b & c > d", "<p>a &lt; b &amp; c &gt; d</p>"),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("**bold** and *it*", "<p><b>bold</b> and <i>it</i></p>"),
    ("# Head\n\n- one\n- two", "<p><b>Head</b></p><ul><li>one</li><li>two</li></ul>"),
    ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
    ("", ""),
])
def test_markdown_renders_to_escaped_single_line_html(markdown: str, expected: str) -> None:
    html = markdown_to_html(markdown)
    assert html == expected and "\n" not in html


def test_html_round_trips_through_markdown() -> None:
    html = markdown_to_html("Met **Ann**\n\n- Send form\n- Call *back*\n\n1. one\n2. two")
    assert markdown_to_html(html_to_markdown(html)) == html
    assert html_to_text(html) == "Met Ann Send form Call back one two"


def test_event_section_is_replaced_and_the_rest_kept() -> None:
    first = merge_event_description("Agenda: RMDs.", _note("- 40% bonds"))
    assert first.startswith("Agenda: RMDs.\n\n[Notebridge note ") and "• 40% bonds" in first
    edited = merge_event_description(first + "\n\nColleague's line.", _note("- 45% bonds"))
    assert edited.count("[Notebridge note") == 1 and "45%" in edited and "40%" not in edited
    assert edited.endswith("Colleague's line.")
    other = merge_event_description(edited, _note("mine", uid="0f0e0d0c-0000-4000-8000-000000000002"))
    assert other.count("[Notebridge note") == 2
    assert event_section_of(other, "0f0e0d0c-0000-4000-8000-000000000002") is not None
    assert merge_event_description(None, _note("x")).startswith("[Notebridge note")


def test_fingerprints_ignore_id_length_and_line_endings() -> None:
    ours = {"Subject": "S", "WhoId": "003000000000001AAA", "Description": "a\nb", "Status": "Not Started"}
    theirs = {"Subject": "S", "WhoId": "003000000000001", "Description": "a\r\nb", "Status": "Not Started"}
    assert task_fingerprint(ours) == task_fingerprint(theirs)
    assert task_fingerprint(ours) != task_fingerprint({**theirs, "Subject": "T"})


def test_budget_reserve_and_recheck() -> None:
    budget = ApiBudget(0.10, recheck=timedelta(minutes=30))
    assert budget.check(5, NOW).ok  # unknown usage: the first answer tells
    budget.update((8_990, 10_000))
    assert budget.available == 10 and budget.check(10, NOW).ok
    paused = budget.check(11, NOW)
    assert not paused.ok and "10%" in paused.reason and paused.retry_at == NOW + timedelta(minutes=30)
    assert not budget.check(11, NOW + timedelta(minutes=29)).ok
    assert budget.check(11, NOW + timedelta(minutes=30)).recheck
    with pytest.raises(ValueError, match="fraction"):
        ApiBudget(1.5)


def test_plain_text_joins_lines_qt_wrapped_but_keeps_lists() -> None:
    from app.sync.push.markdown_html import markdown_to_text

    wrapped = "Maria wants bonds before retiring; review the\nRoth ladder.\n\n- item that\n  wraps\n- two"
    assert markdown_to_text(wrapped) == (
        "Maria wants bonds before retiring; review the Roth ladder.\n\n• item that wraps\n• two")
