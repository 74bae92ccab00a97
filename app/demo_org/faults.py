"""Run-time misbehaviour on demand: latency, failing requests, and writes whose response is lost.

These are the failure modes a sync engine must survive against a real org: load-balancer 503s and
500 UNKNOWN_EXCEPTIONs, slow responses, and the nastiest one — a write that *did* commit but whose
response never arrived (the client must reconcile before retrying, never blindly re-send).
"""

from __future__ import annotations

import math
import threading

from app.demo_org.http_types import Response, json_response

_BODIES = {
    503: [{"errorCode": "SERVER_UNAVAILABLE", "message": "Server temporarily unavailable. Please try again later."}],
    500: [{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred. Please include this "
           "ErrorId if you contact support: 1937468620-84915 (-1102785487)"}],
}


# At most this many injected failures or dropped writes wait at once, and this much latency: a test
# needs a handful; {"n": 1e8} would hold 100 million list entries (~800 MB).
MAX_PENDING = 10_000
MAX_LATENCY_MS = 60_000.0


def _count(n: object) -> int:
    """``n`` as a whole number in 0..MAX_PENDING, or ValueError (the HTTP controls answer 400)."""
    if isinstance(n, bool) or not isinstance(n, (int, float)) or not math.isfinite(n) or n != int(n):
        raise ValueError("n must be a whole number")
    if not 0 <= n <= MAX_PENDING:
        raise ValueError(f"n must be between 0 and {MAX_PENDING}")
    return int(n)


class Faults:
    """Counters consumed by the HTTP layer; every method is safe to call from any thread."""

    def __init__(self, latency_ms: float = 0) -> None:
        self._lock = threading.Lock()
        self._failures: list[int] = []
        self._drops = 0
        self._latency_ms = float(latency_ms)

    def fail_next(self, n: int, status: int = 503) -> None:
        """The next ``n`` API requests (under /services/, not the sign-in pages) fail with ``status``."""
        if status not in _BODIES:
            raise ValueError("status must be 500 or 503")
        count = _count(n)
        with self._lock:
            if len(self._failures) + count > MAX_PENDING:
                raise ValueError(f"at most {MAX_PENDING} failures can wait at once")
            self._failures.extend([int(status)] * count)

    def drop_after_commit(self, n: int) -> None:
        """The next ``n`` successful writes commit, then the connection closes without a response."""
        count = _count(n)
        with self._lock:
            if self._drops + count > MAX_PENDING:
                raise ValueError(f"at most {MAX_PENDING} dropped writes can wait at once")
            self._drops += count

    def set_latency(self, ms: float) -> None:
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not 0 <= ms <= MAX_LATENCY_MS:  # NaN too
            raise ValueError(f"ms must be a number from 0 to {MAX_LATENCY_MS:g}")
        with self._lock:
            self._latency_ms = float(ms)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._drops = 0
            self._latency_ms = 0.0

    @property
    def latency_ms(self) -> float:
        return self._latency_ms

    @property
    def pending(self) -> dict[str, float]:
        with self._lock:
            return {"failures": len(self._failures), "drops": self._drops, "latency_ms": self._latency_ms}

    def take_failure(self) -> Response | None:
        with self._lock:
            if not self._failures:
                return None
            status = self._failures.pop(0)
        return json_response(status, _BODIES[status])

    def take_drop(self) -> bool:
        with self._lock:
            if self._drops <= 0:
                return False
            self._drops -= 1
            return True
