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
    parts = search_text.international_parts(written)
    if parts is not None and expected:  # "+44 20…", "0044 20…": the national part is probed
        expected = parts[1] if len(parts[1]) >= 3 else ""
        assert digits[:20].endswith(expected)
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


# -- phone_search: national and international forms of one number meet ------------------------------

_COUNTRY = st.sampled_from(["1", "7", "44", "33", "49", "39", "61", "353", "971", "852"])
_NATIONAL = st.text(alphabet="0123456789", min_size=7, max_size=11).filter(lambda d: d[0] != "0")


def _group(digits: str, draw: st.DrawFn) -> str:
    """The digits with the punctuation people put between groups."""
    sep = draw(st.sampled_from([" ", "-", ".", ""]))
    return sep.join(digits[i:i + 3] for i in range(0, len(digits), 3))


@st.composite
def one_number_two_ways(draw: st.DrawFn) -> tuple[str, str]:
    """(a number as stored, the same number as typed), each in a national or an international form."""
    country, national = draw(_COUNTRY), draw(_NATIONAL)
    domestic = national if country == "1" else "0" + national  # North America has no trunk 0
    forms = [f"+{country} {_group(national, draw)}", f"00{country} {_group(national, draw)}",
             f"011 {country} {_group(national, draw)}", f"+{country}{national}",
             f"({domestic[:3]}) {_group(domestic[3:], draw)}" if country == "1" else _group(domestic, draw)]
    stored = draw(st.sampled_from([f for f in forms if not f.startswith("011")]))
    return stored, draw(st.sampled_from(forms))


@FUZZ
@given(one_number_two_ways())
@example(("(476) 496-3197", "+1 476 496 3197"))
@example(("(476) 496-3197", "001 476 496 3197"))
@example(("+1 476 496 3197", "(476) 496-3197"))
@example(("020 7946 0958", "+44 20 7946 0958"))
@example(("+44 20 7946 0958", "020 7946 0958"))
def test_phone_search_national_and_international_forms_meet(fts: sqlite3.Connection, case: tuple[str, str]) -> None:
    """Whichever form is stored and whichever is typed, the typed whole number finds the stored one
    through the real trigram index, and ranks it exact."""
    stored, typed = case
    keys = search_text.search_phone(stored)
    query = search_text.parse_query(typed)
    assert query.digits, typed
    with fts:
        fts.execute("DELETE FROM phones")
        fts.execute("INSERT INTO phones(rowid, phone) VALUES (1, ?)", [keys])
        found = fts.execute("SELECT rowid FROM phones WHERE phones MATCH ?", [query.phone_contains()]).fetchall()
    assert found == [(1,)], (stored, typed, keys, query.digits)
    assert {query.digits, *query.phone_forms} & set(keys.split()), (stored, typed, keys)


@pytest.mark.parametrize("typed", ["+44 20 7946 0958", "0044 20 7946 0958", "011 44 20 7946 0958", "+33 1 23 45"])
def test_phone_search_reads_country_codes_by_their_length(typed: str) -> None:
    parts = search_text.international_parts(typed)
    assert parts is not None and parts[0] in ("44", "33")
    assert search_text.international_parts("0115 496 0000", exit_011=False) is None  # Nottingham, not 011
    assert search_text.international_parts("(476) 496-3197") is None
