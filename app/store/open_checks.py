"""Why the workspace would not open, in words the advisor can act on — and the start-up health check.

A read-only folder, a full disk, a file another program holds and a damaged file all reach us as
an ``sqlite3`` error (or an ``OSError`` when creating the file), and each needs a different fix:
telling someone with a full disk to "move the damaged file aside" throws their drafts away for
nothing.  SQLite's error code says most of it; ``SQLITE_CANTOPEN`` and ``SQLITE_IOERR`` do not
(a read-only folder cannot hold the ``-wal``/``-shm`` files; a full disk fails growing ``-shm``),
so for those the folder itself is asked.  Codes: https://www.sqlite.org/rescode.html

``PRAGMA quick_check`` at every open finds pages scribbled in the middle of the file (a crash of
the disk or the OS, not of SQLite) before the app reads wrong data from them; it is O(N) in the
file size but skips the index-content cross-checks of ``integrity_check``, which is what makes it
cheap enough for every start (https://www.sqlite.org/pragma.html#pragma_quick_check).  Measured on
a 100,000-contact workspace (73 MB): 85-100 ms, against 260 ms for ``integrity_check``; it runs on
the database thread inside ``Database.open``, never on the UI thread.  A damaged
file is renamed aside with its ``-wal``/``-shm`` — never deleted: unsent drafts may be in it.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from pathlib import Path

from app.store.errors import OpenProblem, WorkspaceOpenError

# How many problems quick_check lists before stopping: one proves the damage, a few help support.
QUICK_CHECK_MAX_ERRORS = 5

_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26
_BY_CODE = {
    _SQLITE_BUSY: OpenProblem.LOCKED, _SQLITE_LOCKED: OpenProblem.LOCKED,
    _SQLITE_READONLY: OpenProblem.READ_ONLY, _SQLITE_FULL: OpenProblem.DISK_FULL,
    _SQLITE_CORRUPT: OpenProblem.DAMAGED, _SQLITE_NOTADB: OpenProblem.DAMAGED,
}
_BY_ERRNO = {
    errno.EROFS: OpenProblem.READ_ONLY, errno.EACCES: OpenProblem.READ_ONLY, errno.EPERM: OpenProblem.READ_ONLY,
    errno.ENOSPC: OpenProblem.DISK_FULL, errno.EDQUOT: OpenProblem.DISK_FULL,
}
_SIDE_FILES = ("-wal", "-shm", "-journal")


def writable(path: Path) -> bool:
    """Can we write the file (if it exists) and create its side files in its folder?  ``os.access``
    answers for the real filesystem too: a read-only mount says no even to root."""
    folder_ok = os.access(path.parent, os.W_OK | os.X_OK)
    return folder_ok and (not path.exists() or os.access(path, os.W_OK))


def disk_full(path: Path) -> bool:
    try:
        return os.statvfs(path.parent).f_bavail == 0
    except (OSError, AttributeError):  # no statvfs on Windows
        return False


def diagnose(path: Path, error: BaseException) -> OpenProblem:
    """The problem behind ``error`` (an ``sqlite3.Error``, possibly wrapped by SQLAlchemy, or an
    ``OSError``) raised while opening the workspace at ``path``."""
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, OSError):
        return _BY_ERRNO.get(cause.errno or 0, OpenProblem.OTHER)
    code = getattr(cause, "sqlite_errorcode", None)
    problem = _BY_CODE.get(code & 0xFF) if isinstance(code, int) else None
    if problem is not None:
        return problem
    if not writable(path):
        return OpenProblem.READ_ONLY
    if disk_full(path):
        return OpenProblem.DISK_FULL
    return OpenProblem.OTHER


def reason(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    return str(cause).splitlines()[0] if str(cause) else type(cause).__name__


def explain(problem: OpenProblem, path: Path, detail: str, kept_at: Path | None = None) -> WorkspaceOpenError:
    """The advisor-facing error for ``problem``: what happened, then what to do."""
    if problem is OpenProblem.READ_ONLY:
        return WorkspaceOpenError(
            problem, f"Notebridge cannot write to its workspace {path}: the file or its folder is read-only.",
            "Make the folder writable for your user (or the disk writable again), or choose another data "
            "folder with --data-dir. Nothing in the workspace was changed.")
    if problem is OpenProblem.DISK_FULL:
        return WorkspaceOpenError(
            problem, f"The disk that holds the workspace {path} is full.",
            "Free some space on that disk (or choose another data folder with --data-dir), then start "
            "Notebridge again. Nothing in the workspace was lost.")
    if problem is OpenProblem.LOCKED:
        return WorkspaceOpenError(
            problem, f"Another program is holding the workspace {path} and did not let go.",
            "Close the other program — a second Notebridge, a backup or file-sync tool, or a database "
            "viewer — then start Notebridge again. Nothing in the workspace was changed.")
    if problem is OpenProblem.DAMAGED:
        if kept_at is not None:
            return WorkspaceOpenError(
                problem, f"The workspace file {path} is damaged ({detail}).",
                f"Notebridge moved it aside to {kept_at} (kept, not deleted) and starts a new workspace "
                "next time: sync fetches your clients again. Notes or tasks not yet sent to Salesforce are "
                "in the kept copy; send it to support to recover them.", kept_at)
        return WorkspaceOpenError(
            problem, f"The workspace file {path} is damaged ({detail}).",
            "Close Notebridge and rename the file (keep it: notes or tasks not yet sent to Salesforce are in "
            "it), then start Notebridge again to begin a new workspace; sync fetches your clients again.")
    return WorkspaceOpenError(
        problem, f"Cannot open the workspace database {path}: {detail}.",
        "Check the disk and the data folder, or choose another data folder with --data-dir.")


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """The problems ``PRAGMA quick_check`` finds (empty when the file is sound)."""
    rows = conn.execute(f"PRAGMA quick_check({QUICK_CHECK_MAX_ERRORS})").fetchall()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def move_aside(path: Path) -> Path | None:
    """Rename the damaged file and its side files to ``<name>.damaged-<time>`` (side files keep their
    suffix after it, so SQLite opens the copy with its WAL).  Returns the new path, None if it failed."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    try:
        path.rename(target)
    except OSError:
        return None
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            try:
                side.rename(target.with_name(target.name + suffix))
            except OSError:
                continue
    return target
