# ruff: noqa: S608 - the strings built here are the SOQL expected of the pull, not SQL
"""The SOQL the pull sends: resumable order, quoted literals, and user text that stays inside its quotes.

Literal formats and escapes: "Quoted String Escape Sequences" and "Date Formats and Date Literals" in the
SOQL and SOSL Reference (https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync.pull import queries
from app.sync.pull.records import RecordKey

KEY = RecordKey(datetime(2024, 3, 1, 17, 2, 11, tzinfo=UTC), "0035g00000ABCdeAAH")
AFTER_KEY = ("(SystemModstamp > 2024-03-01T17:02:11Z OR "
             "(SystemModstamp = 2024-03-01T17:02:11Z AND Id > '0035g00000ABCdeAAH'))")
EVENT_SELECT = ("SELECT Id, Subject, StartDateTime, EndDateTime, IsAllDayEvent, Location, WhoId, WhatId, "
                "Description, OwnerId, LastModifiedDate, SystemModstamp, IsDeleted FROM Event")


def test_sync_people_query_walks_in_resumable_order() -> None:
    assert queries.people("Contact", ("Id", "Name", "Account.Name")) == (
        "SELECT Id, Name, Account.Name FROM Contact ORDER BY SystemModstamp, Id")


def test_sync_people_query_with_every_condition() -> None:
    query = queries.people("Contact", ("Id", "Name"), resume=KEY, since=datetime(2024, 3, 1, tzinfo=UTC),
                           owner_id="0055g00000OWNabAAA", sf_ids=["0035g00000ABCdeAAH", "003000000000002"])
    assert query == (
        "SELECT Id, Name FROM Contact WHERE Id IN ('0035g00000ABCdeAAH', '003000000000002') "
        "AND OwnerId = '0055g00000OWNabAAA' AND SystemModstamp >= 2024-03-01T00:00:00Z AND " + AFTER_KEY +
        " ORDER BY SystemModstamp, Id")


def test_sync_resume_after_a_key_alone_needs_no_parentheses() -> None:
    assert queries.people("Lead", ("Id",), resume=KEY) == (
        "SELECT Id FROM Lead WHERE " + AFTER_KEY[1:-1] + " ORDER BY SystemModstamp, Id")
    assert queries.after(None) is None and queries.changed_since(None) is None


def test_sync_datetimes_in_other_zones_are_sent_in_utc() -> None:
    since = datetime(2024, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=-8)))
    assert queries.changed_since(since) == "SystemModstamp >= 2024-03-01T17:00:00Z"


def test_sync_events_in_window_for_everyone_and_for_chosen_people() -> None:
    start, end = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 5, 30, tzinfo=UTC)
    window = "StartDateTime >= 2024-03-01T00:00:00Z AND StartDateTime <= 2024-05-30T00:00:00Z"
    assert queries.events_in_window(start, end) == (
        f"{EVENT_SELECT} WHERE {window} AND (WhoId != null OR WhatId != null) ORDER BY SystemModstamp, Id")
    assert queries.events_in_window(start, end, people_ids=["0035g00000ABCdeAAH"], resume=KEY) == (
        f"{EVENT_SELECT} WHERE {window} AND (WhoId IN ('0035g00000ABCdeAAH') OR WhatId IN ('0035g00000ABCdeAAH')) "
        f"AND {AFTER_KEY} ORDER BY SystemModstamp, Id")


def test_sync_events_changed_or_newly_in_the_sliding_window() -> None:
    query = queries.events_changed(datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 5, 30, tzinfo=UTC),
                                   datetime(2024, 5, 31, tzinfo=UTC), resume=KEY)
    assert query == (
        f"{EVENT_SELECT} WHERE (SystemModstamp >= 2024-03-01T00:00:00Z OR (StartDateTime > 2024-05-30T00:00:00Z "
        f"AND StartDateTime <= 2024-05-31T00:00:00Z)) AND {AFTER_KEY} ORDER BY SystemModstamp, Id")


def test_sync_active_users() -> None:
    assert queries.active_users() == (
        "SELECT Id, Name, Email, Username, IsActive, SystemModstamp FROM User WHERE IsActive = true ORDER BY Id")


@pytest.mark.parametrize(("sobject", "text", "where"), [
    ("Contact", "O'Brien", r"Name LIKE '%O\'Brien%' OR Email LIKE '%O\'Brien%'"),
    ("Lead", "100%_sure", r"Name LIKE '%100\%\_sure%' OR Email LIKE '%100\%\_sure%'"),
    ("Account", "Chen\\Household", r"Name LIKE '%Chen\\Household%'"),
])
def test_sync_remote_search_matches_the_text_literally(sobject: str, text: str, where: str) -> None:
    fields = ", ".join(queries.SEARCH_FIELDS[sobject])
    assert queries.remote_search(sobject, text, limit=20) == (
        f"SELECT {fields} FROM {sobject} WHERE {where} ORDER BY Name, Id LIMIT 20")


def _outside_literals(query: str) -> str:
    """The query with every quoted literal emptied; fails if a literal is left open."""
    out: list[str] = []
    inside = escaped = False
    for ch in query:
        if inside:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "'":
                inside = False
                out.append("'")
            continue
        out.append(ch)
        inside = ch == "'"
    assert not inside, f"unterminated literal in {query!r}"
    return "".join(out)


@settings(deadline=None)
@given(st.text(max_size=40), st.sampled_from(["Contact", "Lead", "Account"]))
def test_sync_search_text_never_leaves_its_literal(text: str, sobject: str) -> None:
    query = queries.remote_search(sobject, text)
    fields = ", ".join(queries.SEARCH_FIELDS[sobject])
    where = "Name LIKE ''" if sobject == "Account" else "Name LIKE '' OR Email LIKE ''"
    assert _outside_literals(query) == f"SELECT {fields} FROM {sobject} WHERE {where} ORDER BY Name, Id LIMIT 50"
    assert all(ord(ch) >= 0x20 for ch in query)  # control characters travel as escapes


@settings(deadline=None)
@given(st.lists(st.text(max_size=20), min_size=1, max_size=5))
def test_sync_ids_in_quotes_whatever_they_hold(sf_ids: list[str]) -> None:
    assert _outside_literals(queries.ids_in(sf_ids)) == "Id IN (" + ", ".join("''" for _ in sf_ids) + ")"


def test_sync_people_progress_counts_say_one_in_the_singular() -> None:
    from app.sync.pull.people import PeopleSpec

    spec = PeopleSpec("Contact", "contacts", ("Id",), lambda record: {})
    assert spec.counted(1, "changed") == "1 changed contact"
    assert spec.counted(2000, "changed") == "2,000 changed contacts"
    assert PeopleSpec("Account", "households", ("Id",), lambda record: {}).counted(1) == "1 household"
