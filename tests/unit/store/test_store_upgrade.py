"""Upgrading a workspace: the copy taken first (with the backup API, WAL included), when it goes away,
and the refusal an older Notebridge gives a workspace made by a newer one."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import __version__
from app.store import Database, SchemaTooNewError, upgrade
from app.store.migrate import head_revision
from tests.support.old_workspace import OLDEST_REVISION, migrate_to


def _old_workspace_with_rows_only_in_the_wal(path: Path) -> sqlite3.Connection:
    """An old-schema file whose newest rows are still only in ``-wal``; the returned reader keeps it open."""
    migrate_to(path, OLDEST_REVISION)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    reader = sqlite3.connect(path, isolation_level=None)  # keeps the WAL from being folded in on close
    reader.execute("SELECT count(*) FROM setting").fetchone()
    writer.execute("INSERT INTO setting (connection_id, key, value, updated_at) "
                   "VALUES (NULL, 'only.in.wal', '1', '2026-01-01 00:00:00')")
    writer.close()
    return reader


async def test_upgrade_copies_the_workspace_first_including_what_is_only_in_the_wal(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    reader = _old_workspace_with_rows_only_in_the_wal(path)
    try:
        plain_copy = tmp_path / "plain-copy.db"  # what copying the file alone would keep
        shutil.copyfile(path, plain_copy)
        main_file_only = sqlite3.connect(plain_copy)
        assert main_file_only.execute("SELECT count(*) FROM setting").fetchone() == (0,)
        main_file_only.close()

        db = await Database.open(path)
        try:
            backup = db.upgrade_backup
            assert backup == upgrade.backup_path(path, OLDEST_REVISION) and backup.is_file()
        finally:
            await db.close()
    finally:
        reader.close()

    copy = sqlite3.connect(backup)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(OLDEST_REVISION,)]
        assert copy.execute("SELECT key FROM setting").fetchall() == [("only.in.wal",)]
    finally:
        copy.close()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


async def test_upgrade_copy_is_kept_until_the_next_successful_start(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    migrate_to(path, OLDEST_REVISION)
    db = await Database.open(path)
    backup = db.upgrade_backup
    await db.close()
    assert backup is not None and backup.is_file()

    db = await Database.open(path)  # nothing to migrate: a successful start
    await db.close()
    assert db.upgrade_backup is None
    assert not backup.exists() and upgrade.backups(path) == []


async def test_upgrade_copy_stays_when_the_upgrade_fails(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    migrate_to(path, OLDEST_REVISION)
    raw = sqlite3.connect(path)
    # A row the next revision cannot take: a dangling reference, so the foreign-key check refuses it.
    raw.execute("INSERT INTO note (uid, connection_id, title, body_markdown, tags, state, created_at, updated_at) "
                "VALUES ('u1', 999, 't', '', '[]', 'draft', '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
    raw.commit()
    raw.close()

    with pytest.raises(Exception, match="broken references"):
        await Database.open(path)

    assert upgrade.backups(path) == [upgrade.backup_path(path, OLDEST_REVISION)]
    raw = sqlite3.connect(path)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [(OLDEST_REVISION,)]
    raw.close()


async def test_a_new_workspace_needs_no_upgrade_copy(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    await db.close()
    assert db.upgrade_backup is None and upgrade.backups(path) == []


async def test_upgrade_refusal_names_the_newer_version_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    await db.close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE alembic_version SET version_num = '0042_from_the_future'")
    raw.execute(f"PRAGMA user_version = {upgrade.encode_version('7.3.1')}")
    raw.commit()
    raw.close()
    before = path.read_bytes()

    with pytest.raises(SchemaTooNewError) as caught:
        await Database.open(path)

    error = caught.value
    assert error.what.startswith("This workspace was made by a newer Notebridge (version 7.3.1).")
    assert f"This is Notebridge {__version__}" in error.what and head_revision() in error.what
    assert error.fix.startswith("Install Notebridge 7.3.1 or newer")
    assert path.read_bytes() == before  # not migrated, not "downgraded", not even re-stamped
    assert upgrade.backups(path) == []


async def test_upgrade_refusal_without_a_recorded_version_names_the_format(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    await db.close()
    raw = sqlite3.connect(path)
    raw.execute("UPDATE alembic_version SET version_num = '0042_from_the_future'")
    raw.execute("PRAGMA user_version = 0")
    raw.commit()
    raw.close()

    refused = r"newer Notebridge \(workspace format 0042_from_the_future\)"
    with pytest.raises(SchemaTooNewError, match=refused) as caught:
        await Database.open(path)
    assert caught.value.fix.startswith("Install the newer version of Notebridge")


async def test_upgrade_records_this_version_and_never_lowers_a_newer_one(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    await db.close()
    raw = sqlite3.connect(path)
    assert upgrade.written_by(raw) == upgrade.decode_version(upgrade.encode_version(__version__))
    raw.execute(f"PRAGMA user_version = {upgrade.encode_version('99.1.0')}")  # same schema, newer app
    raw.commit()
    raw.close()

    db = await Database.open(path)
    await db.close()
    raw = sqlite3.connect(path)
    assert upgrade.written_by(raw) == "99.1.0"
    raw.close()


@given(st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)))
def test_upgrade_version_numbers_round_trip(parts: tuple[int, int, int]) -> None:
    version = ".".join(map(str, parts))
    encoded = upgrade.encode_version(version)
    assert upgrade.decode_version(encoded) == (version if encoded else None)


@given(st.text(max_size=20))
def test_upgrade_version_encoding_never_fails_on_odd_text(text: str) -> None:
    assert 0 <= upgrade.encode_version(text) <= 999_999
