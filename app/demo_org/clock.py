"""The org's own clock for time-based rules (query cursors going idle), which tests move forward.

Real time plus an offset: ``advance(900)`` makes fifteen minutes pass at once, so a test can reach
"the cursor expired" without waiting and without patching ``time``. Thread-safe; monotonic.
"""

from __future__ import annotations

import threading
import time


class OrgClock:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0

    def now(self) -> float:
        """Seconds on a monotonic scale (only differences mean anything)."""
        with self._lock:
            return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 7 * 86400:
            raise ValueError("seconds must be a number from 0 to 604800 (a week)")
        with self._lock:
            self._offset += float(seconds)
