"""Errors the store raises.  Messages are written for the advisor or for ``doctor``: they say what
happened and what to do, and never contain row data (which could hold client details)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path


class StoreError(Exception):
    """The workspace database cannot be used; ``str()`` explains why and what to do."""


class DatabaseClosedError(StoreError):
    """``Database.run`` after ``close()`` — a shutdown-ordering bug, not a user problem."""


class SchemaTooNewError(StoreError):
    """The file was written by a newer Notebridge; we refuse rather than corrupt or downgrade it.
    ``str()`` is what happened then what to do; ``what``/``fix`` are the two halves for a dialog."""

    def __init__(self, what: str, fix: str = "") -> None:
        super().__init__(f"{what} {fix}".strip())
        self.what = what
        self.fix = fix


class WrongThreadError(RuntimeError):
    """SQL was attempted outside the database thread (a programming error)."""


class WorkspaceBusyError(StoreError):
    """Another Notebridge holds this workspace (its writer lock); ``str()`` says what to do."""


class WorkspaceLockedError(StoreError):
    """Another program (a backup or sync tool, a database browser) held the workspace file longer than
    SQLite's busy timeout.  Temporary by nature: what was asked can be asked again once it lets go."""


class NotWorkspaceWriterError(StoreError):
    """Outbox rows were about to be taken for sending by a process that is not the workspace's writer."""


class OpenProblem(Enum):
    """Why the workspace would not open; each has its own cause-and-fix message."""

    READ_ONLY = "read_only"
    DISK_FULL = "disk_full"
    LOCKED = "locked"
    DAMAGED = "damaged"
    OTHER = "other"


class WorkspaceOpenError(StoreError):
    """The workspace could not be opened.  ``str()`` is what happened then what to do; ``kept_at`` is
    where a damaged file was moved (it is never deleted)."""

    def __init__(self, problem: OpenProblem, what: str, fix: str, kept_at: Path | None = None) -> None:
        super().__init__(f"{what} {fix}")
        self.problem = problem
        self.what = what
        self.fix = fix
        self.kept_at = kept_at
