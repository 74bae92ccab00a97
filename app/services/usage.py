""""API usage": record the live client's reading and summarise the org's allowance for the chart."""

from __future__ import annotations

from app.store.api_usage import UsageSample
from app.sync.usage_recorder import UsageRecorder, UsageSummary

__all__ = ["UsageRecorder", "UsageSample", "UsageSummary", "empty_summary"]


def empty_summary(reserve_fraction: float) -> UsageSummary:
    """What the chart shows with no connection: no readings, just the reserve line."""
    return UsageSummary(None, None, 0, reserve_fraction, [])
