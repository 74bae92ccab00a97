"""Bridges between Qt slots and coroutines on the qasync loop.

Rules this module enforces: coroutines started from slots are tracked (so quitting cancels them and
nothing runs against a closed DB); their exceptions go to the loop's exception handler (logged and
shown, never lost); and dialogs are awaited through their `finished` signal after `open()` — never
`exec()`, which would nest a second event loop inside a coroutine.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog

from app.services.workspace import WorkspaceLockedError

P = ParamSpec("P")
T = TypeVar("T")

_tasks: set[asyncio.Task[Any]] = set()
log = logging.getLogger(__name__)


def _done(task: asyncio.Task[Any]) -> None:
    _tasks.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if isinstance(exc, WorkspaceLockedError):
        # Another program held the workspace file past SQLite's busy timeout: a refresh or a read in the
        # background missed its turn, nothing was lost, and the next one runs when the file is free.
        # Not a crash: no crash dialog for a backup tool's lock.  Saves say so where the text is.
        log.warning("task %s skipped: %s", task.get_name(), exc)
        return
    if exc is not None:
        loop = asyncio.get_event_loop()
        loop.call_exception_handler({"message": f"task {task.get_name()} failed", "exception": exc, "task": task})


def start(coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
    """Run a coroutine in the background from a slot; tracked until done."""
    task = asyncio.get_event_loop().create_task(coro, name=name)
    _tasks.add(task)
    task.add_done_callback(_done)
    return task


def slot(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, None]:
    """Decorate an `async def` handler so it can be connected to a Qt signal."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        start(fn(*args, **kwargs), name=fn.__qualname__)

    return wrapper


async def cancel_all(grace_seconds: float = 3.0) -> None:
    """On quit: cancel every tracked task and give them a moment to clean up."""
    pending = [task for task in _tasks if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending, timeout=grace_seconds)


def alive(obj: QObject) -> bool:
    """False once Qt has deleted ``obj``: a coroutine that outlived its window must not touch it."""
    return shiboken6.isValid(obj)


def running_tasks() -> int:
    return sum(1 for task in _tasks if not task.done())


async def run_dialog(dialog: QDialog) -> int:
    """Show a dialog window-modally and wait for its result without a nested event loop."""
    future: asyncio.Future[int] = asyncio.get_event_loop().create_future()

    def finished(result: int) -> None:
        if not future.done():
            future.set_result(result)

    dialog.finished.connect(finished)
    dialog.open()
    try:
        return await future
    finally:
        dialog.finished.disconnect(finished)
