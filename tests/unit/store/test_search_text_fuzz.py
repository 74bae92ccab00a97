"""Property tests for the search keys (app/store/search_text.py): phone digits, e-mail keys, typed queries.

Any ``str`` — lone surrogates included, since JSON from Salesforce can carry them — gives keys without
raising; phone keys are the number's digits whatever the punctuation or digit script, so a number typed
with full-width digits finds one stored with ASCII ones; and every probe a typed query makes is a
valid SQLite FTS5 query that matches the text literally.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.store import search_text

FUZZ = settings(max_examples=200, deadline=None)

_SURROGATE = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
ANY_TEXT = st.lists(st.one_of(st.characters(), _SURROGATE,
                              st.sampled_from([*"0123456789()+-./ @\"*^:٣５", "AND", "NEAR", "OR"])),
                    max_size=40).map("".join)
_PUNCT = st.sampled_from([*" ()+-./", "  ", " - "])
_DIGIT_SCRIPTS = ("0123456789", "０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९")


@st.composite
def phone(draw: st.DrawFn) -> tuple[str, str]:
    """(a phone number as someone might write it, its ASCII digits)."""
    digits = draw(st.text(alphabet="0123456789", min_size=1, max_size=25))
    script = draw(st.sampled_from(_DIGIT_SCRIPTS))
    written = "".join(draw(st.sampled_from(["", "", draw(_PUNCT)])) + script[int(d)] for d in digits)
    return written + draw(st.sampled_from(["", " ", ")"])), digits


@FUZZ
@given(ANY_TEXT)
def test_fuzz_keys_never_raise_on_any_text(text: str) -> None:
    for value in (search_text.key(text), search_text.name_key(text), search_text.sort_key(text, text, text),
                  search_text.email_key(text) or "", search_text.search_name(text), search_text.fold(text),
                  search_text.display_name(text, text, text), search_text.search_phone(text, text)):
        assert isinstance(value, str)
    digits = search_text.phone_digits(text)
    assert digits.isascii() and (digits.isdigit() or digits == "") and len(digits) <= 20


@FUZZ
@given(phone())
@example(("(555) 123-4567", "5551234567"))
@example(("５５５-１２３４", "5551234"))
def test_fuzz_phone_digits_are_the_numbers_ascii_digits(case: tuple[str, str]) -> None:
    written, digits = case
    assert search_text.phone_digits(written) == digits[:20]
    query = search_text.parse_query(written)
    expected = digits[:20] if len(digits) >= 3 else ""
    assert query.digits == expected  # a typed number, in any script, probes the ASCII digits the index holds
    if expected:
        assert expected in search_text.search_phone(written, None, "")


@FUZZ
@given(st.emails(), st.sampled_from([str, str.upper, str.lower, str.swapcase]), st.sampled_from(["", " ", "\t"]))
def test_fuzz_email_key_ignores_case_and_surrounding_space(email: str, case: object, pad: str) -> None:
    assert search_text.email_key(pad + case(email) + pad) == search_text.email_key(email)  # type: ignore[operator]
    key = search_text.email_key(email)
    assert key is not None and search_text.email_key(key) == key


@FUZZ
@given(ANY_TEXT)
def test_fuzz_key_is_stable_and_tidy(text: str) -> None:
    key = search_text.key(text)
    assert search_text.key(key) == key
    assert key == key.strip() and "  " not in key
    assert key == " ".join(key.split())


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    """The two FTS5 tables as the workspace declares them, in memory."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE words USING fts5(name, tokenize = 'unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE phones USING fts5(phone, tokenize = 'trigram', columnsize = 0)")
    yield db
    db.close()


@FUZZ
@given(ANY_TEXT)
@example("a\udfffb 555")
@example("0\x00")  # found: a NUL cut FTS5's reading of the quoted word short
@example('jo "smith AND NEAR( x* ^col: -')
def test_fuzz_every_probe_is_a_valid_fts_query(fts: sqlite3.Connection, typed: str) -> None:
    query = search_text.parse_query(typed)
    probes = {"key": query.key, "email": query.email, "fts": query.fts, "fts_words": query.fts_words,
              "phone": query.phone_contains()}
    for name, probe in probes.items():
        probe.encode("utf-8")  # SQLite takes UTF-8: a lone surrogate here would fail the keystroke
        assert name and isinstance(probe, str)
    for table, match in (("words", query.fts), ("words", query.fts_words), ("phones", query.phone_contains())):
        if match and match != '""':
            fts.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ?", [match]).fetchall()  # noqa: S608
    if query.key:
        search_text.prefix_upper_bound(query.key).encode("utf-8")


@FUZZ
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=8),
                min_size=1, max_size=3))
def test_fuzz_typed_words_find_the_name_they_start(fts: sqlite3.Connection, words: list[str]) -> None:
    name = " ".join(words)
    tokens = [t for t in name.split() if any(ch.isalnum() for ch in t)]
    if not tokens or not all(_fts_token_chars(t) for t in tokens):
        return
    with fts:
        fts.execute("DELETE FROM words")
        fts.execute("INSERT INTO words(rowid, name) VALUES (1, ?)", [search_text.search_name(name)])
        typed = " ".join(t[: max(1, len(t) // 2)] for t in tokens)
        match = search_text.parse_query(typed).fts
        assert fts.execute("SELECT rowid FROM words WHERE words MATCH ?", [match]).fetchall() == [(1,)]


def _fts_token_chars(token: str) -> bool:
    """unicode61 keeps letters and numbers as token characters (categories L* and N*)."""
    return all(unicodedata.category(ch)[0] in "LN" for ch in token)
