"""Run-time misbehaviour on demand: latency, failing requests, and writes whose response is lost.

These are the failure modes a sync engine must survive against a real org: load-balancer 503s and
500 UNKNOWN_EXCEPTIONs, slow responses, and the nastiest one — a write that *did* commit but whose
response never arrived (the client must reconcile before retrying, never blindly re-send).
And a frozen org (``freeze``): requests are taken in and never answered until ``thaw`` — the client's
own deadlines are what must end the wait.
"""

from __future__ import annotations

import math
import threading
from enum import StrEnum

from app.demo_org.http_types import Response, html_response, json_response, redirect

_BODIES = {
    503: [{"errorCode": "SERVER_UNAVAILABLE", "message": "Server temporarily unavailable. Please try again later."}],
    500: [{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred. Please include this "
           "ErrorId if you contact support: 1937468620-84915 (-1102785487)"}],
}

_MAINTENANCE = ("<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
                "<body><h1>Service Unavailable</h1><p>Please try again later.</p></body></html>")
# What Salesforce's token endpoint answers when it hiccups: a load balancer's page (503), or
# ``unknown_error`` "retry your request" with HTTP 500 (seen in recorded traffic).
_TOKEN_BODIES = {
    503: lambda: html_response(503, _MAINTENANCE),
    500: lambda: json_response(500, {"error": "unknown_error", "error_description": "retry your request"}),
}
TOKEN_PATH = "/services/oauth2/token"
REST_PREFIX = "/services/data/v"
# The org's concurrent long-running request limit, in Salesforce's words. Same code and status as the
# daily total ("TotalRequests Limit exceeded."), different message; no "fields" (a limit error, not a
# save error). https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/
# salesforce-app-limits-platform-api.html ("Concurrent API Request Limits": past 25 long requests, or
# 5 in Developer Edition, "the API returns a REQUEST_LIMIT_EXCEEDED exception code"); the messages are
# those of recorded faults ("ConcurrentRequests (Concurrent API Requests) Limit exceeded.").
CONCURRENT_MESSAGES = {
    "long_txn": "ConcurrentPerOrgLongTxn Limit exceeded.",
    "requests": "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
}


class Garble(StrEnum):
    """A 2xx (or redirect) that is not a usable answer, as proxies and a struggling org send them."""

    EMPTY_OBJECT = "empty_object"  # 200 {}
    ERROR_LIST = "error_list"  # 200 with Salesforce's error list as the body
    HTML = "html"  # 200 with a web page
    TRUNCATED = "truncated"  # 200 with JSON cut off half-way
    INVALID_UTF8 = "invalid_utf8"
    LOGIN_REDIRECT = "login_redirect"  # 302 to the login page


