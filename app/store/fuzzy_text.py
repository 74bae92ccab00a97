"""Typo tolerance for names — pure functions, no SQL: which words are indexed, their variants,
and the one-edit check.

Why a deletion neighbourhood (SymSpell): two words are at most one edit apart (one letter
inserted, deleted, substituted, or two neighbours swapped) only if deleting at most one letter from
each gives a common string.  So every indexed name word is stored under itself and each of its
one-letter deletions ("helen": helen, elen, hlen, heen, heln, hele), and a typed word looks up its
own such set ("hellen": hellen, ellen, …, helen, …): one index lookup per keystroke, however many
contacts there are.  Some pairs that meet this way are two edits apart ("abca"/"bcab"), so every
candidate is then checked with :func:`within_one_edit`.

Only name words of :data:`MIN_WORD` letters or more take part: a three-letter word is one edit away
from hundreds of others, and the list would fill with noise.  Words are keyed as
:func:`app.store.search_text.key` keys them, so "Zoë" and "zoe" are one word here too.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.store import search_text

MIN_WORD = 4
# Longer "words" are not names (a pasted reference, an e-mail address run together); skip them.
MAX_WORD = 32


def name_words(*texts: str | None) -> set[str]:
    """The words of names that typo tolerance covers (first, last, account/household names)."""
    words: set[str] = set()
    for text in texts:
        for word in search_text.key(text).split():
            if MIN_WORD <= len(word) <= MAX_WORD and word.isalpha():
                words.add(word)
    return words


def variants(word: str) -> set[str]:
    """``word`` and every string made by deleting one of its letters."""
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def query_word(word: str) -> str | None:
    """The typed word as the index knows words, or None when it is not looked up (too short, long
    or not letters).  ``word`` is already a search key (folded, lower case)."""
    return word if MIN_WORD <= len(word) <= MAX_WORD and word.isalpha() else None


def within_one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are equal or one insertion, deletion, substitution or swap of two
    neighbouring letters apart (optimal-string-alignment distance ≤ 1), in one pass."""
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):  # one letter inserted into ``a`` at i
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:  # one letter substituted at i
        return True
    return i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


def similar(word: str, candidates: Iterable[str]) -> list[str]:
    """The candidates one edit away from ``word`` (``word`` itself left out: exact and prefix
    matches are found by the ordinary search), alphabetical."""
    return sorted({c for c in candidates if c != word and within_one_edit(word, c)})
