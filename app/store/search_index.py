"""Upkeep of the contact search indexes (FTS5): merging their b-trees after a big sync.

Why: FTS5 adds a b-tree to its index for every transaction that writes to it and merges them only
now and then (``automerge``), so right after a 100,000-contact first sync a search consults several
b-trees per term.  Merging them into one made the benchmark's searches ~30% faster (p50 0.64 →
0.43 ms on the database thread).  ``optimize`` does that in one statement (~0.7 s for 100,000
contacts), during which a keystroke's search would wait; the ``merge`` command does the same work
in steps, so searches run between them.

The rules, from https://www.sqlite.org/fts5.html#the_merge_command: a negative page count first
puts every b-tree on one level and starts merging them all (as ``optimize`` would); later calls
with a positive count carry that merge on.  A call that changed fewer than two rows
(``total_changes``) found nothing to do.
"""

from __future__ import annotations

import sqlite3

from sqlmodel import Session

from app.store.contact_rows import raw_connection

SEARCH_INDEXES = ("contact_fts", "contact_phone_fts")


def merge_step(session: Session | sqlite3.Connection, pages: int, *, first: bool) -> bool:
    """Merge up to ~``pages`` pages in each search index; True while there is more to merge.
    ``first``: start a full merge (the first step of a tidy-up); later steps carry it on."""
    if pages <= 0:
        raise ValueError("pages must be positive")
    raw = raw_connection(session)
    more = False
    for table in SEARCH_INDEXES:
        before = raw.total_changes
        raw.execute(f"INSERT INTO {table} ({table}, rank) VALUES ('merge', ?)",  # noqa: S608 (fixed names)
                    [-pages if first else pages])
        more = more or raw.total_changes - before >= 2
    return more
