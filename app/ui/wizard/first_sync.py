"""The real first sync behind page 7 (the use case :mod:`app.services.first_sync`).

Kept apart from the page so the page stays testable with any ``first_sync(on_progress, cancel)``;
this is the one the app uses.
"""

from __future__ import annotations

from app.services.first_sync import pull_first_sync

__all__ = ["pull_first_sync"]
