"""Fail the test whose background work raised.

A coroutine started with ``aio.start`` (or any task whose exception nobody retrieves) reports its
failure to the loop's exception handler; in the app that opens the crash dialog, in a test it used to
show up only as a later ``until(...)`` timeout, or not at all.  Every loop's exception handler is
recorded while a test runs, and the test fails at teardown with what was reported.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import qasync

MARKER = "allow_background_errors"


class Recorder:
    def __init__(self) -> None:
        self.reports: list[str] = []
        self._lock = threading.Lock()

    def add(self, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, asyncio.CancelledError):
            # Cancelling is how work is stopped, not a failure.  (Python 3.11's asyncio streams even report a
            # cancelled connection handler through the exception handler.)
            return
        text = context.get("message", "")
        if exc is not None:
            text = f"{text}: {type(exc).__name__}: {exc}"
        with self._lock:
            self.reports.append(text)


def _recording(loop_class: type, recorder: Recorder) -> Callable[[Any, dict[str, Any]], None]:
    original = loop_class.call_exception_handler

    def recording(loop: Any, context: dict[str, Any]) -> None:
        recorder.add(context)
        original(loop, context)

    return recording


@pytest.fixture(autouse=True)
def fail_on_background_errors(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder()
    # qasync's loop defines its own call_exception_handler ahead of asyncio's in its MRO: patch both.
    for loop_class in (asyncio.BaseEventLoop, qasync._QEventLoop):
        monkeypatch.setattr(loop_class, "call_exception_handler", _recording(loop_class, recorder))
    yield recorder
    if recorder.reports and request.node.get_closest_marker(MARKER) is None:
        pytest.fail("background work failed during the test:\n  " + "\n  ".join(recorder.reports), pytrace=False)
