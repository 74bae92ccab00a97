"""Debounced autosave: the editor's promise that nothing typed is ever lost.

Every change restarts a short timer (``DEBOUNCE_MS`` ≤ 1 s), so a burst of typing is one write.
Someone who never pauses would never reach it, so a second timer bounds the wait: ``MAX_WAIT_MS``
after the first unsaved change the values are written however fast the typing goes on.  Losing
focus and closing write at once.  Saves never overlap: a change made while a save is running is
written right after it.  A failed save keeps the text, says why in plain words (``save_failed``)
and is retried on its own with a growing pause, so the text reaches the disk once the fault clears
even if nobody types again.  ``flush()`` returns when everything typed so far is on disk — or the
save failed, which ``dirty`` then says.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.services.drafts import WriteFailure, WriteProblem
from app.services.drafts import explain_write_failure as explain
from app.ui import aio

log = logging.getLogger(__name__)

DEBOUNCE_MS = 600
MAX_WAIT_MS = 2_000          # the most typing a crash can cost while someone never pauses
RETRY_MS = (1_000, 2_000, 5_000, 10_000, 15_000)  # after a failed save; the last one repeats
# Faults that do not clear by waiting: the draft was deleted, or the workspace is closed.
PERMANENT = frozenset({WriteProblem.GONE, WriteProblem.CLOSED})


class Autosaver(QObject):
    saved = Signal(object)         # the snapshot the store returned
    save_failed = Signal(object)   # a WriteFailure: why, in plain words, and what to do
    recovered = Signal()           # a save worked again after one had failed
    dirty_changed = Signal(bool)

    def __init__(self, save: Callable[[dict[str, Any]], Awaitable[Any]], collect: Callable[[], dict[str, Any]],
                 parent: QObject | None = None, *, debounce_ms: int = DEBOUNCE_MS,
                 max_wait_ms: int = MAX_WAIT_MS) -> None:
        super().__init__(parent)
        self._save = save
        self._collect = collect
        self._timer = self._single_shot(debounce_ms)
        self._max_wait = self._single_shot(max_wait_ms)
        self._retry = self._single_shot(RETRY_MS[0])
        self._failures = 0
        self._dirty = False
        self._running: asyncio.Task[None] | None = None
        self.last_failure: WriteFailure | None = None
        self.saves = 0

    def _single_shot(self, interval_ms: int) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval_ms)
        timer.timeout.connect(self._start_save)
        return timer

    @property
    def dirty(self) -> bool:
        """True until everything typed so far is on disk (including a save in progress)."""
        return self._dirty or (self._running is not None and not self._running.done())

    @property
    def failing(self) -> bool:
        """The last save failed and nothing has been saved since."""
        return self.last_failure is not None

    def changed(self) -> None:
        """Call on every edit."""
        if not self._dirty:
            self._dirty = True
            self.dirty_changed.emit(True)
        self._timer.start()
        if not self._max_wait.isActive():  # counted from the first change not yet on disk
            self._max_wait.start()

    def _stop_timers(self) -> None:
        for timer in (self._timer, self._max_wait, self._retry):
            timer.stop()

    def _start_save(self) -> None:
        self._stop_timers()
        if not self._dirty or (self._running is not None and not self._running.done()):
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # focus moved while Qt tears the windows down after the loop has ended
            log.warning("an edit could not be saved: the event loop has already stopped")
            return
        self._running = aio.start(self._save_loop(), name="autosave")

    async def _save_loop(self) -> None:
        while self._dirty:
            self._dirty = False
            values = self._collect()
            try:
                snapshot = await self._save(values)
            except Exception as exc:  # keep the text in the widget; say why; try again by itself
                log.exception("autosave failed")
                self._dirty = True
                self._failed(explain(exc))
                return
            self.saves += 1
            if self.last_failure is not None:
                self.last_failure, self._failures = None, 0
                self.recovered.emit()
            self.saved.emit(snapshot)
        self._max_wait.stop()  # everything is on disk: the next change starts a fresh wait
        self.dirty_changed.emit(False)

    def _failed(self, failure: WriteFailure) -> None:
        self.last_failure = failure
        if failure.problem not in PERMANENT:
            self._retry.setInterval(RETRY_MS[min(self._failures, len(RETRY_MS) - 1)])
            self._failures += 1
            self._retry.start()
        self.save_failed.emit(failure)

    async def flush(self) -> None:
        """Write now (blur, close, quit, before pushing) and wait until it is on disk (or failed)."""
        self._stop_timers()
        while True:
            running = self._running
            if running is not None and not running.done():
                await asyncio.shield(running)
                if self.failing:
                    return  # it has just failed: the retry timer tries again, not a busy loop here
                continue
            if not self._dirty:
                return
            self._stop_timers()
            self._running = aio.start(self._save_loop(), name="autosave-flush")

    def abandon(self) -> None:
        """The advisor chose to close without saving: stop trying (a save already running ends)."""
        self._stop_timers()
        self._dirty = False
        self.last_failure = None

    def flush_soon(self) -> None:
        """From a slot that cannot await (focus-out): save now in the background."""
        self._start_save()
