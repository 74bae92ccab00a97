"""Outbox page tests share the editor tests' workspace (offline, or signed in to a demo org)."""

from tests.ui.editor.conftest import Workspace, org_workspace, until, workspace

__all__ = ["Workspace", "org_workspace", "until", "workspace"]
