"""Every async test under tests/ui runs on the qasync loop (see tests/support/qt_loop.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.qt_loop import new_qt_loop


def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> dict[str, Callable[[], Any]]:
    return {"qasync": new_qt_loop}
