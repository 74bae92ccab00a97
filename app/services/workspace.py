"""The handle a screen holds for the open workspace, and the store's errors it may catch.

Screens pass the workspace to use cases; they never call into it themselves.  ``Database`` is
re-exported lazily, as ``app.store`` does, so importing this module does not load SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.store.errors import StoreError, WorkspaceOpenError

if TYPE_CHECKING:
    from app.store.db import Database


def __getattr__(name: str) -> object:
    if name == "Database":
        from app.store.db import Database

        return Database
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Database", "StoreError", "WorkspaceOpenError"]
