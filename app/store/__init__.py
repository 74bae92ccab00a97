"""The local workspace: the only package that speaks SQL.

``Database`` is the front door (one SQLite file, one DB thread, async ``run``); the repository
modules (``contacts``, ``connections``, ``settings`` …) are plain functions of a ``Session`` that
callers pass to ``Database.run``.

``Database`` is loaded on first use: a second launch decides with the workspace lock
(``app.store.workspace_lock``) whether it is the first, without paying for SQLAlchemy and the
migrations when it is not.
"""

from typing import TYPE_CHECKING

from app.store.errors import (
    DatabaseClosedError,
    NotWorkspaceWriterError,
    OpenProblem,
    SchemaTooNewError,
    StoreError,
    WorkspaceBusyError,
    WorkspaceLockedError,
    WorkspaceOpenError,
)

if TYPE_CHECKING:
    from app.store.db import Database


def __getattr__(name: str) -> object:
    if name == "Database":
        from app.store.db import Database

        return Database
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Database", "DatabaseClosedError", "NotWorkspaceWriterError", "OpenProblem", "SchemaTooNewError",
           "StoreError", "WorkspaceBusyError", "WorkspaceLockedError", "WorkspaceOpenError"]
