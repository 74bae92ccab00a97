"""Open query cursors, with Salesforce's limits: at most 10 per user, the oldest released when an
11th opens, and each one gone after 15 minutes without use (then ``INVALID_QUERY_LOCATOR``).

Sources — the QueryLocator rules of the SOAP API guide, which the REST ``nextRecordsUrl`` shares:
https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_query_querylocator.htm
("QueryLocator objects expire automatically after 15 minutes of inactivity. A user can have up to 10
query cursors open at a time. If 10 QueryLocator cursors are open when a client application, logged in
as the same user, attempts to open a new one, then the oldest of the 10 cursors is released.")
Salesforce's limits cheat sheet says API 56.0 lifted both (cursors live 2 days, no count limit:
https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-apicursors.html).
Orgs and API versions differ in practice, so the demo keeps the strict older rules: a client that
survives them survives the newer ones. "Oldest" is by opening, not by last use (the stricter reading).
A query answered in one page opens no cursor (https://help.salesforce.com/s/articleView?id=000384958&type=1:
cursors are created "when results for a large or complex query cannot be returned in a single
response"). A cursor whose last page was read still counts until it idles out or is released: pages
fetched ahead may arrive out of order, and counting it is the stricter reading.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.demo_org.clock import OrgClock

MAX_OPEN_PER_USER = 10
IDLE_SECONDS = 15 * 60

T = TypeVar("T")


@dataclass
class _Open(Generic[T]):
    user_id: str
    value: T
    last_used: float = field(default=0.0)


class CursorTable(Generic[T]):
    """Cursors by locator; ``open`` may release another of the same user, ``get`` may find one expired."""

    def __init__(self, clock: OrgClock, max_per_user: int = MAX_OPEN_PER_USER,
                 idle_seconds: float = IDLE_SECONDS) -> None:
        self.clock = clock
        self.max_per_user = max_per_user
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._open: OrderedDict[str, _Open[T]] = OrderedDict()  # in opening order
        self.released = 0  # cursors released to make room for newer ones (for tests and stats)
        self.expired = 0

    def open(self, locator: str, user_id: str, value: T) -> None:
        now = self.clock.now()
        with self._lock:
            self._expire(now)
            mine = [k for k, c in self._open.items() if c.user_id == user_id]
            while len(mine) >= self.max_per_user:
                del self._open[mine.pop(0)]
                self.released += 1
            self._open[locator] = _Open(user_id, value, now)

    def get(self, locator: str, user_id: str) -> T | None:
        """The cursor, marked as used now; None if unknown, released, expired or another user's."""
        now = self.clock.now()
        with self._lock:
            self._expire(now)
            found = self._open.get(locator)
            if found is None or found.user_id != user_id:
                return None
            found.last_used = now
            return found.value

    def close(self, locator: str) -> None:
        with self._lock:
            self._open.pop(locator, None)

    def count(self, user_id: str | None = None) -> int:
        with self._lock:
            self._expire(self.clock.now())
            return sum(1 for c in self._open.values() if user_id is None or c.user_id == user_id)

    def _expire(self, now: float) -> None:
        stale = [k for k, c in self._open.items() if now - c.last_used > self.idle_seconds]
        for key in stale:
            del self._open[key]
        self.expired += len(stale)
