"""Open the workspace, and when its file is damaged, start a fresh one with everything that could be
salvaged from it (``salvage``) — the GUI's and ``notebridge doctor --repair``'s one path.

The damaged file itself is kept aside (``open_checks.move_aside``), never deleted: support can still
try harder on it.  ``inspect`` is the read-only look ``notebridge doctor`` takes: it reports damage
without moving anything, so only ``--repair`` (or the next launch) changes the data folder.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from app.store import open_checks, salvage
from app.store.db import Database
from app.store.errors import OpenProblem, WorkspaceOpenError
from app.store.salvage import SalvageReport

log = logging.getLogger(__name__)


async def open_salvaging(path: Path) -> tuple[Database, SalvageReport | None]:
    """The open workspace, and what was salvaged when the file was damaged (None when it was sound).
    Other open problems (read-only, full disk, locked) raise as ``Database.open`` does: moving a
    sound file aside would throw nothing away but would not help either."""
    try:
        return await Database.open(path), None
    except WorkspaceOpenError as exc:
        if exc.problem is not OpenProblem.DAMAGED or exc.kept_at is None:
            raise
        kept_at = exc.kept_at
        log.error("workspace damaged (%s); salvaging from %s into a fresh workspace", exc.what, kept_at)
    db = await Database.open(path)
    try:
        report = await db.run(lambda session: salvage.copy_into(session, kept_at))
    except BaseException:
        await db.close()
        raise
    return db, report


def inspect(path: Path) -> list[str]:
    """What ``PRAGMA quick_check`` finds in the file at ``path``, read-only (empty: sound or absent)."""
    if not path.exists():
        return []
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        return open_checks.quick_check(conn)
    except sqlite3.DatabaseError as exc:  # "file is not a database", "database disk image is malformed"
        return [str(exc)]
    finally:
        conn.close()
