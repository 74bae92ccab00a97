"""Upgrading a workspace safely: a copy before the migration, and which Notebridge last wrote it.

**The copy.** Before a start migrates an existing workspace to a newer schema, the whole file is
copied with SQLite's online backup API (https://www.sqlite.org/backup.html) to
``<workspace>.before-upgrade-<revision>`` beside it.  A plain file copy would be wrong while the
WAL is open: committed pages can still live only in ``-wal``, and a copy of the main file alone
misses them.  The backup reads through the same connection that holds the upgrade's write lock, so
what is copied is exactly what the migration starts from.  The copy is kept until the next
successful start (a start that opened the workspace without migrating it, or migrated it again),
then removed: by then the upgraded workspace has been used and closed cleanly at least once.

**Who wrote it.** The header's ``PRAGMA user_version`` (an integer SQLite keeps for applications,
unused by Alembic) records the newest Notebridge version that opened the file, so an older
Notebridge that meets a schema it does not know can name the version to install — and it can read
it whatever tables the newer version has (https://www.sqlite.org/pragma.html#pragma_user_version).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from pathlib import Path

from app import __version__

log = logging.getLogger(__name__)

BACKUP_MARK = ".before-upgrade-"
BACKUP_PAGES_PER_STEP = 1024  # copy in steps, so a large workspace does not hold one long step
_PRIVATE_FILE_MODE = 0o600
_VERSION = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})")


def encode_version(version: str) -> int:
    """``"1.4.2"`` → ``10402`` ... as ``major*10000 + minor*100 + patch`` (0 when unreadable).

    Parts above 99 are capped at 99: the number is only ever compared and shown, never parsed back
    into a version to install automatically."""
    match = _VERSION.match(version.strip())
    if match is None:
        return 0
    major, minor, patch = (min(int(part), 99) for part in match.groups())
    return major * 10_000 + minor * 100 + patch


def decode_version(number: int) -> str | None:
    """The version :func:`encode_version` stored, or None when nothing was stored."""
    if number <= 0:
        return None
    major, rest = divmod(number, 10_000)
    minor, patch = divmod(rest, 100)
    return f"{major}.{minor}.{patch}"


def written_by(conn: sqlite3.Connection) -> str | None:
    """The newest Notebridge version that opened this workspace (None for files older than this record)."""
    try:
        row = conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.Error:
        return None
    return decode_version(int(row[0])) if row else None


def record_version(conn: sqlite3.Connection) -> None:
    """Raise the recorded version to this Notebridge's (never lower it: an older one must not hide a newer)."""
    ours = encode_version(__version__)
    row = conn.execute("PRAGMA user_version").fetchone()
    if ours > int(row[0] if row else 0):
        conn.execute(f"PRAGMA user_version = {ours:d}")


def too_new_message(unknown: list[str], head: str, version: str | None) -> tuple[str, str]:
    """The refusal an older Notebridge gives a newer workspace: (what happened, what to do)."""
    made_by = f"version {version}" if version else f"workspace format {', '.join(unknown)}"
    what = (f"This workspace was made by a newer Notebridge ({made_by}). This is Notebridge {__version__}, "
            f"which knows workspace formats up to {head}, so it leaves the workspace as it is: nothing was "
            "changed and your drafts and outbox are safe in it.")
    install = f"Install Notebridge {version} or newer" if version else "Install the newer version of Notebridge"
    fix = (f"{install} to open it. To use this version meanwhile, start it with another data folder "
           "(--data-dir).")
    return what, fix


def backup_path(database: Path, revision: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", revision) or "empty"
    return database.with_name(f"{database.name}{BACKUP_MARK}{safe}")


def take_backup(conn: sqlite3.Connection, database: Path, revision: str) -> Path:
    """Copy the open workspace (through ``conn``) to its before-upgrade file; return where.

    The copy is created 0600 before SQLite opens it (it holds client data, like the workspace). A
    copy left by an earlier failed attempt from the same revision is replaced: it is the same data."""
    target = backup_path(database, revision)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, _PRIVATE_FILE_MODE)
    os.close(fd)
    try:
        copy = sqlite3.connect(partial)
        try:
            conn.backup(copy, pages=BACKUP_PAGES_PER_STEP)
        finally:
            copy.close()
        os.replace(partial, target)  # a crash mid-copy never leaves a half file under the real name
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    log.info("Workspace copied to %s before upgrading it from schema %s", target, revision)
    return target


def backups(database: Path) -> list[Path]:
    """Before-upgrade copies of ``database`` lying beside it."""
    prefix = f"{database.name}{BACKUP_MARK}"
    return sorted(p for p in database.parent.glob(f"{glob_escape(prefix)}*")
                  if not p.name.endswith(".partial"))


def remove_backups(database: Path, *, keep: Path | None = None) -> list[Path]:
    """After a successful start: remove the copies earlier upgrades left (except ``keep``, this start's)."""
    removed: list[Path] = []
    for path in backups(database):
        if keep is not None and path == keep:
            continue
        try:
            path.unlink()
        except OSError as exc:
            log.warning("Could not remove the before-upgrade copy %s: %s", path, exc.strerror)
            continue
        removed.append(path)
        log.info("Removed the before-upgrade copy %s (the upgraded workspace has started cleanly)", path)
    return removed


def glob_escape(text: str) -> str:
    """``text`` with glob's special characters taken literally (a data folder may contain ``[``)."""
    return re.sub(r"([*?\[])", r"[\1]", text)
