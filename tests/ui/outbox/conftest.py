"""Outbox page tests share the editor tests' workspace."""

from tests.ui.editor.conftest import Workspace, until, workspace

__all__ = ["Workspace", "until", "workspace"]
