"""Typo tolerance, the pure part: the one-edit check against a textbook edit distance, and the
deletion-neighbourhood lookup finding exactly the words one edit away (``app.store.fuzzy_text``)."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.store import fuzzy_text

LETTERS = "abcdehlmnorz"  # few letters, so near-misses and repeated letters are common
words = st.text(alphabet=LETTERS, min_size=fuzzy_text.MIN_WORD, max_size=10)


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Damerau–Levenshtein without re-editing a swapped pair),
    by the full dynamic programme: the reference the one-pass check must agree with."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@st.composite
def one_edit(draw: st.DrawFn, word: str) -> str:
    """``word`` with one insertion, deletion, substitution or swap of neighbours."""
    kind = draw(st.sampled_from(["insert", "delete", "substitute", "swap"]))
    i = draw(st.integers(0, len(word) - 1))
    letter = draw(st.sampled_from(LETTERS))
    if kind == "insert":
        return word[:i] + letter + word[i:]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "substitute":
        return word[:i] + letter + word[i + 1 :]
    j = min(i + 1, len(word) - 1)
    return word[:i] + word[j] + word[i] + word[j + 1 :] if j > i else word


def lookup(typed: str, vocabulary: set[str]) -> list[str]:
    """What ``fuzzy_index.similar_words`` does, with a dict for the table: index every word under
    its variants, look the typed word's variants up, check each candidate."""
    table: dict[str, set[str]] = defaultdict(set)
    for word in vocabulary:
        for variant in fuzzy_text.variants(word):
            table[variant].add(word)
    candidates = {w for v in fuzzy_text.variants(typed) for w in table.get(v, ())}
    return fuzzy_text.similar(typed, candidates)


@settings(max_examples=400)
@given(st.text(alphabet=LETTERS, max_size=9), st.text(alphabet=LETTERS, max_size=9))
def test_fuzzy_one_edit_check_agrees_with_the_edit_distance(a: str, b: str) -> None:
    assert fuzzy_text.within_one_edit(a, b) == (osa_distance(a, b) <= 1)


@settings(max_examples=300)
@given(st.data(), words)
def test_fuzzy_any_name_with_one_edit_is_found(data: st.DataObject, name: str) -> None:
    typed = data.draw(one_edit(name))
    assume(typed != name and fuzzy_text.query_word(typed) is not None)
    others = data.draw(st.sets(words, max_size=20))
    assert name in lookup(typed, others | {name})


@settings(max_examples=300)
@given(st.data(), words)
def test_fuzzy_a_name_two_edits_away_is_not_found(data: st.DataObject, name: str) -> None:
    typed = data.draw(one_edit(data.draw(one_edit(name))))
    assume(osa_distance(typed, name) == 2 and fuzzy_text.query_word(typed) is not None)
    assert name not in lookup(typed, {name})


@settings(max_examples=200)
@given(words, st.sets(words, max_size=30))
def test_fuzzy_lookup_finds_exactly_the_words_one_edit_away(typed: str, vocabulary: set[str]) -> None:
    expected = sorted(w for w in vocabulary if w != typed and osa_distance(w, typed) == 1)
    assert lookup(typed, vocabulary) == expected


def test_fuzzy_words_are_keyed_like_search_and_short_words_stay_out() -> None:
    assert fuzzy_text.name_words("Zoë O'Brien-Hall", "The Ramírez Household", None) == {
        "obrien", "hall", "ramirez", "household",
    }
    assert fuzzy_text.name_words("Al Li Ng", "123 Trust") == {"trust"}
    assert fuzzy_text.query_word("hel") is None
    assert fuzzy_text.query_word("4567") is None
    assert fuzzy_text.query_word("hellen") == "hellen"


def test_fuzzy_typos_from_the_issue_are_one_edit() -> None:
    assert fuzzy_text.similar("hellen", ["helen", "hellenbeck", "ellen"]) == ["ellen", "helen"]
    assert fuzzy_text.similar("ramierz", ["ramirez", "ramos"]) == ["ramirez"]
    assert fuzzy_text.similar("helen", ["helen"]) == []  # the word itself is the ordinary search's
