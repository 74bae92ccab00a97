"""Why a write to the workspace failed, in words an advisor can act on.

A failed save used to reach the screen as SQLAlchemy's own text ("(sqlite3.OperationalError)
database is locked … Background on this error at: https://sqlalche.me/…").  The UI cannot look at
SQLite's error codes itself (only the store speaks SQL), so the store names the cause here and the
UI shows ``cause`` and ``fix``; the technical detail stays in the log.

SQLite's result codes: https://www.sqlite.org/rescode.html (``sqlite_errorcode`` is on
``sqlite3.Error`` since Python 3.11; the primary code is its low byte).
"""

from __future__ import annotations

import errno
import sqlite3
from dataclasses import dataclass
from enum import Enum

from app.store.errors import DatabaseClosedError


class WriteProblem(Enum):
    DISK_FULL = "disk_full"
    READ_ONLY = "read_only"
    LOCKED = "locked"
    DAMAGED = "damaged"
    GONE = "gone"            # the draft was removed from the workspace meanwhile
    CLOSED = "closed"        # the workspace was already closed (Notebridge is quitting)
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class WriteFailure:
    problem: WriteProblem
    cause: str   # what happened, for the advisor
    fix: str     # what to do about it


_SQLITE_PRIMARY = {
    3: WriteProblem.READ_ONLY,    # SQLITE_PERM
    5: WriteProblem.LOCKED,       # SQLITE_BUSY
    6: WriteProblem.LOCKED,       # SQLITE_LOCKED
    8: WriteProblem.READ_ONLY,    # SQLITE_READONLY
    11: WriteProblem.DAMAGED,     # SQLITE_CORRUPT
    13: WriteProblem.DISK_FULL,   # SQLITE_FULL
    26: WriteProblem.DAMAGED,     # SQLITE_NOTADB
}
_ERRNO = {
    errno.ENOSPC: WriteProblem.DISK_FULL,
    errno.EDQUOT: WriteProblem.DISK_FULL,
    errno.EROFS: WriteProblem.READ_ONLY,
    errno.EACCES: WriteProblem.READ_ONLY,
    errno.EPERM: WriteProblem.READ_ONLY,
}
# When no code is available (older SQLite builds), the first line of the message says it.
_SQLITE_MESSAGES = (
    ("database or disk is full", WriteProblem.DISK_FULL),
    ("readonly database", WriteProblem.READ_ONLY),
    ("database is locked", WriteProblem.LOCKED),
    ("malformed", WriteProblem.DAMAGED),
    ("not a database", WriteProblem.DAMAGED),
)

_WORDS = {
    WriteProblem.DISK_FULL: ("The disk is full.",
                             "Free up some space on this computer; Notebridge saves as soon as there is room."),
    WriteProblem.READ_ONLY: ("Notebridge's data folder is read-only.",
                             "Check the folder's permissions (or that its drive is not write-protected); "
                             "Notebridge saves as soon as it can write again."),
    WriteProblem.LOCKED: ("The workspace is locked by another program.",
                          "Close the other program using Notebridge's data (a backup or sync tool, or a "
                          "second copy of Notebridge); Notebridge saves as soon as it is free."),
    WriteProblem.DAMAGED: ("The workspace file is damaged.",
                           "Copy your text somewhere safe, then run “notebridge doctor” to repair the workspace."),
    WriteProblem.GONE: ("This draft is no longer in the workspace (it was removed elsewhere).",
                        "Copy your text or save it as a file, then start a new draft."),
    WriteProblem.CLOSED: ("The workspace is already closed.",
                          "Copy your text or save it as a file before Notebridge quits."),
    WriteProblem.UNKNOWN: ("Something unexpected stopped the save (details are in the log).",
                           "Copy your text or save it as a file to be safe; Notebridge keeps trying."),
}


def classify(exc: BaseException) -> WriteProblem:
    """The cause of ``exc`` (raised by ``Database.run``), looking through SQLAlchemy's wrapping."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        problem = _classify_one(current)
        if problem is not None:
            return problem
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return WriteProblem.UNKNOWN


def _classify_one(exc: BaseException) -> WriteProblem | None:
    if isinstance(exc, DatabaseClosedError):
        return WriteProblem.CLOSED
    if isinstance(exc, LookupError):
        return WriteProblem.GONE
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if isinstance(code, int) and (code & 0xFF) in _SQLITE_PRIMARY:
            return _SQLITE_PRIMARY[code & 0xFF]
        first_line = (str(exc).splitlines() or [""])[0].lower()
        for text, problem in _SQLITE_MESSAGES:
            if text in first_line:
                return problem
    if isinstance(exc, OSError) and exc.errno in _ERRNO:
        return _ERRNO[exc.errno]
    return None


def explain(exc: BaseException) -> WriteFailure:
    """Plain words for a failed write: what happened and what to do."""
    problem = classify(exc)
    cause, fix = _WORDS[problem]
    return WriteFailure(problem, cause, fix)
