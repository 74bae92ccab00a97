"""The workspace database: migrations, verified PRAGMAs, the WAL fallback, file permissions, the
single DB thread, transactions and the checkpoint on close — all on real SQLite files."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel, select

from app.store import Database, DatabaseClosedError, SchemaTooNewError, StoreError, contacts
from app.store.db import DB_THREAD_PREFIX
from app.store.errors import WrongThreadError
from app.store.migrate import head_revision, include_object
from app.store.models import Connection, Contact, Note
from app.store.pragmas import decide_journal_mode
from tests.unit.store.store_helpers import add_connection, make_connection

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and unix VFSes")


def side_file(db_path: Path, suffix: str) -> Path:
    return db_path.with_name(db_path.name + suffix)


# ---------------------------------------------------------------------------------- migrations
async def test_a_new_file_is_migrated_from_empty_to_head(tmp_path: Path) -> None:
    path = tmp_path / "new" / "nested" / "ws.db"
    db = await Database.open(path)
    try:
        assert path.is_file()
        assert db.schema_version() == head_revision()

        def tables(session: Session) -> set[str]:
            rows = session.execute(text("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"))
            return {r[0] for r in rows}

        names = await db.run(tables)
        assert set(SQLModel.metadata.tables) <= names
        assert {"alembic_version", "contact_fts", "contact_phone_fts", "contact_fts_insert"} <= names
    finally:
        await db.close()
    version = sqlite3.connect(path).execute("SELECT version_num FROM alembic_version").fetchall()
    assert version == [(head_revision(),)]


async def test_an_existing_empty_file_is_a_valid_new_workspace(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    path.touch()
    db = await Database.open(path)
    await db.close()
    assert db.schema_version() == head_revision()


async def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    cid = await add_connection(db)
    await db.close()
    db = await Database.open(path)
    try:
        rows = await db.run(lambda s: s.execute(select(Connection)).scalars().all())
        assert [r.id for r in rows] == [cid]
    finally:
        await db.close()


async def test_the_models_and_the_migrations_describe_the_same_schema(db: Database) -> None:
    """A model changed without a migration (or the reverse) shows up here, not in a user's file."""

    def diff(session: Session) -> list[object]:
        context = MigrationContext.configure(
            session.connection(), opts={"include_object": include_object, "compare_type": True}
        )
        return list(compare_metadata(context, SQLModel.metadata))

    assert await db.run(diff) == []


async def test_a_workspace_from_a_newer_version_is_refused_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    await db.close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    raw.commit()
    raw.close()

    with pytest.raises(SchemaTooNewError, match="newer Notebridge"):
        await Database.open(path)
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("9999_from_the_future",)]
    raw.close()


