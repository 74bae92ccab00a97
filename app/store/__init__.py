"""The local workspace: the only package that speaks SQL.

``Database`` is the front door (one SQLite file, one DB thread, async ``run``); the repository
modules (``contacts``, ``connections``, ``settings`` …) are plain functions of a ``Session`` that
callers pass to ``Database.run``.
"""

from app.store.db import Database
from app.store.errors import DatabaseClosedError, OpenProblem, SchemaTooNewError, StoreError, WorkspaceOpenError

__all__ = [
    "Database", "DatabaseClosedError", "OpenProblem", "SchemaTooNewError", "StoreError", "WorkspaceOpenError",
]
