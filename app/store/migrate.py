"""Alembic, configured in code, run at every open.

There is no ``alembic.ini`` at run time: the script folder is found next to this file
(``Path(__file__).parent``), which is also where the frozen bundle keeps it (``build.spec`` must
collect ``app/store/migrations`` — ``env.py``, ``script.py.mako`` and ``versions/*.py`` — as data).

The whole upgrade, including the version check, runs in one ``BEGIN IMMEDIATE`` transaction with
foreign keys off: SQLite's ALTER is a table rebuild (Alembic batch mode), and dropping the old
table with foreign keys on would cascade-delete child rows.  ``PRAGMA foreign_key_check`` runs
before the commit so a migration that breaks a reference is rolled back instead of kept.  See
https://www.sqlite.org/lang_altertable.html#otheralter (the 12-step procedure).

Inside that same transaction, before anything changes, an existing workspace is copied aside with
SQLite's backup API (``app.store.upgrade``), and a schema this version does not know is refused with
the version that made it — never "downgraded".
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Imported for their side effect of existing in the bundle: migration scripts import them, but
# they are loaded from files PyInstaller's analysis never sees.
import alembic.context
import alembic.op  # noqa: F401
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from app.store import upgrade
from app.store.errors import SchemaTooNewError, StoreError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# FTS5 virtual tables (and their shadow tables): created by raw SQL in migrations, not in the models.
FTS_TABLES = ("contact_fts", "contact_phone_fts", "history_fts")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Keep autogenerate (and our schema test) away from the FTS tables."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLES))


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    # ConfigParser interpolates "%": a data folder path may contain one.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StoreError(f"No database migrations found in {MIGRATIONS_DIR}; the installation is incomplete.")
    return head


@dataclass(frozen=True)
class Upgraded:
    """Where an open left the schema, and the copy taken first when it migrated an existing workspace."""

    revision: str
    migrated_from: tuple[str, ...] | None = None  # None: nothing to migrate; () a new workspace
    backup: Path | None = None


def upgrade_to_head(engine: Engine) -> str:
    """Bring the database to the newest schema; return the revision it is at."""
    return upgrade_workspace(engine).revision


def upgrade_workspace(engine: Engine, database: Path | None = None) -> Upgraded:
    """Bring the database to the newest schema, copying an existing workspace at ``database`` first.

    Raises ``SchemaTooNewError`` (nothing changed) for a workspace made by a newer Notebridge."""
    script = ScriptDirectory.from_config(alembic_config())
    head = head_revision()
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            # The copy is taken first, outside the write transaction: SQLite's backup cannot read from a
            # connection that holds one (sqlite3_backup_step answers SQLITE_BUSY for ever).
            seen = _revisions(raw)
            backup = None
            if seen and seen != (head,) and database is not None and all(_known(script, r) for r in seen):
                backup = upgrade.take_backup(raw, database, "_".join(seen))
            with conn.begin():
                current = MigrationContext.configure(conn).get_current_heads()
                unknown = [rev for rev in current if not _known(script, rev)]
                if unknown:
                    raise SchemaTooNewError(*upgrade.too_new_message(unknown, head, upgrade.written_by(raw)))
                upgrade.record_version(raw)
                if current == (head,):
                    return Upgraded(head, backup=backup)
                log.info("Migrating workspace schema %s -> %s", ", ".join(current) or "empty", head)
                command.upgrade(alembic_config(conn), "head")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(
                        f"A schema migration left {len(broken)} broken references; nothing was changed."
                    )
                return Upgraded(head, tuple(current), backup)
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def _revisions(raw: sqlite3.Connection) -> tuple[str, ...]:
    """The revisions the file is at, read outside any transaction (() for a new workspace)."""
    try:
        return tuple(str(row[0]) for row in raw.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.OperationalError:  # no such table: a new, empty workspace
        return ()


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id
        return False