async def test_a_file_that_is_not_a_database_gives_an_explanation(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    path.write_bytes(b"this is a spreadsheet, not a database" * 200)
    with pytest.raises(StoreError, match="is damaged") as caught:
        await Database.open(path)
    kept = next(tmp_path.glob("ws.db.damaged-*"))
    assert f"moved it aside to {kept}" in str(caught.value)
    assert kept.read_bytes() == b"this is a spreadsheet, not a database" * 200, "kept as it was, never deleted"
    assert not path.exists()


async def test_a_folder_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        await Database.open(tmp_path)


# ------------------------------------------------------------------------------------- pragmas
async def test_pragmas_are_set_and_verified(db: Database) -> None:
    assert db.journal_mode == "wal"
    assert db.journal_fallback_reason is None
    pragmas = await db.pragmas()
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["foreign_keys"] == 1
    assert pragmas["synchronous"] == 2
    assert pragmas["busy_timeout"] == 5000
    assert pragmas["wal_autocheckpoint"] == 8000
    assert pragmas["journal_size_limit"] == 32 * 1024 * 1024


@posix_only
async def test_when_the_filesystem_refuses_wal_the_delete_journal_is_used_and_said(tmp_path: Path) -> None:
    """SQLite's ``unix-dotfile`` VFS has no shared-memory support, exactly like a network share:
    ``PRAGMA journal_mode=WAL`` answers "delete".  The store must notice and carry on safely."""
    path = tmp_path / "ws.db"
    db = await Database.open(path, vfs="unix-dotfile")
    try:
        assert db.journal_mode == "delete"
        assert db.journal_fallback_reason is not None and "WAL" in db.journal_fallback_reason
        pragmas = await db.pragmas()
        assert pragmas["journal_mode"] == "delete"
        assert pragmas["foreign_keys"] == 1 and pragmas["synchronous"] == 2
        cid = await add_connection(db)
        assert await db.run(lambda s: s.get(Connection, cid)) is not None
        assert not side_file(path, "-wal").exists()
    finally:
        await db.close()
    assert db.last_checkpoint is None  # nothing to checkpoint without a WAL


@pytest.mark.parametrize(
    ("answer", "mode", "explained"),
    [("wal", "wal", False), ("WAL", "wal", False), ("delete", "delete", True), ("memory", "delete", True),
     ("", "delete", True)],
)
def test_the_journal_decision_follows_what_sqlite_answered(answer: str, mode: str, explained: bool) -> None:
    decision = decide_journal_mode(answer)
    assert decision.mode == mode
    assert (decision.reason is not None) == explained


# ---------------------------------------------------------------------------------- permissions
@posix_only
async def test_the_database_and_its_side_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    old_umask = os.umask(0)  # the most permissive umask a user could have
    try:
        db = await Database.open(path)
        try:
            await add_connection(db)
            for candidate in (path, side_file(path, "-wal"), side_file(path, "-shm")):
                assert candidate.exists(), candidate
                assert stat.S_IMODE(candidate.stat().st_mode) == 0o600, candidate
        finally:
            await db.close()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@posix_only
async def test_an_existing_readable_file_is_made_private_on_open(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    await db.close()
    path.chmod(0o644)
    db = await Database.open(path)
    await db.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ------------------------------------------------------------------------------------ threading
async def test_all_database_work_runs_on_one_dedicated_thread(db: Database) -> None:
    loop_thread = threading.get_ident()

    def where(session: Session) -> tuple[str, int]:
        session.execute(text("SELECT 1"))
        return threading.current_thread().name, threading.get_ident()

    results = await asyncio.gather(*(db.run(where) for _ in range(20)))
    assert {ident for _, ident in results} != {loop_thread}
    assert len({ident for _, ident in results}) == 1
    assert all(name.startswith(DB_THREAD_PREFIX) for name, _ in results)


async def test_a_session_smuggled_out_of_run_cannot_be_used_on_another_thread(db: Database) -> None:
    leaked = await db.run(lambda s: s)
    with pytest.raises(WrongThreadError, match=r"db\.run"):
        leaked.execute(text("SELECT 1"))


async def test_run_wants_a_plain_function(db: Database) -> None:
    async def not_allowed(session: Session) -> None:
        return None

    with pytest.raises(TypeError, match="plain function"):
        await db.run(not_allowed)  # type: ignore[arg-type]


async def test_read_runs_on_the_database_thread_and_sees_what_run_committed(db: Database, cid: int) -> None:
    def add(session: Session) -> None:
        session.add(Note(connection_id=cid, title="seen by read"))

    await db.run(add)

    def titles(conn: sqlite3.Connection) -> tuple[str, list[str]]:
        return threading.current_thread().name, [r[0] for r in conn.execute("SELECT title FROM note")]

    thread, found = await db.read(titles)
    assert thread.startswith(DB_THREAD_PREFIX) and found == ["seen by read"]


async def test_read_refuses_writes_and_leaves_the_connection_writable(db: Database, cid: int) -> None:
    def sneak_a_write(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO note (connection_id, title) VALUES (?, 'sneaked')", [cid])

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.read(sneak_a_write)
    with pytest.raises(ZeroDivisionError):
        await db.read(lambda conn: 1 / 0)
    assert await db.read(lambda conn: conn.execute("SELECT count(*) FROM note").fetchone()[0]) == 0

    def add(session: Session) -> None:  # the same pooled connection takes writes again
        session.add(Note(connection_id=cid, title="written"))

    await db.run(add)
    assert await db.read(lambda conn: conn.execute("SELECT title FROM note").fetchall()) == [("written",)]
    assert await db.run(lambda s: s.execute(text("PRAGMA query_only")).scalar()) == 0


async def test_read_wants_a_plain_function_and_an_open_database(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "ws.db")

    async def not_allowed(conn: sqlite3.Connection) -> None:
        return None

    with pytest.raises(TypeError, match="plain function"):
        await db.read(not_allowed)  # type: ignore[arg-type]
    await db.close()
    with pytest.raises(DatabaseClosedError):
        await db.read(lambda conn: None)


# --------------------------------------------------------------------------------- transactions
async def test_run_commits_on_success_and_rolls_back_on_error(db: Database, cid: int) -> None:
    def add_then_fail(session: Session) -> None:
        session.add(Note(connection_id=cid, title="never saved"))
        session.flush()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await db.run(add_then_fail)
    assert await db.run(lambda s: s.execute(select(Note)).scalars().all()) == []

    def add(session: Session) -> int:
        note = Note(connection_id=cid, title="kept")
        session.add(note)
        session.flush()
        assert note.id is not None
        return note.id

    note_id = await db.run(add)
    note = await db.run(lambda s: s.get(Note, note_id))
    assert note is not None and note.title == "kept"  # a detached snapshot, readable here


async def test_foreign_keys_are_enforced_and_drafts_are_protected(db: Database, cid: int) -> None:
    from sqlalchemy.exc import IntegrityError

    def orphan(session: Session) -> None:
        session.add(Note(connection_id=cid + 100, title="no such connection"))
        session.flush()

    with pytest.raises(IntegrityError):
        await db.run(orphan)

    await db.run(lambda s: contacts.upsert_many(s, cid, [_person("003A", "Ann", "Lee")]))
    await db.run(lambda s: s.add(Note(connection_id=cid, title="draft")))

    def drop_connection(session: Session) -> None:
        session.delete(session.get(Connection, cid))
        session.flush()

    with pytest.raises(IntegrityError):  # RESTRICT: deleting the org must not eat a draft
        await db.run(drop_connection)
    await db.run(lambda s: [s.delete(n) for n in s.execute(select(Note)).scalars()])
    await db.run(drop_connection)  # no drafts left: the mirror cascades away, search index too
    assert await db.run(lambda s: s.execute(text("SELECT count(*) FROM contact_fts")).scalar_one()) == 0
    assert await db.run(lambda s: s.execute(text("SELECT count(*) FROM contact")).scalar_one()) == 0


async def test_timestamps_are_stored_as_utc_and_read_back_aware(db: Database, cid: int) -> None:
    eastern = timezone(timedelta(hours=-5))
    when = datetime(2024, 3, 1, 9, 30, tzinfo=eastern)

    def write(session: Session) -> None:
        contacts.upsert_many(session, cid, [{**_person("003A", "Ann", "Lee"), "system_modstamp": when,
                                             "last_modified": "2024-03-01T14:30:00.000+0000"}])

    await db.run(write)
    row = await db.run(lambda s: contacts.get_by_sf_id(s, cid, "003A"))
    assert row is not None
    assert row.system_modstamp == when and row.system_modstamp.tzinfo == UTC
    assert row.last_modified == datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
    assert row.updated_at.tzinfo == UTC


# ---------------------------------------------------------------------------------------- close
async def test_close_checkpoints_the_wal_into_the_database_file(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    cid = await add_connection(db)
    await db.run(lambda s: contacts.upsert_many(s, cid, [_person(f"003{i:04d}", "Ann", f"Lee{i}")
                                                         for i in range(500)]))
    wal = side_file(path, "-wal")
    assert wal.exists() and wal.stat().st_size > 0

    await db.close()

    assert db.last_checkpoint is not None and db.last_checkpoint[0] == 0  # not blocked
    assert not wal.exists() or wal.stat().st_size == 0
    # Everything is in the main file: a reader that ignores the WAL still sees it.
    raw = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)
    assert raw.execute("SELECT count(*) FROM contact").fetchone() == (500,)
    raw.close()


def _db_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith(DB_THREAD_PREFIX))


async def test_close_is_idempotent_stops_the_thread_and_later_runs_are_refused(tmp_path: Path) -> None:
    before = _db_threads()
    db = await Database.open(tmp_path / "ws.db")
    assert _db_threads() == before + 1
    await asyncio.gather(db.close(), db.close())
    await db.close()
    assert db.closed
    assert _db_threads() == before
    with pytest.raises(DatabaseClosedError):
        await db.run(lambda s: None)


async def test_work_queued_before_close_still_completes(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    pending = [asyncio.ensure_future(db.run(lambda s, i=i: s.add(make_connection(user=f"005{i:012d}"))))
               for i in range(10)]
    await asyncio.sleep(0)
    await db.close()
    await asyncio.gather(*pending)
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM connection")).scalar_one() == 10
    engine.dispose()


def _person(sf_id: str, first: str, last: str) -> dict[str, object]:
    return {"sf_id": sf_id, "first_name": first, "last_name": last, "name": None}


def test_contact_model_has_no_accidental_relationship_loading() -> None:
    """Objects leave the DB thread as snapshots; a lazy relationship would do SQL on the UI thread."""
    assert not Contact.__sqlmodel_relationships__


async def test_locked_by_another_program_is_a_typed_temporary_store_error(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads and writes both say "another program has the file" as WorkspaceLockedError (the screens
    treat it as temporary), and SQLite's own error stays its cause for the save banner's wording."""
    from app.store import WorkspaceLockedError, pragmas
    from app.store.write_failure import WriteProblem, classify

    monkeypatch.setattr(pragmas, "BUSY_TIMEOUT_MS", 100)
    other = sqlite3.connect(db.path, isolation_level=None, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(WorkspaceLockedError) as written:
            await db.run(lambda s: s.exec(text("CREATE TABLE IF NOT EXISTS held_test(x)")))
        assert isinstance(written.value, StoreError)
        assert classify(written.value) is WriteProblem.LOCKED
        assert "Another program is using" in str(written.value)
        assert "sqlite" not in str(written.value).lower()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert await db.run(lambda s: s.exec(text("SELECT 1")).one()[0]) == 1  # free again: works at once


async def test_a_store_error_that_is_not_a_lock_is_not_called_one(db: Database) -> None:
    from sqlalchemy.exc import OperationalError

    from app.store import WorkspaceLockedError

    with pytest.raises(OperationalError, match="no such table") as failed:
        await db.run(lambda s: s.exec(text("SELECT * FROM no_such_table")))
    assert not isinstance(failed.value, WorkspaceLockedError)
