"""The workspace database: one SQLite file, one thread, an async front door.

Every statement runs on a single executor thread (``notebridge-db``).  SQLite serialises writers
anyway; one thread makes that explicit, keeps the Qt/asyncio thread free of disk waits, and means
the ``sqlite3`` connections (created on that thread, ``check_same_thread`` on) can never be used
concurrently.  The rest of the app calls :meth:`Database.run` with a plain function that receives
a ``Session``; the function runs in one transaction (``BEGIN IMMEDIATE``: the write lock is taken up
front, so a read-then-write cannot fail half way with ``SQLITE_BUSY``).  The few reads on the
keystroke path use :meth:`Database.read` instead: a bare ``sqlite3`` connection, read-only.

Returned ORM objects are detached snapshots (``expire_on_commit=False``), safe to read on the UI
thread; they never lazy-load.  If the awaiting task is cancelled the function still runs to its
end and commits — a write once queued is not lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from app.store import migrate, open_checks, upgrade, workspace_lock, write_failure
from app.store.errors import (
    DatabaseClosedError,
    OpenProblem,
    SchemaTooNewError,
    StoreError,
    WorkspaceLockedError,
    WorkspaceOpenError,
    WrongThreadError,
)
from app.store.pragmas import JournalDecision, configure_connection, read_pragmas

log = logging.getLogger(__name__)

T = TypeVar("T")

DB_THREAD_PREFIX = "notebridge-db"
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700
_SIDE_FILES = ("-wal", "-shm", "-journal")


class Database:
    """The open workspace.  Create with ``await Database.open(path)``; finish with ``await close()``."""

    path: Path
    journal_mode: str
    journal_fallback_reason: str | None

    def __init__(self, path: Path, executor: ThreadPoolExecutor, vfs: str | None) -> None:
        """Private: use :meth:`open`."""
        self.path = path
        self.journal_mode = "unknown"
        self.journal_fallback_reason = None
        self.last_checkpoint: tuple[int, int, int] | None = None
        self._vfs = vfs
        self._executor = executor
        self._engine: Engine | None = None
        self._revision = ""
        # The copy taken before this open migrated the workspace (kept until the next successful start).
        self.upgrade_backup: Path | None = None
        self._thread_id: int | None = None
        self._closed = False
        self._close_task: asyncio.Task[None] | None = None
        self._writer: workspace_lock.WorkspaceLock | None = None
        self._owns_writer = False

    # ----------------------------------------------------------------------------------- open
    @classmethod
    async def open(cls, path: Path | str, *, vfs: str | None = None) -> Database:
        """Open (creating if needed) the workspace at ``path``, migrate it and verify its settings.

        ``vfs`` names an SQLite VFS (e.g. ``"unix-dotfile"`` for filesystems whose POSIX locks are
        unreliable); ``None`` is SQLite's default.  Every open runs ``PRAGMA quick_check`` (on the
        database thread; ~0.1 s at 100,000 contacts) so damage from a crash is found before use.
        Raises :class:`WorkspaceOpenError` whose ``problem`` says read-only, full disk, locked or
        damaged (a damaged file is moved aside, never deleted), each with its own fix; see
        ``open_checks``.
        """
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=DB_THREAD_PREFIX)
        db = cls(Path(path), executor, vfs)
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(executor, db._open_on_db_thread)
        except BaseException:
            # Queued behind the open (which may still be running if we were cancelled).
            executor.submit(db._dispose)
            executor.shutdown(wait=False)
            db._closed = True
            raise
        return db

    def _open_on_db_thread(self) -> None:
        self._thread_id = threading.get_ident()
        self.path = self.path.expanduser().absolute()
        try:
            _create_private_file(self.path)
            if not open_checks.writable(self.path):  # SQLite would open it read-only and fail later, vaguely
                raise open_checks.explain(OpenProblem.READ_ONLY, self.path, "read-only")
            self._engine = self._create_engine()
            self._check_health()
            upgraded = migrate.upgrade_workspace(self._engine, self.path)
            self._revision, self.upgrade_backup = upgraded.revision, upgraded.backup
            with self._engine.connect():
                pass  # make sure at least one verified connection exists (sets journal_mode)
        except (SchemaTooNewError, WorkspaceOpenError):
            raise
        except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
            problem = open_checks.diagnose(self.path, exc)
            if problem is OpenProblem.DAMAGED:
                raise self._set_aside(open_checks.reason(exc)) from exc
            raise open_checks.explain(problem, self.path, open_checks.reason(exc)) from exc
        _make_private(self.path)
        # This start succeeded: copies taken before earlier upgrades are no longer needed.
        upgrade.remove_backups(self.path, keep=self.upgrade_backup)
        log.info("Workspace database %s open (schema %s, journal %s)", self.path, self._revision,
                 self.journal_mode)

    def _check_health(self) -> None:
        """``PRAGMA quick_check`` before anything reads or migrates the file (see ``open_checks``).
        Runs here, on the database thread, so a large workspace never holds up the UI thread."""
        assert self._engine is not None
        pooled = self._engine.raw_connection()
        try:
            raw = pooled.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            problems = open_checks.quick_check(raw)
        finally:
            pooled.close()
        if problems:
            log.error("Workspace database %s failed quick_check: %s", self.path, "; ".join(problems))
            raise self._set_aside("quick_check: " + problems[0])

    def _set_aside(self, detail: str) -> WorkspaceOpenError:
        """Close every connection, then rename the damaged file (never delete it)."""
        self._dispose()
        kept_at = open_checks.move_aside(self.path)
        if kept_at is not None:
            log.error("Damaged workspace database moved aside to %s", kept_at)
        return open_checks.explain(OpenProblem.DAMAGED, self.path, detail, kept_at)

    def _create_engine(self) -> Engine:
        if self._vfs:
            target, uri = f"{self.path.as_uri()}?vfs={self._vfs}", True
        else:
            target, uri = str(self.path), False

        def connect() -> sqlite3.Connection:
            # isolation_level=None: SQLAlchemy's "begin" hook below issues BEGIN itself, so
            # transactions start where SQLAlchemy thinks they do (the documented pysqlite recipe).
            return sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=True)

        engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool, pool_size=1,
                               max_overflow=2)
        event.listen(engine, "connect", self._on_connect)
        event.listen(engine, "checkout", self._on_checkout)
        event.listen(engine, "begin", _begin_immediate)
        return engine

    def _on_connect(self, dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        decision: JournalDecision = configure_connection(dbapi_connection)
        if decision.reason and decision.reason != self.journal_fallback_reason:
            log.warning("Workspace database %s: %s", self.path, decision.reason)
        self.journal_mode = decision.mode
        self.journal_fallback_reason = decision.reason

    def _on_checkout(self, *_args: Any) -> None:
        if threading.get_ident() != self._thread_id:
            raise WrongThreadError(
                f"database used from thread {threading.current_thread().name!r}; use `await db.run(fn)`"
            )

    # --------------------------------------------------------------------------------- writer
    def claim_writer(self) -> None:
        """Make sure this process is the workspace's writer (the one that may push), or raise.

        Reuses the lock this process already holds (the GUI takes it at launch, before the database
        is opened); otherwise takes it, and then lets it go on :meth:`close`.  Raises
        :class:`~app.store.errors.WorkspaceBusyError` when another process holds it.  Opening the
        database does not claim: reading (``doctor``, a second window being turned away) never needs to.
        """
        if self._closed:
            raise DatabaseClosedError("the workspace database is closed")
        if self._writer is not None and self._writer.held:
            return
        here = workspace_lock.held_here(self.path)
        if here is not None:
            self._writer, self._owns_writer = here, False
            return
        self._writer, self._owns_writer = workspace_lock.acquire(self.path), True

    @property
    def is_writer(self) -> bool:
        """Whether this process holds the workspace's writer lock."""
        return workspace_lock.held_here(self.path) is not None

    # ------------------------------------------------------------------------------------ run
    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` on the database thread in one transaction and return its result.

        Commits when ``fn`` returns, rolls back when it raises (the exception is re-raised here).
        """
        if self._closed:
            raise DatabaseClosedError("the workspace database is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run_on_db_thread, fn)

    def _run_on_db_thread(self, fn: Callable[[Session], T]) -> T:
        assert self._engine is not None
        with _locked_as_store_error(), Session(self._engine, expire_on_commit=False) as session, session.begin():
            return _plain(fn(session), "run")

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(connection)``, which only reads, on the database thread and return its result.

        For what runs on every keystroke and scroll (search, blocks of the list): no ORM session
        and no write lock, just a read transaction around ``fn`` (one snapshot for all its
        statements).  Measured on the 100,000-contact benchmark: a third of a search's time went
        to the session and the ``BEGIN IMMEDIATE``/``COMMIT`` around it.  ``PRAGMA query_only``
        makes a write attempted here fail rather than bypass ``run``.
        """
        if self._closed:
            raise DatabaseClosedError("the workspace database is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._read_on_db_thread, fn)

    def _read_on_db_thread(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        assert self._engine is not None
        with _locked_as_store_error():
            return self._read_unlocked(fn)

    def _read_unlocked(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        assert self._engine is not None
        pooled = self._engine.raw_connection()
        try:
            raw = pooled.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            raw.execute("PRAGMA query_only = ON")
            try:
                raw.execute("BEGIN")
                return _plain(fn(raw), "read")
            finally:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raw.execute("PRAGMA query_only = OFF")
        finally:
            pooled.close()

    async def pragmas(self) -> dict[str, object]:
        """Live PRAGMA values of the database connection (for ``doctor`` and tests)."""

        def read(session: Session) -> dict[str, object]:
            raw = session.connection().connection.driver_connection
            assert raw is not None
            return read_pragmas(raw)

        return await self.run(read)

    def explain_failure(self, error: BaseException) -> StoreError | None:
        """The advisor-facing cause and fix behind a failed ``run``/``read`` (read-only folder, full
        disk, file held by another program, damaged file), or None when ``error`` is not the
        database's.  For callers outside the store, which must not know SQLite's exception types."""
        if isinstance(error, StoreError):
            return error
        if isinstance(error, (SQLAlchemyError, sqlite3.Error, OSError)):
            return open_checks.explain(open_checks.diagnose(self.path, error), self.path, open_checks.reason(error))
        return None

    def schema_version(self) -> str:
        """The Alembic revision the database was verified to be at when it was opened."""
        return self._revision

    @property
    def closed(self) -> bool:
        return self._closed

    # ---------------------------------------------------------------------------------- close
    async def close(self) -> None:
        """Checkpoint the WAL into the main file (TRUNCATE), close connections, stop the thread.

        Idempotent; work already queued finishes first.  Concurrent callers all wait for the same
        close.
        """
        if self._close_task is None:
            if self._closed:  # failed open: nothing left to do
                return
            self._closed = True
            self._close_task = asyncio.ensure_future(self._close())
        await asyncio.shield(self._close_task)

    async def _close(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._close_on_db_thread)
        finally:
            # The only job left has finished, so this joins an idle thread.
            self._executor.shutdown(wait=True)
            if self._writer is not None and self._owns_writer:
                self._writer.release()  # after the last write: the next writer starts from a closed file
            self._writer = None

    def _close_on_db_thread(self) -> None:
        try:
            if self._engine is not None and self.journal_mode == "wal":
                with self._engine.connect() as conn:
                    raw = conn.connection.driver_connection
                    assert raw is not None
                    row = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    self.last_checkpoint = (int(row[0]), int(row[1]), int(row[2]))
                    if row[0]:
                        log.warning("WAL checkpoint on close was blocked by another reader (%s)", row)
        except (SQLAlchemyError, sqlite3.Error):
            log.exception("WAL checkpoint on close failed; SQLite will finish it on next open")
        finally:
            self._dispose()
            _make_private(self.path)

    def _dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _plain(result: T, method: str) -> T:
    """``result`` of a function given to ``run``/``read``; a coroutine there would never run (and its
    statements would happen nowhere), so it is refused loudly."""
    if inspect.isawaitable(result):
        if inspect.iscoroutine(result):
            result.close()
        raise TypeError(f"Database.{method} needs a plain function, not a coroutine function")
    return result


@contextlib.contextmanager
def _locked_as_store_error() -> Iterator[None]:
    """SQLite's "database is locked" (another program held the file past the busy timeout) becomes a
    :class:`WorkspaceLockedError`: a store error the screens know is temporary, with SQLite's own
    error kept as its cause (so :func:`write_failure.classify` still names it)."""
    try:
        yield
    except (SQLAlchemyError, sqlite3.Error) as exc:
        if write_failure.classify(exc) is not write_failure.WriteProblem.LOCKED:
            raise
        raise WorkspaceLockedError(
            "Another program is using Notebridge's workspace file right now (a backup or sync tool, or a "
            "second copy of Notebridge). Notebridge tries again by itself once it is free."
        ) from exc


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _create_private_file(path: Path) -> None:
    """Create the folder (0700) and an empty database file (0600) before SQLite opens it.

    ``os.open`` with mode 0600 cannot produce anything looser whatever the umask, and unlike
    changing the umask it does not affect other threads.  SQLite gives ``-wal``/``-shm``/
    ``-journal`` the main file's permissions.  An empty file is a valid empty database.
    """
    if path.is_dir():
        raise StoreError(f"The workspace path {path} is a folder; it must be a file.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
        os.close(fd)
    except FileExistsError:
        pass
    except OSError as exc:
        raise open_checks.explain(open_checks.diagnose(path, exc), path, open_checks.reason(exc)) from exc


def _make_private(path: Path) -> None:
    """chmod 0600 the database and whichever side files exist (POSIX only)."""
    if os.name != "posix":
        return
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in _SIDE_FILES)):
        try:
            if stat.S_IMODE(candidate.stat().st_mode) != PRIVATE_FILE_MODE:
                candidate.chmod(PRIVATE_FILE_MODE)
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("Could not make %s private: %s", candidate, exc.strerror)
