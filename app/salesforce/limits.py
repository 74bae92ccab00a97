"""The org's daily API usage, read from the ``Sforce-Limit-Info`` header of every REST response.

Reading the header costs nothing, whereas asking ``/limits`` is itself an API call; the budget logic
in the sync engines relies on this being current after each request.
Header format: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
(``api-usage=18/5000``, optionally followed by ``; api-bursts=1/750`` or
``; per-app-api-usage=17/250(appName=…)``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

HEADER = "Sforce-Limit-Info"
_PART = re.compile(r"^\s*([A-Za-z-]+)\s*=\s*(\d+)\s*/\s*(\d+)(?:\s*\(\s*appName\s*=\s*([^)]*)\))?")


@dataclass(frozen=True)
class ApiUsage:
    used: int
    max: int
    bursts: tuple[int, int] | None = None
    per_app: tuple[int, int] | None = None  # this connected app's own quota, where the org gives it one
    app_name: str | None = None

    @property
    def remaining(self) -> int:
        return max(0, self.max - self.used)

    def as_tuple(self) -> tuple[int, int]:
        return (self.used, self.max)


def parse_limit_info(value: str | None) -> ApiUsage | None:
    """Parse one header value; ``None`` when absent or unreadable (never raises: it is advisory)."""
    if not value:
        return None
    found: dict[str, tuple[int, int]] = {}
    app_name: str | None = None
    for part in value.split(";"):
        m = _PART.match(part)
        if m:
            key = m.group(1).lower()
            found.setdefault(key, (int(m.group(2)), int(m.group(3))))
            if key == "per-app-api-usage" and m.group(4) and app_name is None:
                app_name = m.group(4).strip() or None
    if "api-usage" not in found:
        return None
    used, maximum = found["api-usage"]
    return ApiUsage(used, maximum, found.get("api-bursts"), found.get("per-app-api-usage"), app_name)


def usage_from_headers(headers: Mapping[str, str]) -> ApiUsage | None:
    """Find the header whatever its case (proxies and HTTP/2 lowercase it)."""
    for key, value in headers.items():
        if key.lower() == HEADER.lower():
            return parse_limit_info(value)
    return None


def usage_from_limits(limits: Mapping[str, object]) -> ApiUsage | None:
    """``GET /limits`` → ``DailyApiRequests: {Max, Remaining}``."""
    daily = limits.get("DailyApiRequests")
    if not isinstance(daily, Mapping):
        return None
    try:
        maximum = int(daily["Max"])
        remaining = int(daily["Remaining"])
    except (KeyError, TypeError, ValueError):
        return None
    return ApiUsage(max(0, maximum - remaining), maximum)
