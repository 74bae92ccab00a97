"""The client timeline's order and marks (pure), and note markup turned into safe plain text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.services.timeline import EntryKind, build
from app.store.history import HistoryKind, HistoryRow
from app.store.notes import NoteDraft
from app.sync.pull.history_records import note_text

NOW = datetime(2026, 12, 4, 8, 14, tzinfo=UTC)
TODAY = NOW.date()


def _row(n: int, kind: HistoryKind, *, when: datetime | None = None, due: date | None = None,
         closed: bool = False, status: str | None = None, archived: bool = False) -> HistoryRow:
    return HistoryRow(n, f"00T00000000000{n}AAA", "003000000000001AAA", kind, f"item {n}", "", False, when, due,
                      status, closed, archived, None, "005000000000001AAA")


def _note(n: int, remote: str | None, state: str) -> NoteDraft:
    return NoteDraft(n, f"u{n}", 1, 1, None, None, None, f"local {n}", "", (), None, state, remote, None, None,
                     NOW - timedelta(hours=n), NOW - timedelta(hours=n))


def test_history_timeline_groups_and_orders() -> None:
    rows = [
        _row(1, HistoryKind.TASK, due=TODAY - timedelta(days=3), status="In Progress"),  # overdue
        _row(2, HistoryKind.TASK, due=TODAY + timedelta(days=3), status="Not Started"),  # upcoming
        _row(3, HistoryKind.TASK, due=TODAY - timedelta(days=30), closed=True, status="Completed"),
        _row(4, HistoryKind.EVENT, when=NOW + timedelta(days=1)),
        _row(5, HistoryKind.EVENT, when=NOW - timedelta(days=400), archived=True),
        _row(6, HistoryKind.CONTENT_NOTE, when=NOW - timedelta(days=2)),
        _row(7, HistoryKind.OPPORTUNITY, due=TODAY + timedelta(days=60), status="Proposal/Price Quote"),
        _row(8, HistoryKind.OPPORTUNITY, due=TODAY - timedelta(days=60), closed=True, status="Closed Won"),
    ]
    timeline = build(rows, [], [], {"005000000000001AAA": "Jordan Reyes"}, NOW, NOW)
    assert [e.title for e in timeline.open_tasks] == ["item 1"] and timeline.open_tasks[0].is_overdue
    assert timeline.open_tasks[0].person == "Jordan Reyes"
    assert [e.title for e in timeline.upcoming] == ["item 4", "item 2"]  # soonest first
    assert [e.title for e in timeline.past] == ["item 6", "item 3", "item 5"]  # newest first
    assert timeline.past[-1].is_archived
    assert [e.title for e in timeline.opportunities] == ["item 7"]  # open ones only


def test_history_timeline_shows_a_pushed_note_once() -> None:
    pulled = HistoryRow(9, "069000000000009AAA", "003000000000001AAA", HistoryKind.CONTENT_NOTE, "local 1", "Hi",
                        True, NOW - timedelta(hours=1), None, None, False, False, None, None)
    timeline = build([pulled], [_note(1, "069000000000009AAA", "pushed"), _note(2, None, "draft")], [], {}, NOW,
                     None)
    assert [(e.kind, e.title) for e in timeline.past] == [(EntryKind.NOTE, "local 1"),
                                                          (EntryKind.LOCAL_NOTE, "local 2")]
    assert timeline.past[0].from_notebridge and timeline.past[0].local_id == 1
    assert timeline.past[1].status == "Draft" and timeline.as_of is None


def test_history_note_text_drops_markup_scripts_and_images() -> None:
    markup = ('<p>Call about <b>RMD</b> &amp; beneficiary</p><script>alert(1)</script>'
              '<img src="https://evil.example/x.png"><ul><li>one</li><li>two</li></ul>')
    text = note_text(markup)
    assert [line for line in text.splitlines() if line] == ["Call about RMD & beneficiary", "• one", "• two"]
    assert "alert" not in text and "evil" not in text


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="<&\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                        max_size=40), max_size=5))
def test_history_note_text_keeps_every_paragraph_s_words(paragraphs: list[str]) -> None:
    markup = "".join(f"<p>{p}</p>" for p in paragraphs)
    words = [w for p in paragraphs for w in p.replace("\xa0", " ").split()]
    assert note_text(markup).split() == words
