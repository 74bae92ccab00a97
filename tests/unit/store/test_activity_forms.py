"""The activity forms: what a call's or a meeting's fields may hold, checked on every save (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.store import activity_forms
from app.store.activity_forms import FORMS, FieldType, clean, initial, problems
from app.store.kinds import DRAFT_KINDS, ItemKind, is_activity

NOW = datetime(2026, 12, 4, 9, 33, 20, tzinfo=UTC)


def test_activity_forms_cover_every_activity_kind_and_nothing_else() -> None:
    assert set(FORMS) == {k for k in DRAFT_KINDS if is_activity(k)} == \
        {ItemKind.CALL, ItemKind.MEETING, ItemKind.EMAIL, ItemKind.OPPORTUNITY}
    assert FORMS[ItemKind.CALL].action == "Log a call" and FORMS[ItemKind.CALL].shortcut == "Ctrl+L"
    assert FORMS[ItemKind.MEETING].action == "New meeting" and "main attendee" in FORMS[ItemKind.MEETING].notice
    with pytest.raises(KeyError):
        activity_forms.form_of(ItemKind.TASK)


def test_activity_forms_new_drafts_start_now_to_five_minutes_and_a_meeting_lasts_an_hour() -> None:
    call = initial(ItemKind.CALL, NOW)
    assert call == {"when": "2026-12-04T09:30:00+00:00", "duration_minutes": 5, "direction": "Outbound",
                    "outcome": "", "note": ""}
    meeting = initial(ItemKind.MEETING, NOW)
    assert (meeting["start"], meeting["end"]) == ("2026-12-04T09:30:00+00:00", "2026-12-04T10:30:00+00:00")
    assert problems(ItemKind.CALL, call) == [] and problems(ItemKind.MEETING, meeting) == []


def test_activity_forms_clean_stores_times_in_utc_and_refuses_what_the_form_lacks() -> None:
    paris = timezone(timedelta(hours=1))
    cleaned = clean(ItemKind.CALL, {"when": datetime(2026, 12, 4, 10, 0, tzinfo=paris)}, initial(ItemKind.CALL, NOW))
    assert cleaned["when"] == "2026-12-04T09:00:00+00:00"
    assert clean(ItemKind.CALL, {"when": "2026-12-04T10:00:00+01:00"})["when"] == "2026-12-04T09:00:00+00:00"
    for bad, words in (({"colour": "red"}, "no field colour"), ({"direction": "Sideways"}, "Direction"),
                       ({"duration_minutes": -1}, "Duration"), ({"duration_minutes": True}, "Duration"),
                       ({"when": "yesterday"}, "When"), ({"when": datetime(2026, 1, 1)}, "time zone"),
                       ({"outcome": 7}, "Outcome")):
        with pytest.raises(ValueError, match=words):
            clean(ItemKind.CALL, bad)


def test_activity_forms_lengths_are_problems_never_cut() -> None:
    long = "x" * 256
    kept = clean(ItemKind.CALL, {"outcome": long})
    assert kept["outcome"] == long  # saved whole
    [(name, words)] = problems(ItemKind.CALL, kept)
    assert name == "outcome" and "256" in words and "255" in words and "nothing is cut off" in words
    assert problems(ItemKind.MEETING, {**initial(ItemKind.MEETING, NOW), "start": None})[0][0] == "start"


def test_activity_forms_titles_are_what_the_outbox_shows() -> None:
    call = FORMS[ItemKind.CALL]
    assert call.title({"direction": "Inbound", "outcome": " Left a voicemail "}) == "Inbound call — Left a voicemail"
    assert call.title({}) == "Outbound call"
    assert FORMS[ItemKind.MEETING].title({"subject": "  "}) == "Meeting"


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                     max_leaves=6)


@given(kind=st.sampled_from([ItemKind.CALL, ItemKind.MEETING]),
       values=st.dictionaries(st.sampled_from(["when", "duration_minutes", "direction", "outcome", "note", "subject",
                                               "start", "end", "location", "attendees"]), _json, max_size=4))
def test_activity_forms_clean_either_refuses_or_gives_exactly_the_form(kind: ItemKind, values: dict) -> None:
    form = FORMS[kind]
    try:
        cleaned = clean(kind, values)
    except ValueError:
        return
    assert list(cleaned) == [f.name for f in form.fields]
    for f in form.fields:
        value = cleaned[f.name]
        if f.type == FieldType.DATETIME:
            assert activity_forms.parse_instant(value) is not None or value is None
        elif f.type == FieldType.MINUTES:
            assert value is None or (isinstance(value, int) and 0 <= value <= (f.maximum or 0))
        elif f.type == FieldType.CHOICE:
            assert value is None or value in f.choices
        elif f.type == FieldType.PEOPLE:
            assert isinstance(value, list) and all(set(p) == {"id", "sf_id", "name"} and isinstance(p["id"], int)
                                                   and isinstance(p["name"], str) for p in value)
            assert len({p["id"] for p in value}) == len(value)
        else:
            assert value is None or isinstance(value, str)
    assert clean(kind, cleaned) == cleaned  # a stored payload reads back as itself


def test_log_meeting_attendees_are_people_each_once_and_anything_else_is_refused() -> None:
    """The PEOPLE field keeps each person once, in order, with their Id and name; a malformed one names it."""
    one = {"id": 7, "sf_id": "003000000000001AAA", "name": "Ann Lee"}
    two = {"id": 9, "sf_id": "", "name": "Bo Chen", "extra": "dropped"}
    cleaned = activity_forms.clean(ItemKind.MEETING, {"attendees": [one, two, dict(one)]})
    assert cleaned["attendees"] == [one, {"id": 9, "sf_id": "", "name": "Bo Chen"}]
    assert initial(ItemKind.MEETING, NOW)["attendees"] == ()
    for bad in ("Ann", [{"name": "Ann"}], [{"id": True, "name": "Ann"}], [{"id": 1}]):
        with pytest.raises(ValueError, match="Also attending"):
            activity_forms.clean(ItemKind.MEETING, {"attendees": bad})
