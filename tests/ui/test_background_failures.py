"""The test run's own guard: a failing background task is seen (and, unmarked, fails its test)."""

from __future__ import annotations

import asyncio

import pytest

from app.ui import aio
from tests.support.background_failures import Recorder


@pytest.mark.allow_background_errors
async def test_a_failing_aio_task_is_recorded(fail_on_background_errors: Recorder) -> None:
    async def boom() -> None:
        raise RuntimeError("lost in the background")

    task = aio.start(boom(), name="boom")
    await asyncio.wait([task])
    await asyncio.sleep(0)
    assert any("RuntimeError: lost in the background" in report for report in fail_on_background_errors.reports)
