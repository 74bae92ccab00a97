"""Numbers in sentences, written as people write them: "1 changed contact", "2 changed contacts",
"within 5 seconds", "2 minutes".

One place for it because every layer says counts and durations (the status bar, doctor, sign-in
errors, sync summaries) and each hand-written ``f"{n} contacts"`` eventually said "1 contacts" or
"0.0833333 minutes". Plain functions of plain values: no Qt, no I/O, safe from any layer.
"""

from __future__ import annotations

import math


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun alone, agreeing with ``count``: ``plural(1, "check")`` → "check". Irregular plurals
    are passed in (``plural(n, "person", "people")``); otherwise an "s" is added."""
    if count == 1:
        return singular
    return plural_form if plural_form is not None else singular + "s"


def counted(count: int, singular: str, plural_form: str | None = None) -> str:
    """``count`` with thousands separators and its noun: "1 changed contact", "1,250 changed contacts",
    "0 drafts". The noun may be several words; only its end changes."""
    return f"{count:,} {plural(count, singular, plural_form)}"


_UNITS = (("hour", 3600), ("minute", 60), ("second", 1))


def duration(seconds: float) -> str:
    """A length of time as a person would say it: "5 seconds", "1 minute", "2 minutes",
    "1 minute 30 seconds", "2 hours 5 minutes". Whole seconds (rounded); under a second it keeps
    one decimal ("0.5 seconds") so a tiny timeout is never shown as "0 seconds"."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a duration: {seconds!r}")
    if 0 < seconds < 1:
        tenths = max(1, round(seconds * 10))
        return "1 second" if tenths == 10 else f"0.{tenths} seconds"
    remaining = round(seconds)
    parts: list[str] = []
    for unit, size in _UNITS:
        amount, remaining = divmod(remaining, size)
        if amount:
            parts.append(counted(amount, unit))
    return " ".join(parts) if parts else "0 seconds"
