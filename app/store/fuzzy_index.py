"""The typo-tolerant name index (table ``name_variant``): written beside the contacts, read per
keystroke.  What is stored and why: ``app.store.fuzzy_text``.

It holds *words*, not contacts: the words of every live contact's names (first, last, account or
household), each under itself and its one-letter deletions.  A search turns a typed word into the
indexed words one edit away, then finds the contacts through the FTS index (``contact_search``), so
a deleted contact is never found (the FTS triggers drop it) and a renamed one is found by its new
name as soon as its row is written.  Words nobody bears any more only cost a row until
:func:`rebuild` (``contacts.reindex``) drops them.

Cost on the pull: a page's distinct words are looked up once; only words the workspace has never
seen are written (a few hundred rows per page early in a first sync, almost none later).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlmodel import Session

from app.store import fuzzy_text
from app.store.contact_rows import raw_connection

_T = TypeVar("_T")
_IN_LIST = 500
_ROWS_PER_INSERT = 1_000  # x 3 values: well under SQLite's bound-parameter limit, short GIL holds


def remember(session: Session | sqlite3.Connection, connection_id: int, words: Iterable[str]) -> int:
    """Index the words not indexed yet (``words`` as :func:`fuzzy_text.name_words` makes them);
    returns how many were new."""
    raw = raw_connection(session)
    wanted = sorted(set(words))
    if not wanted:
        return 0
    known: set[str] = set()
    for chunk in _chunks(wanted, _IN_LIST):
        marks = ", ".join("?" for _ in chunk)
        rows = raw.execute(
            "SELECT word FROM name_variant WHERE connection_id = ?"  # noqa: S608 (placeholders only)
            f" AND variant IN ({marks}) AND variant = word",
            [connection_id, *chunk],
        )
        known.update(row[0] for row in rows)
    new = [word for word in wanted if word not in known]
    _insert(raw, [(connection_id, variant, word) for word in new for variant in fuzzy_text.variants(word)])
    return len(new)


def similar_words(session: Session | sqlite3.Connection, connection_id: int, word: str) -> list[str]:
    """Indexed name words one edit away from ``word`` (not ``word`` itself), alphabetical.

    One primary-key lookup per variant of ``word`` (at most ``MAX_WORD + 1``), then the one-edit
    check in Python on the few words found."""
    typed = fuzzy_text.query_word(word)
    if typed is None:
        return []
    keys = sorted(fuzzy_text.variants(typed))
    marks = ", ".join("?" for _ in keys)
    rows = raw_connection(session).execute(
        f"SELECT DISTINCT word FROM name_variant WHERE connection_id = ? AND variant IN ({marks})",  # noqa: S608
        [connection_id, *keys],
    )
    return fuzzy_text.similar(typed, (row[0] for row in rows))


def rebuild(session: Session | sqlite3.Connection, connection_id: int | None = None) -> int:
    """Index exactly the words of live contacts (a repair, and how stale words are dropped);
    returns how many words are indexed.  Streams the contacts 2000 at a time."""
    raw = raw_connection(session)
    scope, scope_args = ("", []) if connection_id is None else (" AND connection_id = ?", [connection_id])
    raw.execute(f"DELETE FROM name_variant WHERE true{scope}", scope_args)  # noqa: S608 (fixed text)
    words: dict[int, set[str]] = {}
    last_id = 0
    while True:
        rows = raw.execute(
            "SELECT id, connection_id, name, account_name FROM contact"  # noqa: S608 (fixed text)
            f" WHERE id > ? AND is_deleted = 0{scope} ORDER BY id LIMIT 2000",
            [last_id, *scope_args],
        ).fetchall()
        if not rows:
            break
        for _, cid, name, account_name in rows:
            words.setdefault(cid, set()).update(fuzzy_text.name_words(name, account_name))
        last_id = rows[-1][0]
    return sum(remember(raw, cid, found) for cid, found in words.items())


def _insert(raw: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    # Many rows per INSERT, not executemany (which takes the GIL back around every row).
    for chunk in _chunks(rows, _ROWS_PER_INSERT):
        raw.execute(
            f"INSERT OR IGNORE INTO name_variant (connection_id, variant, word) VALUES "  # noqa: S608
            f"{', '.join(['(?, ?, ?)'] * len(chunk))}",
            [value for row in chunk for value in row],
        )


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
