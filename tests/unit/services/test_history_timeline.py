"""The client timeline's order and marks (pure), and note markup turned into safe plain text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.services.timeline import EntryKind, build
from app.store import activity_forms
from app.store.activities import ActivityDraftValue
from app.store.history import HistoryKind, HistoryRow
from app.store.kinds import ItemKind
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


def _activity(n: int, kind: ItemKind, remote: str | None, state: str, **fields: object) -> ActivityDraftValue:
    values = {**activity_forms.initial(kind, NOW - timedelta(days=1)), **fields}
    return ActivityDraftValue(n, f"a{n}", 1, kind, 1, "003000000000001AAA", None, values, state, remote, None,
                              NOW - timedelta(hours=n), NOW - timedelta(hours=n))


def test_history_timeline_pushed_once_a_done_call_or_task_is_past_whatever_its_date() -> None:
    rows = [_row(1, HistoryKind.CALL, due=TODAY, closed=True, status="Completed"),  # noon today: after NOW
            _row(2, HistoryKind.TASK, due=TODAY + timedelta(days=2), closed=True, status="Completed"),
            _row(3, HistoryKind.EMAIL, due=TODAY - timedelta(days=1), closed=True, status="Completed")]
    timeline = build(rows, [], [], {}, NOW, NOW)
    assert timeline.upcoming == () and timeline.open_tasks == ()
    assert [(e.kind, e.title) for e in timeline.past] == [
        (EntryKind.TASK, "item 2"), (EntryKind.CALL, "item 1"), (EntryKind.EMAIL, "item 3")]


def test_history_timeline_pushed_once_local_activities_and_their_twins() -> None:
    call = _activity(1, ItemKind.CALL, "00T000000000001AAA", "pushed", outcome="Spoke")
    deal = _activity(2, ItemKind.OPPORTUNITY, "006000000000002AAA", "pushed", name="IRA rollover",
                     close_date=(TODAY + timedelta(days=30)).isoformat(), amount=1000, stage="Proposal")
    meeting = _activity(3, ItemKind.MEETING, None, "draft", subject="Review", location="Office")
    gone = _activity(4, ItemKind.EMAIL, "00T000000000004AAA", "pushed", subject="Forms")
    pulled_call = HistoryRow(9, "00T000000000001AAA", "003000000000001AAA", HistoryKind.CALL, "Outbound call — Spoke",
                             "", False, NOW, TODAY - timedelta(days=1), "Completed", True, False, None, None)
    timeline = build([pulled_call], [], [], {}, NOW, NOW, [call, deal, meeting, gone], {"00T000000000004AAA"})

    [pulled] = [e for e in timeline.past if e.sf_id == call.remote_id]
    assert pulled.kind is EntryKind.CALL and pulled.from_notebridge and pulled.local_id == 1
    assert pulled.item_kind is ItemKind.CALL
    assert not [e for e in timeline.past if e.local_id == 1 and e.kind is EntryKind.LOCAL_ACTIVITY]
    [local_deal] = timeline.opportunities  # not pulled back yet: the local one, in the opportunities
    assert (local_deal.kind, local_deal.item_kind, local_deal.status) == (EntryKind.LOCAL_ACTIVITY,
                                                                          ItemKind.OPPORTUNITY, "Pushed")
    assert (local_deal.amount, local_deal.due) == (1000.0, TODAY + timedelta(days=30))
    [draft] = [e for e in timeline.past if e.local_id == 3]
    assert draft.status == "Draft" and draft.location == "Office" and draft.item_kind is ItemKind.MEETING
    assert [e.local_id for e in timeline.deleted_in_salesforce] == [4]  # off the timeline, listed apart
    assert all(e.local_id != 4 for e in timeline.past + timeline.upcoming)


_REMOTE = st.sampled_from(["00T000000000001AAA", "00T000000000002AAA", "00U000000000003AAA", None])


@given(st.lists(st.tuples(st.sampled_from([ItemKind.CALL, ItemKind.MEETING, ItemKind.EMAIL, ItemKind.OPPORTUNITY]),
                          _REMOTE), max_size=6),
       st.sets(st.sampled_from(["00T000000000001AAA", "00T000000000002AAA", "00U000000000003AAA"])),
       st.sets(st.sampled_from(["00T000000000001AAA", "00T000000000002AAA", "00U000000000003AAA"])))
def test_history_timeline_pushed_once_property(items: list[tuple[ItemKind, str | None]], pulled_ids: set[str],
                                               deleted: set[str]) -> None:
    """Whatever was pushed, pulled back or deleted: a Salesforce record is shown at most once, and
    every local item is either shown, or carried by its pulled twin, or listed as deleted — never lost."""
    seen_remote: set[str] = set()
    local = []
    for n, (kind, remote) in enumerate(items, start=1):
        if remote in seen_remote:  # a Salesforce Id belongs to one local item
            continue
        if remote:
            seen_remote.add(remote)
        local.append(_activity(n, kind, remote, "pushed" if remote else "draft"))
    deleted -= pulled_ids  # the pull never has a record both live and deleted
    rows = [HistoryRow(100 + i, sf_id, "003000000000001AAA", HistoryKind.TASK, f"sf {i}", "", False, NOW,
                       TODAY - timedelta(days=1), "Completed", True, False, None, None)
            for i, sf_id in enumerate(sorted(pulled_ids))]
    timeline = build(rows, [], [], {}, NOW, NOW, local, deleted)
    shown = [*timeline.open_tasks, *timeline.upcoming, *timeline.past, *timeline.opportunities]
    remotes = [e.sf_id for e in shown if e.sf_id]
    assert len(remotes) == len(set(remotes))
    for a in local:
        carried = [e for e in shown if e.local_id == a.id and e.item_kind is a.kind]
        listed = [e for e in timeline.deleted_in_salesforce if e.local_id == a.id]
        assert len(carried) + len(listed) == 1, (a, carried, listed)
        if a.remote_id in pulled_ids:
            assert carried[0].kind is EntryKind.TASK and carried[0].from_notebridge
