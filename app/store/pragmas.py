"""Per-connection SQLite settings, applied and then *verified* on every new connection.

A PRAGMA that SQLite does not accept fails silently (it just answers with the old value), so each
one is read back.  The journal mode is the one setting allowed to differ from what we ask: WAL
needs shared memory next to the file, which some filesystems (network shares, some sync folders,
``unix-dotfile`` locking) cannot give.  Then we use the rollback (DELETE) journal — still crash
safe with ``synchronous=FULL``, only slower with concurrent readers — and say so in ``doctor``.
See https://www.sqlite.org/wal.html ("WAL does not work over a network filesystem") and
https://www.sqlite.org/pragma.html#pragma_journal_mode ("returns the new journal mode", or the
old one if the change was refused).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.store.errors import StoreError

BUSY_TIMEOUT_MS = 5_000
SYNCHRONOUS_FULL = 2
# Checkpoint when the WAL holds 8000 pages (32 MB, the size it is trimmed back to) rather than at
# SQLite's default 1000.  A sync commits a few MB per page of 2000 contacts, so at 1000 pages nearly
# every commit also copied the WAL into the database file and synced it twice; index and search
# pages rewritten by consecutive commits are now copied once per checkpoint.  Measured on the
# 100,000-contact benchmark: ~10% less time in the database thread, which is what bounds the sync.
# https://www.sqlite.org/wal.html#automatic_checkpoint
WAL_AUTOCHECKPOINT_PAGES = 8_000
JOURNAL_SIZE_LIMIT_BYTES = 32 * 1024 * 1024
CACHE_SIZE_KIB = 20_000


@dataclass(frozen=True, slots=True)
class JournalDecision:
    """The journal mode in use and, when it is not WAL, why."""

    mode: str
    reason: str | None = None


def decide_journal_mode(answer: str) -> JournalDecision:
    """Decide from SQLite's answer to ``PRAGMA journal_mode=WAL`` what journal to run with."""
    reported = (answer or "").strip().lower()
    if reported == "wal":
        return JournalDecision("wal")
    return JournalDecision(
        "delete",
        f"SQLite answered journal_mode={reported or 'nothing'} when asked for WAL: this filesystem "
        "cannot share WAL memory (a network or synced folder?). Using the DELETE journal instead — "
        "just as safe, a little slower. Move the data folder to a local disk to get WAL.",
    )


def _pragma(conn: sqlite3.Connection, name: str) -> object:
    row = conn.execute(f"PRAGMA {name}").fetchone()
    return row[0] if row else None


def _set_journal_mode(conn: sqlite3.Connection) -> JournalDecision:
    decision = decide_journal_mode(str(_pragma(conn, "journal_mode = WAL")))
    if decision.mode != "wal":
        answer = str(_pragma(conn, "journal_mode = DELETE")).lower()
        if answer != "delete":
            raise StoreError(
                f"SQLite refused both the WAL and the DELETE journal (it kept {answer!r}); the workspace "
                "cannot be written safely here. Choose a data folder on a local disk (--data-dir)."
            )
    return decision


def configure_connection(conn: sqlite3.Connection) -> JournalDecision:
    """Apply and verify the store's PRAGMAs on a fresh DB-API connection (outside any transaction)."""
    # busy_timeout first: switching the journal mode needs a lock another process may hold.
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    decision = _set_journal_mode(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT_BYTES}")
    conn.execute(f"PRAGMA cache_size = -{CACHE_SIZE_KIB}")
    conn.execute("PRAGMA temp_store = MEMORY")
    expected: dict[str, object] = {
        "journal_mode": decision.mode,
        "foreign_keys": 1,
        "synchronous": SYNCHRONOUS_FULL,
        "busy_timeout": BUSY_TIMEOUT_MS,
        "wal_autocheckpoint": WAL_AUTOCHECKPOINT_PAGES,
        "journal_size_limit": JOURNAL_SIZE_LIMIT_BYTES,
    }
    actual = read_pragmas(conn)
    wrong = {name: actual[name] for name, value in expected.items() if actual[name] != value}
    if wrong:
        raise StoreError(f"SQLite did not accept the workspace settings {wrong} (expected {expected}).")
    return decision


def read_pragmas(conn: sqlite3.Connection) -> dict[str, object]:
    """The live values that ``configure_connection`` sets, for verification and ``doctor``."""
    names = ("journal_mode", "foreign_keys", "synchronous", "busy_timeout", "wal_autocheckpoint",
             "journal_size_limit")
    values = {name: _pragma(conn, name) for name in names}
    values["journal_mode"] = str(values["journal_mode"]).lower()
    return values
