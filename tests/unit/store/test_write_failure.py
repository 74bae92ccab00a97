"""Plain words for a failed save, from real SQLite failures (the editor's banner used to show
SQLAlchemy's text and its web address)."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from app.store import Database, DatabaseClosedError
from app.store.write_failure import WriteProblem, classify, explain

TECHNICAL = ("sqlalche", "sqlite", "operationalerror", "http", "[sql", "errno", "background on this error")


def _error(action) -> BaseException:  # type: ignore[no-untyped-def]
    with pytest.raises(sqlite3.Error) as caught:
        action()
    return caught.value


def _fresh(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS t(x)")
    return conn


def test_close_unsaved_explains_real_sqlite_failures(tmp_path: Path) -> None:
    full = _fresh(tmp_path / "full.db")
    full.execute(f"PRAGMA max_page_count = {full.execute('PRAGMA page_count').fetchone()[0]}")
    assert classify(_error(lambda: full.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))))\
        is WriteProblem.DISK_FULL

    _fresh(tmp_path / "ro.db").close()
    read_only = sqlite3.connect(f"{(tmp_path / 'ro.db').as_uri()}?mode=ro", uri=True)
    assert classify(_error(lambda: read_only.execute("INSERT INTO t VALUES (1)"))) is WriteProblem.READ_ONLY

    holder, other = _fresh(tmp_path / "locked.db"), _fresh(tmp_path / "locked.db")
    holder.execute("BEGIN EXCLUSIVE")
    assert classify(_error(lambda: other.execute("BEGIN IMMEDIATE"))) is WriteProblem.LOCKED
    holder.execute("ROLLBACK")

    (tmp_path / "junk.db").write_bytes(b"this is not a database at all" * 100)
    junk = sqlite3.connect(tmp_path / "junk.db")
    assert classify(_error(lambda: junk.execute("CREATE TABLE t(x)"))) is WriteProblem.DAMAGED
    for conn in (full, read_only, holder, other, junk):
        conn.close()


async def test_close_unsaved_explains_a_failure_through_the_store_in_plain_words(db: Database) -> None:
    def fill_the_disk(session: Session) -> None:
        raw = session.connection().connection.driver_connection
        raw.execute(f"PRAGMA max_page_count = {raw.execute('PRAGMA page_count').fetchone()[0]}")

    await db.run(fill_the_disk)
    with pytest.raises(OperationalError) as caught:
        await db.run(lambda s: s.connection().exec_driver_sql(
            "CREATE TABLE filler AS SELECT zeroblob(200000) AS b"))
    assert "sqlalche.me" in str(caught.value)  # what used to reach the screen
    failure = explain(caught.value)
    assert failure.problem is WriteProblem.DISK_FULL
    assert failure.cause == "The disk is full."
    for text in (failure.cause, failure.fix):
        assert not any(word in text.lower() for word in TECHNICAL), text


@pytest.mark.parametrize(("exc", "problem"), [
    (LookupError("note 7 does not exist"), WriteProblem.GONE),
    (DatabaseClosedError("the workspace database is closed"), WriteProblem.CLOSED),
    (OSError(errno.ENOSPC, "No space left on device"), WriteProblem.DISK_FULL),
    (OSError(errno.EROFS, "Read-only file system"), WriteProblem.READ_ONLY),
    (sqlite3.OperationalError("database is locked"), WriteProblem.LOCKED),  # no error code: the words
    (ValueError("something else"), WriteProblem.UNKNOWN),
])
def test_close_unsaved_names_every_cause(exc: BaseException, problem: WriteProblem) -> None:
    assert classify(exc) is problem
    failure = explain(exc)
    assert failure.cause and failure.fix
    assert not any(word in (failure.cause + failure.fix).lower() for word in TECHNICAL)
