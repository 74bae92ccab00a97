"""Crash hooks: errors reach the log and the reporter, and a hard crash shows up on the next start."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app import crash
from app.logs import setup_logging


@pytest.fixture
def reports(tmp_path: Path):
    seen: list[tuple[str, str]] = []
    crash.install(tmp_path / "last-crash.txt")
    crash.set_reporter(lambda headline, details: seen.append((headline, details)))
    yield seen
    crash.uninstall()


def test_excepthook_logs_and_reports_redacted(reports: list[tuple[str, str]], tmp_path: Path) -> None:
    ring = setup_logging(tmp_path / "app.log")
    token = "00D5g000004ABCD!AQ0AQH2xQmV8Yk3bZJb6T0pP.rG9dE4Y1Wv8nX"
    try:
        raise ValueError(f"bad session {token}")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert reports and reports[0][0] == "Something went wrong inside Notebridge."
    assert "ValueError" in reports[0][1]
    assert "AQ0AQH2xQmV8" not in reports[0][1]
    assert "ValueError" in ring.text()


@pytest.mark.allow_background_errors
async def test_unhandled_task_error_reaches_reporter(reports: list[tuple[str, str]]) -> None:
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(crash.loop_exception_handler)

    async def boom() -> None:
        raise RuntimeError("background failure")

    task = loop.create_task(boom())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    loop.call_exception_handler({"message": "Task exception was never retrieved", "exception": task.exception(),
                                 "task": task})
    assert any("background failure" in details for _h, details in reports)
    loop.set_exception_handler(None)


def test_hard_crash_is_reported_on_next_start(tmp_path: Path) -> None:
    crash_file = tmp_path / "last-crash.txt"
    script = textwrap.dedent(f"""
        import ctypes
        from pathlib import Path
        from app import crash
        crash.install(Path({str(crash_file)!r}))
        ctypes.string_at(0)  # a real segfault, as a broken native library would cause
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60, check=False)
    assert result.returncode != 0
    previous = crash.install(crash_file)
    try:
        assert previous is not None
        assert "Segmentation fault" in previous or "Fatal Python error" in previous
    finally:
        crash.uninstall()
    # A clean exit leaves nothing to report next time.
    assert crash.install(crash_file) is None
    crash.uninstall()
