"""What a running Notebridge holds open: its paths, the workspace database, and things to close.

One object owns the lifetime of every long-lived resource so shutdown is a single `aclose()` that
runs in reverse order of opening (HTTP clients before the database they write into).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.paths import AppPaths
from app.store import Database

if TYPE_CHECKING:
    from app.store.salvage import SalvageReport

log = logging.getLogger(__name__)

Closer = Callable[[], Awaitable[None]]


@dataclass
class AppContext:
    paths: AppPaths
    db: Database
    # Set when the workspace file was damaged: it was kept aside and this is what was carried over
    # into the fresh workspace (the GUI says so; the next sync fetches the clients again).
    salvaged: SalvageReport | None = None
    _closers: list[tuple[str, Closer]] = field(default_factory=list)

    @classmethod
    async def open(cls, app_paths: AppPaths) -> AppContext:
        app_paths.ensure()
        from app.store.recovery import open_salvaging  # loads SQLAlchemy: only once this launch is the first

        db, salvaged = await open_salvaging(app_paths.database)
        try:
            db.claim_writer()  # the app pushes; the GUI took the lock before opening (single_instance)
        except BaseException:
            await db.close()
            raise
        log.info("workspace opened at %s (journal %s)", app_paths.database, db.journal_mode)
        return cls(paths=app_paths, db=db, salvaged=salvaged)

    def on_close(self, name: str, closer: Closer) -> None:
        """Register something to close at shutdown (HTTP clients, engines, the embedded demo org)."""
        self._closers.append((name, closer))

    async def aclose(self) -> None:
        for name, closer in reversed(self._closers):
            try:
                await closer()
            except Exception:
                log.exception("closing %s failed", name)
        self._closers.clear()
        await self.db.close()
