"""The pure text functions behind search: keys, phone digits and FTS query quoting."""

from __future__ import annotations

import pytest

from app.store import search_text as st
from app.store.types import parse_timestamp, to_sqlite_text


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Zoë Saldaña", "zoe saldana"),
        ("Conan O'Brien", "conan obrien"),
        ("Mary-Kate  Olsen", "mary kate olsen"),
        ("  ", ""),
        (None, ""),
        ("ÅSA Ørn", "asa ørn"),
        ("José_María", "jose maria"),
    ],
)
def test_keys_fold_case_accents_and_punctuation(raw: str | None, key: str) -> None:
    assert st.key(raw) == key


def test_sort_key_puts_the_surname_first() -> None:
    assert st.sort_key("Conan O'Brien", "Conan", "O'Brien") == "obrien conan"
    assert st.sort_key("Smith Household", None, None) == "smith household"


def test_search_name_adds_squashed_words() -> None:
    assert st.search_name("Conan O'Brien") == "Conan O'Brien OBrien"
    assert st.search_name("Mary-Kate Olsen") == "Mary-Kate Olsen MaryKate"
    assert st.search_name("Plain Name") == "Plain Name"


def test_phone_text_keeps_the_digits_of_each_number_once() -> None:
    assert st.search_phone("(555) 123-4567", "+1 555 123 4567", "555.123.4567", "12", None, "") == (
        "5551234567 15551234567"
    )


@pytest.mark.parametrize(
    ("typed", "digits"),
    [("555 123", "555123"), ("(555) 123-4567", "5551234567"), ("+1.617", "617"), ("12", ""), ("jo 555", "")],
)
def test_only_phone_shaped_queries_search_phones(typed: str, digits: str) -> None:
    assert st.parse_query(typed).digits == digits


def test_every_word_is_quoted_so_fts_syntax_stays_literal() -> None:
    query = st.parse_query('jo "smith AND NEAR( x*')
    assert query.fts == '"jo"* AND """smith"* AND "AND"* AND "NEAR("* AND "x*"*'
    assert st.parse_query("- ' ( ").is_empty
    assert len(st.parse_query("word " * 100).fts.split(" AND ")) == 8


def test_prefix_upper_bound_is_the_next_string() -> None:
    assert st.prefix_upper_bound("jo") == "jp"
    assert st.prefix_upper_bound("a\ud7ff"[:1] + chr(0xD7FF)) == "a" + chr(0xE000)
    with pytest.raises(ValueError, match="U\\+10FFFF"):
        st.prefix_upper_bound("a" + chr(0x10FFFF))


def test_salesforce_timestamps_convert_exactly() -> None:
    assert to_sqlite_text("2013-05-07T22:07:19.123+0000") == "2013-05-07 22:07:19.123000"
    assert to_sqlite_text("2013-05-07T22:07:19.000-0500") == "2013-05-08 03:07:19.000000"
    assert to_sqlite_text("0999-01-01T00:00:00Z") == "0999-01-01 00:00:00.000000"
    assert to_sqlite_text(parse_timestamp("2013-05-07T22:07:19.123+0000")) == "2013-05-07 22:07:19.123000"
    assert to_sqlite_text(None) is None
    with pytest.raises(TypeError):
        to_sqlite_text(12345)  # type: ignore[arg-type]
