"""Small reliability defects, each reproduced on real parts: a real workspace file, the real search,
the real ``notebridge connect`` subprocess and the real demo org over sockets."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.store import Database, contacts
from app.store.search_text import parse_query
from tests.unit.store.store_helpers import add_connection
from tests.unit.store.test_store_contacts import PEOPLE

# ------------------------------------------------------------------------------------ search


def _filled_workspace(path: Path) -> int:
    async def fill() -> int:
        db = await Database.open(path)
        try:
            cid = await add_connection(db)
            await db.run(lambda s: contacts.upsert_many(s, cid, PEOPLE))
            return cid
        finally:
            await db.close()

    return asyncio.run(fill())


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[sqlite3.Connection, int]]:
    path = tmp_path_factory.mktemp("search") / "workspace.db"
    cid = _filled_workspace(path)
    conn = sqlite3.connect(path, isolation_level=None)
    yield conn, cid
    conn.close()


@pytest.mark.parametrize("typed", ["\ud800", "jo\udc00", "\udfff smith", "555\ud83d", "\ud83d\ude00 jo"])
def test_search_with_a_lone_surrogate_answers_instead_of_raising(
        searchable: tuple[sqlite3.Connection, int], typed: str) -> None:
    conn, cid = searchable
    hits = contacts.search(conn, cid, typed)
    without = typed.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    assert [h.contact.sf_id for h in hits] == [h.contact.sf_id for h in contacts.search(conn, cid, without)]


def test_search_surrogate_pair_split_in_two_is_joined_into_its_character() -> None:
    assert parse_query("zo\ud83d\ude00").key == parse_query("zo\U0001f600").key


_TYPED = st.text(
    st.one_of(
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # surrogates, paired or not
        st.characters(exclude_categories=()),  # anything at all, control characters included
        st.sampled_from("jo smith 555-() @.'\"*^:ëØ\x00\t"),  # what search syntax is made of
    ),
    max_size=240,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=_TYPED)
def test_search_any_typed_text_never_raises(searchable: tuple[sqlite3.Connection, int], typed: str) -> None:
    conn, cid = searchable
    hits = contacts.search(conn, cid, typed, 20)
    assert len(hits) <= 20
    assert all(hit.contact.sf_id for hit in hits)