def garbled(kind: Garble) -> Response:
    if kind is Garble.EMPTY_OBJECT:
        return json_response(200, {})
    if kind is Garble.ERROR_LIST:
        return json_response(200, [{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred."}])
    if kind is Garble.HTML:
        return html_response(200, _MAINTENANCE)
    if kind is Garble.TRUNCATED:
        return Response(200, b'{"totalSize":3,"done":true,"records":[{"attributes":{"type":"Ta', "application/json")
    if kind is Garble.INVALID_UTF8:
        return Response(200, b'{"totalSize":1,"done":true,"records":[{"Subject":"\xff\xfe"}]}',
                        "application/json;charset=UTF-8")
    return redirect("/?startURL=%2Fservices%2Fdata")


# At most this many injected failures or dropped writes wait at once, and this much latency: a test
# needs a handful; {"n": 1e8} would hold 100 million list entries (~800 MB).
MAX_PENDING = 10_000
MAX_LATENCY_MS = 60_000.0
# The longest one request is held by a freeze: a forgotten freeze must not hold server threads forever.
MAX_FREEZE_S = 600.0


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
        self._token_failures: list[int] = []
        self._garbles: list[tuple[Garble, str | None]] = []
        self._concurrent: list[str] = []
        self._thawed = threading.Event()
        self._thawed.set()
        self._freeze_commits = False

    def fail_next(self, n: int, status: int = 503) -> None:
        """The next ``n`` API requests (under /services/, not the sign-in pages) fail with ``status``."""
        if status not in _BODIES:
            raise ValueError("status must be 500 or 503")
        count = _count(n)
        with self._lock:
            if len(self._failures) + count > MAX_PENDING:
                raise ValueError(f"at most {MAX_PENDING} failures can wait at once")
            self._failures.extend([int(status)] * count)

    def fail_token_next(self, n: int, status: int = 503) -> None:
        """The next ``n`` token requests (sign-in or refresh) fail: 503 with a maintenance page, or
        500 ``unknown_error`` "retry your request".  The refresh token stays valid."""
        if status not in _TOKEN_BODIES:
            raise ValueError("status must be 500 or 503")
        with self._lock:
            self._token_failures.extend([int(status)] * int(n))

    def garble_next(self, n: int, kind: str = "empty_object", method: str | None = None) -> None:
        """The next ``n`` API requests (only those with ``method``, if given) get a ``Garble`` answer
        instead of being handled: nothing they asked for is done."""
        garble = Garble(kind)
        with self._lock:
            self._garbles.extend([(garble, method.upper() if method else None)] * int(n))

    def concurrent_limit_next(self, n: int, kind: str = "long_txn") -> None:
        """The next ``n`` REST calls (``/services/data/vNN.N/…``) are refused with the concurrent
        long-request limit; nothing they asked for is done and they do not count against the day."""
        if kind not in CONCURRENT_MESSAGES:
            raise ValueError(f"kind must be one of {sorted(CONCURRENT_MESSAGES)}")
        count = _count(n)
        with self._lock:
            self._concurrent.extend([CONCURRENT_MESSAGES[kind]] * count)

    def drop_after_commit(self, n: int) -> None:
        """The next ``n`` successful writes commit, then the connection closes without a response."""
        count = _count(n)
        with self._lock:
            if self._drops + count > MAX_PENDING:
                raise ValueError(f"at most {MAX_PENDING} dropped writes can wait at once")
            self._drops += count

    def freeze(self, commit_writes: bool = False) -> None:
        """From now on every API request hangs, unanswered, until :meth:`thaw` (or ``clear``); then its
        connection is closed without an answer.  ``commit_writes``: writes are done first, as when
        Salesforce saved a record and then stalled before answering."""
        with self._lock:
            self._freeze_commits = bool(commit_writes)
            self._thawed.clear()

    def thaw(self) -> None:
        self._thawed.set()

    @property
    def frozen(self) -> bool:
        return not self._thawed.is_set()

    @property
    def freeze_commits(self) -> bool:
        return self._freeze_commits

    def wait_for_thaw(self) -> None:
        """Block this request's server thread while the org is frozen (at most ``MAX_FREEZE_S``)."""
        self._thawed.wait(MAX_FREEZE_S)

    def set_latency(self, ms: float) -> None:
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or not 0 <= ms <= MAX_LATENCY_MS:  # NaN too
            raise ValueError(f"ms must be a number from 0 to {MAX_LATENCY_MS:g}")
        with self._lock:
            self._latency_ms = float(ms)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._token_failures.clear()
            self._garbles.clear()
            self._concurrent.clear()
            self._drops = 0
            self._latency_ms = 0.0
        self._thawed.set()

    @property
    def latency_ms(self) -> float:
        return self._latency_ms

    @property
    def pending(self) -> dict[str, float]:
        with self._lock:
            return {"failures": len(self._failures), "drops": self._drops, "latency_ms": self._latency_ms}

    @property
    def pending_overrides(self) -> dict[str, int]:
        """Token-endpoint failures and garbled answers still to come."""
        with self._lock:
            return {"token_failures": len(self._token_failures), "garbles": len(self._garbles),
                    "concurrent": len(self._concurrent)}

    def take_failure(self) -> Response | None:
        with self._lock:
            if not self._failures:
                return None
            status = self._failures.pop(0)
        return json_response(status, _BODIES[status])

    def take_override(self, method: str, path: str) -> Response | None:
        """A token failure (for the token endpoint) or a garbled answer due for this request."""
        with self._lock:
            if path == TOKEN_PATH:
                if not self._token_failures:
                    return None
                return _TOKEN_BODIES[self._token_failures.pop(0)]()
            if self._concurrent and path.startswith(REST_PREFIX):
                message = self._concurrent.pop(0)
                return json_response(403, [{"message": message, "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
            for n, (kind, only) in enumerate(self._garbles):
                if only is None or only == method.upper():
                    del self._garbles[n]
                    return garbled(kind)
        return None

    def take_drop(self) -> bool:
        with self._lock:
            if self._drops <= 0:
                return False
            self._drops -= 1
            return True
