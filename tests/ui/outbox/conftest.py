"""Outbox page tests share the editor tests' qasync loop and workspace."""

from tests.ui.editor.conftest import Workspace, pytest_asyncio_loop_factories, until, workspace

__all__ = ["Workspace", "pytest_asyncio_loop_factories", "until", "workspace"]
