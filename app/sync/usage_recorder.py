"""API usage over the last 24 hours: readings from the live client, turned into chart samples.

Every Salesforce response carries the org's usage (``Sforce-Limit-Info``), and the client counts the
calls it made itself, so watching usage costs no API calls.  :class:`UsageRecorder` is told about the
client now and then (the settings page does it on a timer and after each check); it writes a sample
only when something changed, at most one row per five-minute slot (``app.store.api_usage``).

Notebridge's own share is the growth of ``client.api_calls`` between readings; a new client (after a
reconnect or a restart) starts counting from zero, so no call is counted twice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from app.salesforce.limits import ApiUsage
from app.store import Database
from app.store import api_usage as usage_rows
from app.store.api_usage import UsageSample, slot_start
from app.store.types import utcnow

DAY = timedelta(hours=24)


class UsageSource(Protocol):
    """What the recorder reads from a ``SalesforceClient`` (no call is made)."""

    @property
    def api_usage(self) -> tuple[int, int] | None: ...

    api_calls: int  # (a client's ``usage`` — an ``ApiUsage`` with the per-app quota — is read if it has one)


@dataclass(frozen=True)
class UsageSummary:
    used: int | None
    limit: int | None
    own_today: int
    reserve_fraction: float
    samples: list[UsageSample] = field(default_factory=list)
    # Notebridge's own quota, where the org gives its connected app one (``per-app-api-usage``): the
    # latest reading, (used, max). None when the org has no per-app quota (most orgs).
    app_usage: tuple[int, int] | None = None

    @property
    def pause_at(self) -> int | None:
        """Usage at which the push pauses to leave the reserve for other apps."""
        if not self.limit:
            return None
        return self.limit - math.ceil(self.limit * self.reserve_fraction)  # as ApiBudget.reserve counts it

    @property
    def share(self) -> float | None:
        return self.used / self.limit if self.used is not None and self.limit else None


class UsageRecorder:
    def __init__(self, db: Database, connection_id: int) -> None:
        self.db = db
        self.connection_id = connection_id
        self._client_id: int | None = None
        self._client_calls = 0
        self._written: tuple[datetime, int, int] | None = None  # (slot, used, limit) last written
        self._app_usage: tuple[int, int] | None = None  # the latest per-app reading (not stored: only "now" matters)
        self.writes = 0

    async def observe(self, client: UsageSource | None, *, now: datetime | None = None) -> bool:
        """Record what the client knows now; True when a sample was written."""
        if client is None:
            return False
        usage = client.api_usage
        detail = getattr(client, "usage", None)
        if isinstance(detail, ApiUsage):
            self._app_usage = detail.per_app if detail.per_app and detail.per_app[1] > 0 else None
        calls = int(client.api_calls)
        if self._client_id != id(client) or calls < self._client_calls:
            self._client_id, self._client_calls = id(client), 0
        own = calls - self._client_calls
        if usage is None or usage[1] <= 0:
            return False
        now = now or utcnow()
        slot = slot_start(now)
        if own == 0 and self._written == (slot, usage[0], usage[1]):
            return False
        used, limit, cid = usage[0], usage[1], self.connection_id
        await self.db.run(lambda s: usage_rows.record(s, cid, used, limit, own_calls=own, at=now))
        self._client_calls = calls
        self._written = (slot, used, limit)
        self.writes += 1
        return True

    async def summary(self, reserve_fraction: float, *, now: datetime | None = None) -> UsageSummary:
        now = now or utcnow()
        cid = self.connection_id

        def read(session: Any) -> tuple[list[UsageSample], int]:
            return (usage_rows.samples(session, cid, now - DAY),
                    usage_rows.own_calls_since(session, cid, now - DAY))

        samples, own = await self.db.run(read)
        last = samples[-1] if samples else None
        return UsageSummary(last.used if last else None, last.max_calls if last else None, own,
                            reserve_fraction, samples, self._app_usage)
