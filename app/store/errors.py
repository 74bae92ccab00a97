"""Errors the store raises.  Messages are written for the advisor or for ``doctor``: they say what
happened and what to do, and never contain row data (which could hold client details)."""


class StoreError(Exception):
    """The workspace database cannot be used; ``str()`` explains why and what to do."""


class DatabaseClosedError(StoreError):
    """``Database.run`` after ``close()`` — a shutdown-ordering bug, not a user problem."""


class SchemaTooNewError(StoreError):
    """The file was written by a newer Notebridge; we refuse rather than corrupt it."""


class WrongThreadError(RuntimeError):
    """SQL was attempted outside the database thread (a programming error)."""


class WorkspaceBusyError(StoreError):
    """Another Notebridge holds this workspace (its writer lock); ``str()`` says what to do."""


class NotWorkspaceWriterError(StoreError):
    """Outbox rows were about to be taken for sending by a process that is not the workspace's writer."""
