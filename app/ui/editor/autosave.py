"""Debounced autosave: the editor's promise that nothing typed is ever lost.

Every change restarts a short timer (``DEBOUNCE_MS`` ≤ 1 s); when it fires — or at once when the
editor loses focus or closes — the current values are written through the store's ``save``.  Saves
never overlap: a change made while a save is running is written right after it.  ``flush()`` returns
when everything typed so far is on disk.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.ui import aio

log = logging.getLogger(__name__)

DEBOUNCE_MS = 600


class Autosaver(QObject):
    saved = Signal(object)         # the snapshot the store returned
    save_failed = Signal(str)
    dirty_changed = Signal(bool)

    def __init__(self, save: Callable[[dict[str, Any]], Awaitable[Any]], collect: Callable[[], dict[str, Any]],
                 parent: QObject | None = None, *, debounce_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self._save = save
        self._collect = collect
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._start_save)
        self._dirty = False
        self._running: asyncio.Task[None] | None = None
        self.saves = 0

    @property
    def dirty(self) -> bool:
        """True until everything typed so far is on disk (including a save in progress)."""
        return self._dirty or (self._running is not None and not self._running.done())

    def changed(self) -> None:
        """Call on every edit."""
        if not self._dirty:
            self._dirty = True
            self.dirty_changed.emit(True)
        self._timer.start()

    def _start_save(self) -> None:
        if self._running is None or self._running.done():
            self._running = aio.start(self._save_loop(), name="autosave")

    async def _save_loop(self) -> None:
        while self._dirty:
            self._dirty = False
            values = self._collect()
            try:
                snapshot = await self._save(values)
            except Exception as exc:  # keep the text in the widget and try again on the next change
                log.exception("autosave failed")
                self._dirty = True
                self.save_failed.emit(f"Could not save your changes ({exc}). What you typed is still here; "
                                      "Notebridge tries again with your next change.")
                return
            self.saves += 1
            self.saved.emit(snapshot)
        self.dirty_changed.emit(False)

    async def flush(self) -> None:
        """Write now (blur, close, before pushing) and wait until it is on disk."""
        self._timer.stop()
        if self._running is not None and not self._running.done():
            await asyncio.shield(self._running)
        if self._dirty:
            self._running = aio.start(self._save_loop(), name="autosave-flush")
            await asyncio.shield(self._running)

    def flush_soon(self) -> None:
        """From a slot that cannot await (focus-out): save now in the background."""
        self._timer.stop()
        if self._dirty:
            self._start_save()
