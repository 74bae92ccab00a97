"""The org's daily API allowance, and the share of it the push engine leaves for everyone else.

Salesforce counts every REST call against a rolling 24-hour allowance shared by all integrations of
the org; past it every call fails with ``REQUEST_LIMIT_EXCEEDED`` until usage rolls off
(https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm).
A notes app must never be the integration that starves the org's other tools, so we keep a reserve
(default 10 % of the daily maximum) and pause — with a reason and a time to look again — when a batch
would dip into it. The numbers come free with every response (``Sforce-Limit-Info``), read through
``SalesforceClient.api_usage``; nothing here makes a call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_RESERVE_FRACTION = 0.10
# Usage rolls off over 24 hours; looking again every 30 minutes is cheap and resumes soon enough.
PAUSE_RECHECK = timedelta(minutes=30)


@dataclass(frozen=True)
class BudgetDecision:
    ok: bool
    reason: str = ""
    retry_at: datetime | None = None
    recheck: bool = False  # allowed only to look at usage again (one cheap call), not to spend


class ApiBudget:
    """Decides whether the push may spend ``n`` more API calls now."""

    def __init__(self, reserve_fraction: float = DEFAULT_RESERVE_FRACTION, *,
                 recheck: timedelta = PAUSE_RECHECK) -> None:
        if not 0.0 <= reserve_fraction < 1.0:
            raise ValueError("the API reserve is a fraction between 0 and 1 (e.g. 0.1 for 10%)")
        self.reserve_fraction = reserve_fraction
        self.recheck = recheck
        self.used: int | None = None
        self.limit: int | None = None
        self.limit_hit_at: datetime | None = None
        self.paused_at: datetime | None = None

    def update(self, usage: tuple[int, int] | None) -> None:
        """Take the latest (used, max) from the client; ``None`` (not known yet) changes nothing."""
        if usage is not None and usage[1] > 0:
            self.used, self.limit = usage
            if self.available:
                self.paused_at = None

    def note_limit_exceeded(self, now: datetime) -> BudgetDecision:
        """Salesforce said REQUEST_LIMIT_EXCEEDED: nothing may be spent until we look again."""
        self.limit_hit_at = now
        return self.limit_decision()

    def limit_decision(self) -> BudgetDecision:
        assert self.limit_hit_at is not None
        return BudgetDecision(
            False,
            "Salesforce's daily API limit for your org is used up. Notebridge will try again by itself; "
            "your notes are safe here.",
            self.limit_hit_at + self.recheck,
        )

    @property
    def reserve(self) -> int:
        # Rounded first: float noise would make 7% of 100,000 a reserve of 7,001 (7000.000000000001).
        return math.ceil(round((self.limit or 0) * self.reserve_fraction, 6))

    @property
    def available(self) -> int | None:
        """Calls we may still make before touching the reserve; ``None`` while usage is unknown."""
        if self.used is None or self.limit is None:
            return None
        return max(0, self.limit - self.reserve - self.used)

    def check(self, calls: int, now: datetime) -> BudgetDecision:
        """May we make ``calls`` more calls? Unknown usage is allowed: the first answer tells us."""
        if self.limit_hit_at is not None:
            if now - self.limit_hit_at < self.recheck:
                return self.limit_decision()
            self.limit_hit_at = None  # time to look again
            return BudgetDecision(True, recheck=True)
        available = self.available
        if available is None or available >= calls:
            return BudgetDecision(True)
        if self.paused_at is not None and now - self.paused_at >= self.recheck:
            # Time to look again: one call to read the current usage (it may have rolled off).
            self.paused_at = None
            return BudgetDecision(True, recheck=True)
        if self.paused_at is None:
            self.paused_at = now
        share = f"{self.reserve_fraction:.0%}"
        return BudgetDecision(
            False,
            f"Paused to leave {share} of your org's daily Salesforce API calls for other apps "
            f"({self.used:,} of {self.limit:,} used). Notebridge resumes by itself as usage rolls off.",
            self.paused_at + self.recheck,
        )

    def estimated_calls_left(self) -> int | None:
        return self.available


__all__ = ["DEFAULT_RESERVE_FRACTION", "PAUSE_RECHECK", "ApiBudget", "BudgetDecision"]
