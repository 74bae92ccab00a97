""""Forget this org": what would go (preview) and doing it, unsent drafts saved to a file first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.store.forget import ForgetSummary
from app.sync import forget as forget_mod
from app.sync.forget import ForgetResult

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

__all__ = ["ForgetResult", "ForgetSummary", "forget_org", "preview"]


async def preview(db: Database, connection_id: int) -> ForgetSummary:
    return await forget_mod.preview(db, connection_id)


async def forget_org(db: Database, connections: ConnectionManager, *,
                     exports_dir: Path | None = None) -> ForgetResult:
    """Forget the active org; raises ``OSError`` (nothing deleted) when the drafts cannot be saved."""
    return await forget_mod.forget(db, connections, exports_dir=exports_dir)
