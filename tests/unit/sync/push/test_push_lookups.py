"""The lookups handlers declare for lost creates: which Salesforce record carries what we sent."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from app.sync.push.kinds.note import CLASSIC_NOTE_LOOKUP, CONTENT_NOTE_LOOKUP
from app.sync.push.kinds.task import TASK_LOOKUP
from app.sync.push.reconcile import SentCreate

SENT_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _content_note(title: str, html: str) -> SentCreate:
    content = base64.b64encode(html.encode()).decode()
    return SentCreate(1, "key-1", SENT_AT, {"attributes": {"type": "ContentNote"}, "Title": title,
                                             "Content": content})


def _plausible_content(item: SentCreate, candidate: dict) -> bool:
    return CONTENT_NOTE_LOOKUP.plausible(item, CONTENT_NOTE_LOOKUP.text_of(item), candidate)


def test_push_content_note_lookup_matches_title_and_preview() -> None:
    ours = _content_note("Annual review", "<p>Talked about college savings.</p>")
    assert _plausible_content(ours, {"Id": "069A", "Title": "Annual review", "TextPreview": "Talked about college"})
    assert not _plausible_content(ours, {"Id": "069B", "Title": "Annual review", "TextPreview": "Talked about taxes"})
    assert not _plausible_content(ours, {"Id": "069C", "Title": "Other", "TextPreview": "Talked about college"})
    # An empty preview only matches a note with no words at all.
    assert not _plausible_content(ours, {"Id": "069D", "Title": "Annual review", "TextPreview": ""})
    assert _plausible_content(_content_note("Empty", ""), {"Id": "069E", "Title": "Empty", "TextPreview": None})
    assert CONTENT_NOTE_LOOKUP.full_text and not TASK_LOOKUP.full_text


_words = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1, max_size=12)


@given(words=st.lists(_words, min_size=1, max_size=30), cut=st.integers(min_value=0), spacing=st.sampled_from(
    [" ", "  ", "\n", " \n "]))
def test_push_content_note_lookup_ignores_how_the_preview_is_spaced(words: list[str], cut: int,
                                                                     spacing: str) -> None:
    """Salesforce's TextPreview re-flows whitespace and stops anywhere: any prefix of our words matches."""
    ours = _content_note("T", "<p>" + " ".join(words) + "</p>")
    prefix = spacing.join(words)[: 1 + cut % len(" ".join(words))]
    assert _plausible_content(ours, {"Id": "069A", "Title": "T", "TextPreview": prefix})


def test_push_classic_note_lookup_compares_title_body_and_parent() -> None:
    ours = SentCreate(2, "key-2", SENT_AT, {"attributes": {"type": "Note"}, "Title": "Call notes",
                                             "Body": "Wants a review", "ParentId": "003000000000001AAA"})
    same = {"Id": "002A", "Title": "Call notes", "Body": "Wants a review", "ParentId": "003000000000001"}
    assert CLASSIC_NOTE_LOOKUP.bucket(same) == CLASSIC_NOTE_LOOKUP.bucket(ours.record)  # 15 and 18 char Ids
    assert CLASSIC_NOTE_LOOKUP.plausible(ours, "", {**same, "ParentId": "003000000000001AAA"})
    assert not CLASSIC_NOTE_LOOKUP.plausible(ours, "", {**same, "ParentId": "003000000000001AAA", "Body": "x"})


def test_push_task_lookup_compares_only_the_fields_we_sent() -> None:
    ours = SentCreate(3, "key-3", SENT_AT, {"attributes": {"type": "Task"}, "Subject": "Send forms",
                                             "Status": "Not Started", "Priority": "Normal"})
    theirs = {"Id": "00T1", "Subject": "Send forms", "Status": "Not Started", "Priority": "Normal",
              "Description": "added by a trigger"}
    assert TASK_LOOKUP.plausible(ours, "", theirs)
    assert not TASK_LOOKUP.plausible(ours, "", {**theirs, "Priority": "High"})
    assert TASK_LOOKUP.key_field and TASK_LOOKUP.filter_field == "Subject"
