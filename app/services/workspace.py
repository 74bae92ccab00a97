"""The handle a screen holds for the open workspace, the store's errors it may catch, and the lock.

Screens pass the workspace to use cases; they never call into it themselves.  ``Database`` is
re-exported lazily, as ``app.store`` does, so importing this module does not load SQLAlchemy: a second
launch asks ``workspace_lock`` whether it is the first before anything heavy is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.store import workspace_lock
from app.store.errors import SchemaTooNewError, StoreError, WorkspaceLockedError, WorkspaceOpenError
from app.store.workspace_lock import busy_message

if TYPE_CHECKING:
    from app.store.db import Database


def __getattr__(name: str) -> object:
    if name == "Database":
        from app.store.db import Database

        return Database
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Database", "SchemaTooNewError", "StoreError", "WorkspaceLockedError", "WorkspaceOpenError", "busy_message",
           "workspace_lock"]
