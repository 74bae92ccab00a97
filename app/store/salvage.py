"""Salvage what can be read from a damaged workspace file into a fresh one.

Why not the ``sqlite3`` command-line tool's ``.recover``: Notebridge ships as a frozen bundle to
advisors' Windows and macOS machines, where that tool is not installed, and Python's ``sqlite3``
module has no recovery API.  So the rows are read here, table by table, with plain ``SELECT``s in
``rowid`` order: when a damaged page stops the scan, the scan starts again *after* it (``rowid > n``
with a growing jump), so one bad page loses the rows on that page, not the rest of the table.  Each
row is written in its own savepoint: a row the damage garbled (a broken constraint, a parent that was
lost) is skipped, never the whole salvage.

What is copied: the connection (its secrets are in the keyring, keyed by the row's id, which is
kept), the mirrored people and records notes point at, every note and task, every outbox row (with
``sent_at``/``remote_id``: the push's exactly-once rules then reconcile an uncertain send instead of
repeating it), and the settings.  What is not: sync cursors (so the next sync fetches everything
again), the sync log and the usage samples (history, not work).
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.store.contact_rows import raw_connection
from app.store.outbox import ACTIVE_STATES
from app.wording import counted

log = logging.getLogger(__name__)

# Parents before children, so each copied row finds the rows its foreign keys name.
SALVAGED_TABLES = ("connection", "account", "contact", "event", "sf_user", "note", "task", "outbox_item",
                   "setting")
# Foreign keys that may be emptied when their target was lost: the note keeps its Salesforce parent
# (``parent_sf_id``), which is what the push uses; ``contact_id`` only links the row for the screen.
_OPTIONAL_LINKS = {"note": ("contact_id", "event_id"), "task": ("contact_id", "note_id")}
# How far the scan jumps past a damaged spot before giving the table up (doubling from 1).
_MAX_JUMP = 1 << 24


@dataclass(frozen=True)
class SalvageReport:
    """What was carried over from the damaged file (``kept_at``) into the fresh workspace."""

    kept_at: Path
    drafts: int  # notes and tasks with changes Salesforce does not have yet
    outbox: int  # outbox rows still to send
    people: int  # people added in Notebridge that Salesforce does not have yet
    rows: int  # every row copied
    unreadable_tables: tuple[str, ...] = ()

    def sentence(self) -> str:
        """The count an advisor reads."""
        drafts = counted(self.drafts, "draft")
        people = f" and {counted(self.people, 'new person', 'new people')}" if self.people else ""
        return (f"Notebridge saved {drafts}{people} from it ({self.outbox} waiting to be sent) into a fresh "
                "workspace, and will sync your clients again.")


def open_damaged(path: Path) -> sqlite3.Connection:
    """Read-only, so the kept copy stays byte for byte what it was (no WAL checkpoint into it)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    conn.text_factory = lambda raw: raw.decode("utf-8", "replace")  # a garbled text value is kept, not fatal
    return conn


def read_rows(src: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """Every row of ``table`` that can be read, in rowid order, skipping damaged stretches."""
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT rowid, {names} FROM "{table}" WHERE rowid > ? ORDER BY rowid'  # noqa: S608 (schema names)
    after, jump = -(1 << 62), 1
    while jump <= _MAX_JUMP:
        try:
            for row in src.execute(sql, (after,)):
                after, jump = int(row[0]), 1
                yield tuple(row[1:])
            return
        except sqlite3.DatabaseError as exc:
            log.warning("salvage: %s unreadable after rowid %s (%s); skipping ahead %s", table, after, exc, jump)
            after = max(after, 0) + jump
            jump *= 2


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in conn.execute(f'PRAGMA table_info("{table}")')]


def _insert(dst: sqlite3.Connection, table: str, columns: list[str], row: tuple[Any, ...]) -> bool:
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608
    attempts = [row]
    links = [columns.index(c) for c in _OPTIONAL_LINKS.get(table, ()) if c in columns]
    if links:
        attempts.append(tuple(None if i in links else v for i, v in enumerate(row)))
    for values in attempts:
        dst.execute("SAVEPOINT salvage_row")
        try:
            before = dst.total_changes
            dst.execute(sql, values)
            dst.execute("RELEASE salvage_row")
            return dst.total_changes > before
        except sqlite3.Error:
            dst.execute("ROLLBACK TO salvage_row")
            dst.execute("RELEASE salvage_row")
    return False


def copy_into(session: Session, kept_at: Path) -> SalvageReport:
    """Copy what can be read from ``kept_at`` into the (fresh, migrated) workspace of ``session``.
    Runs on the database thread, in one transaction, through :meth:`Database.run`."""
    dst = raw_connection(session)
    copied, unreadable = 0, []
    try:
        src = open_damaged(kept_at)
    except sqlite3.Error as exc:
        log.error("salvage: the damaged file cannot be opened at all (%s)", exc)
        return SalvageReport(kept_at, 0, 0, 0, 0, SALVAGED_TABLES)
    try:
        for table in SALVAGED_TABLES:
            try:
                theirs = set(_columns(src, table))
            except sqlite3.DatabaseError:
                theirs = set()
            columns = [c for c in _columns(dst, table) if c in theirs]
            if not columns:
                unreadable.append(table)
                continue
            for row in read_rows(src, table, columns):
                copied += _insert(dst, table, columns, row)
    finally:
        with contextlib.suppress(sqlite3.Error):
            src.close()
    # An outbox row whose note or task was lost has nothing left to send.
    dst.execute("DELETE FROM outbox_item WHERE (kind = 'note' AND item_id NOT IN (SELECT id FROM note))"
                " OR (kind = 'task' AND item_id NOT IN (SELECT id FROM task))"
                " OR (kind = 'person' AND item_id NOT IN (SELECT id FROM contact))")
    drafts = sum(dst.execute(f"SELECT count(*) FROM {t} WHERE state != 'pushed'").fetchone()[0]  # noqa: S608
                 for t in ("note", "task"))
    active = ", ".join(f"'{state}'" for state in ACTIVE_STATES)
    outbox = dst.execute(f"SELECT count(*) FROM outbox_item WHERE state IN ({active})").fetchone()[0]  # noqa: S608
    people = dst.execute("SELECT count(*) FROM contact WHERE sf_id LIKE 'new-%'").fetchone()[0]
    report = SalvageReport(kept_at, int(drafts), int(outbox), int(people), copied, tuple(unreadable))
    log.warning("salvaged %s rows from %s (%s drafts, %s outbox, %s new people; unreadable: %s)",
                copied, kept_at, report.drafts, report.outbox, report.people, ", ".join(unreadable) or "none")
    return report
