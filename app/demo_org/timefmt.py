"""Date and datetime values in Salesforce's wire format.

Salesforce returns datetimes as ``2013-05-07T22:07:19.000+0000`` (UTC, milliseconds, offset without a
colon) and stores them with second precision, so ``SystemModstamp`` values collide within a second —
clients must page with an overlap window and an Id tie-break, and the demo org keeps that property on
purpose. All stored values are strings in this exact format, so comparing and sorting them as strings
is comparing them as instants.
"""

from __future__ import annotations

import datetime as dt
import re

UTC = dt.UTC

_DATETIME_IN = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE_IN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def utcnow() -> dt.datetime:
    """Now in UTC, truncated to whole seconds (the precision Salesforce keeps)."""
    return dt.datetime.now(UTC).replace(microsecond=0)


def format_datetime(value: dt.datetime) -> str:
    value = value.astimezone(UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}+0000"


def format_date(value: dt.date) -> str:
    return f"{value:%Y-%m-%d}"


def parse_datetime(text: str, *, require_zone: bool = False) -> dt.datetime:
    """Parse the ISO-8601 forms Salesforce accepts: ``Z``, ``+hh:mm`` and ``+hhmm`` offsets, optional
    fractional seconds. Without a zone the value is taken as UTC unless ``require_zone`` is set (SOQL
    literals must carry one). Raises ValueError."""
    match = _DATETIME_IN.match(text.strip())
    if not match:
        raise ValueError(f"not a datetime: {text!r}")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone is None and require_zone:
        raise ValueError(f"datetime without a time zone: {text!r}")
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    tz = UTC
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    value = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tz)
    return value.astimezone(UTC)


def parse_date(text: str) -> dt.date:
    match = _DATE_IN.match(text.strip())
    if not match:
        raise ValueError(f"not a date: {text!r}")
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


def normalize_datetime(text: str) -> str:
    """Any accepted datetime string -> the canonical wire string (millisecond precision kept)."""
    return format_datetime(parse_datetime(text))
