"""The advisor's daily screen: search, the client list, and a client's details and timeline."""

from app.ui.workspace.page import WorkspacePage

__all__ = ["WorkspacePage"]
