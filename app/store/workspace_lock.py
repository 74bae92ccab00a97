"""One writer per workspace: an OS-level exclusive lock on a file beside the workspace database.

Two Notebridge processes on one data folder must never both push: each would take the same queued
rows and create every record twice.  The guarantee lives in the workspace, not in a socket whose
location follows ``TMPDIR``: the process that holds this lock is the workspace's *writer* — the one
allowed to take outbox rows for sending (:func:`require_writer`, called by the store functions that
do) — and every other process on the same folder is refused, whatever its environment.

The lock is ``flock`` (POSIX) / ``msvcrt.locking`` (Windows) on ``<database>.writer-lock``.  The
kernel drops it when the holding process dies, however it dies, so a crash never leaves a stale lock
behind and the next start acquires it at once: there is nothing to detect, time out or delete.  The
file's contents (the holder's process id) are only for messages; the lock is the truth.

Within one process a lock is exclusive per acquisition too (each :func:`acquire` opens its own file
handle), so a second launch in the same process is refused like one from another process.  Code that
only needs to know that *this process* is the writer (the database, the push engine) asks
:func:`held_here` instead of acquiring again.

Not ``<database>.lock``: that name belongs to SQLite's ``unix-dotfile`` VFS.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from app.store.errors import NotWorkspaceWriterError, StoreError, WorkspaceBusyError

if TYPE_CHECKING:
    from sqlmodel import Session

log = logging.getLogger(__name__)

LOCK_SUFFIX = ".writer-lock"
_INFO_OFFSET = 16  # the holder's pid is written past the locked byte (Windows locks are mandatory)
_PRIVATE_FILE_MODE = 0o600
_HOLDER_PID_WAIT_S = 0.5  # how long a refused start waits for the holder to record its pid

_held: dict[str, WorkspaceLock] = {}
_held_guard = threading.Lock()


def lock_path(database: Path | str) -> Path:
    """The lock file of the workspace whose database file is ``database``."""
    db = Path(database)
    return db.with_name(db.name + LOCK_SUFFIX)


def _key(database: Path | str) -> str:
    return os.path.realpath(os.fspath(Path(database).expanduser()))


class WorkspaceLock:
    """A held lock on one workspace; :meth:`release` (or the process's end) lets it go."""

    def __init__(self, database: Path, handle: IO[bytes]) -> None:
        """Private: use :func:`acquire` or :func:`try_acquire`."""
        self.database = database
        self._handle: IO[bytes] | None = handle

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        """Let the workspace go (idempotent).  The pid is wiped first so no message names us later."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        with _held_guard:
            if _held.get(_key(self.database)) is self:
                del _held[_key(self.database)]
        try:
            with contextlib.suppress(OSError):
                handle.truncate(_INFO_OFFSET)
                handle.flush()
            _unlock(handle)
        finally:
            handle.close()

    def __repr__(self) -> str:
        return f"WorkspaceLock({str(self.database)!r}, held={self.held})"


def try_acquire(database: Path | str) -> WorkspaceLock | None:
    """Take the workspace's writer lock without waiting; ``None`` when another holder has it.

    Raises :class:`StoreError` (not "busy") when the lock cannot be taken at all: an unwritable folder
    or a filesystem without locks — refusing is safer than two processes sending.
    """
    database = Path(database).expanduser().absolute()
    path = lock_path(database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, _PRIVATE_FILE_MODE)
    except OSError as exc:
        raise StoreError(
            f"Notebridge cannot use its workspace lock {path} ({exc.strerror or exc}). Check the data "
            "folder's permissions, or choose another folder with --data-dir."
        ) from exc
    handle = os.fdopen(fd, "r+b", buffering=0)
    try:
        if not _lock(handle):
            handle.close()
            return None
    except OSError as exc:  # not "held elsewhere": this filesystem cannot lock at all (some network shares)
        handle.close()
        raise StoreError(
            f"Notebridge cannot lock its workspace in {path.parent} ({exc.strerror or exc}), so it cannot make "
            "sure only one Notebridge sends from it. Move the data folder to a local disk (--data-dir)."
        ) from exc
    try:
        lock = WorkspaceLock(database, handle)
        _write_holder(handle)
    except BaseException:
        handle.close()  # closing the handle also drops a lock it took
        raise
    with _held_guard:
        _held[_key(database)] = lock
    log.info("workspace %s: this process (%d) is its writer", database, os.getpid())
    return lock


def acquire(database: Path | str) -> WorkspaceLock:
    """Like :func:`try_acquire`, but a workspace held elsewhere raises :class:`WorkspaceBusyError`."""
    lock = try_acquire(database)
    if lock is None:
        raise WorkspaceBusyError(busy_message(database))
    return lock


def held_here(database: Path | str) -> WorkspaceLock | None:
    """The lock this process holds on the workspace of ``database``, if it holds one."""
    with _held_guard:
        lock = _held.get(_key(database))
    return lock if lock is not None and lock.held else None


def holder_pid(database: Path | str) -> int | None:
    """The process id the current (or last) holder wrote; for messages only — never a test of the lock."""
    try:
        with open(lock_path(database), "rb") as handle:
            handle.seek(_INFO_OFFSET)
            raw = handle.read(64)
    except OSError:
        return None
    try:
        return int(raw.decode("ascii").strip() or "0") or None
    except (UnicodeDecodeError, ValueError):
        return None


def open_elsewhere(database: Path | str) -> int | None:
    """The pid of a live process that recorded itself as holder, for read-only tools (``doctor``).

    A hint, not a test: it never takes the lock, because even a brief probe could make a Notebridge
    starting at that moment believe the workspace was taken.  ``None`` when no live holder is recorded.
    """
    if held_here(database) is not None:
        return None
    pid = holder_pid(database)
    if pid is None or pid == os.getpid() or not _alive(pid):
        return None
    return pid


def _alive(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover - no cheap check without extra packages; assume it is
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def busy_message(database: Path | str) -> str:
    """The refusal a second Notebridge shows, naming the holder's process when it can.

    The holder writes its pid just *after* it takes the lock, so a process refused in that instant
    would read no pid.  Only refusals get here (before any event loop runs, or in a process that is
    about to exit), so waiting a bounded moment for the pid to appear blocks nothing that matters.
    """
    pid = holder_pid(database)
    deadline = time.monotonic() + _HOLDER_PID_WAIT_S
    while pid is None and held_here(database) is None and time.monotonic() < deadline:
        time.sleep(0.005)
        pid = holder_pid(database)
    who = f" (process {pid})" if pid else ""
    return (f"Notebridge is already open on this workspace{who}. Only one Notebridge at a time may use a "
            "data folder and send to Salesforce: switch to the open window, or close it and try again.")


def require_writer(session: Session) -> None:
    """Refuse unless this process holds the writer lock of the workspace ``session`` is connected to.

    Called by the store functions that take outbox rows for sending, so a second push engine in
    another process cannot take rows even if everything above the store forgot to ask.
    """
    from sqlalchemy import text  # loaded already wherever a session exists; kept off the launch path

    rows = session.connection().execute(text("PRAGMA database_list")).all()
    main = next((str(r[2]) for r in rows if r[1] == "main"), "")
    if main and held_here(main) is not None:
        return
    raise NotWorkspaceWriterError(
        "This Notebridge process is not the one sending for this workspace, so it must not take items "
        f"from the outbox. {busy_message(main) if main else ''}".strip()
    )


def _write_holder(handle: IO[bytes]) -> None:
    handle.seek(_INFO_OFFSET)
    handle.write(f"{os.getpid()}\n".encode("ascii"))  # written before truncating: never read as empty
    handle.truncate()
    handle.flush()  # no fsync: the pid is for messages, and this may run on the UI thread


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(handle: IO[bytes]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        with contextlib.suppress(OSError):
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[bytes]) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
