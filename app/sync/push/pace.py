"""Loop turns inside a run's long passes over its items, so the UI thread is never held for long.

The push runs on the UI thread's event loop (qasync: one loop for Qt and asyncio).  Its passes over
every due item — preparing titles and placement, checking limits, grouping into requests — are plain
Python with no ``await`` that suspends, so over a big outbox (6,000 items in the push benchmark) one
pass held the loop for 60–100 ms: the longest stall of the push.  A :class:`Pacer` gives the loop a
turn (``asyncio.sleep(0)``: timers, Qt's paint and input events run) once ``STEP_S`` of work has gone
by since the last turn; a short pass never pays for one.
"""

from __future__ import annotations

import asyncio
import time

STEP_S = 0.005  # the longest stretch of a pass between loop turns


class Pacer:
    """Counts the time since the loop last had a turn; :meth:`turn` gives it one when that is due."""

    def __init__(self, step_s: float = STEP_S) -> None:
        self.step_s = step_s
        self._since = time.perf_counter()

    async def turn(self) -> None:
        """Call between items: yields to the loop when ``step_s`` has gone by since the last turn."""
        if time.perf_counter() - self._since >= self.step_s:
            await asyncio.sleep(0)
            self._since = time.perf_counter()


__all__ = ["STEP_S", "Pacer"]
