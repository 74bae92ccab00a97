"""Progress reports from the engines, in a shape the UI can show without knowing the engine.

Engines call `on_progress(SyncProgress(...))` as work advances and check a `cancel` event between
units of work; the UI turns reports into Qt signals (status bar, wizard progress bar).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SyncProgress:
    stage: str            # "pull", "push", "connect" …
    object: str           # the Salesforce object being worked on, e.g. "Contact"
    done: int
    total: int | None     # None while the size is not known yet
    api_calls: int
    message: str          # advisor-readable, e.g. "12,400 of 48,000 contacts"

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[SyncProgress], None]


def ignore_progress(_progress: SyncProgress) -> None:
    """Default callback for callers that do not show progress (CLI, tests)."""
