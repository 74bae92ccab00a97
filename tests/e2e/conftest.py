"""Every async test under tests/e2e runs on the qasync loop, as the app does (see tests/support/qt_loop.py)."""

from __future__ import annotations

from tests.support.qt_loop import qasync_loop_factories as pytest_asyncio_loop_factories

__all__ = ["pytest_asyncio_loop_factories"]
