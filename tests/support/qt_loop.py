"""The one qasync test loop and the one ``until`` helper every async test uses (UI or not).

Async UI tests run on a qasync ``QEventLoop`` (chosen in ``tests/ui/conftest.py`` through
pytest-asyncio's ``pytest_asyncio_loop_factories`` hook): that loop *is* the Qt event loop, as in the
app, so Qt timers fire, signals are delivered and the app's coroutines run while a test awaits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import qasync
import shiboken6
from PySide6.QtWidgets import QApplication

UNTIL_TIMEOUT = 20.0


class QtTestLoop(qasync.QEventLoop):  # type: ignore[misc]  # qasync ships no type information
    """A qasync loop that frees its Qt objects on close, on the main thread.

    The app has one loop for its whole life; tests make one per test. A closed loop's timer object
    (a QObject with Qt timers still registered) would otherwise be freed by Python's cyclic garbage
    collector in whatever thread happens to run it (the demo org's or the database's), where Qt
    cannot unregister its timers — and the next timer tick on the main thread crashes.
    """

    def close(self) -> None:
        super().close()
        for name in ("_timer", "_QEventLoop__call_soon_signaller"):
            obj = getattr(self, name, None)
            if obj is not None and shiboken6.isValid(obj):
                shiboken6.delete(obj)


def qasync_loop_factories(config: object, item: object) -> dict[str, Callable[[], asyncio.AbstractEventLoop]]:
    """pytest-asyncio's ``pytest_asyncio_loop_factories`` hook, imported by the conftest of each folder
    whose async tests drive Qt (tests/ui, tests/e2e): they all run on this one qasync loop."""
    return {"qasync": new_qt_loop}


def new_qt_loop() -> asyncio.AbstractEventLoop:
    app = QApplication.instance() or QApplication([])
    # As in the app: closing the last window (a wizard, an editor) must not quit Qt, and so stop the loop.
    app.setQuitOnLastWindowClosed(False)  # type: ignore[union-attr]
    return QtTestLoop(app)


async def until(predicate: Callable[[], object], message: str = "", timeout: float = UNTIL_TIMEOUT) -> None:
    """Wait on the loop until ``predicate()`` holds; the timeout only bounds a hang.

    ``predicate`` may be a coroutine function (a check that reads the database through ``db.run``):
    its coroutine is awaited.  Any other value, a Task or Future included, is taken as it is.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await _holds(predicate):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for: {message or predicate}")
        await asyncio.sleep(0.01)


async def _holds(predicate: Callable[[], object]) -> bool:
    result = predicate()
    return bool(await result if asyncio.iscoroutine(result) else result)
