"""Secrets filed per workspace connection, not per org user; old org:user entries moved safely.

Two data folders on the same org as the same user, each with its own SQLite workspace and
ConnectionManager, the real (file) keyring backend tests/conftest.py configures, and the demo org.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from sqlmodel import Session

from app import secrets
from app.demo_org import DemoOrg
from app.store import Database
from app.store import settings as settings_rows
from app.sync import keyring_slot
from app.sync.connection import CONSUMER_SECRET, REFRESH_TOKEN, ConnectionManager, OrgConnection
from tests.integration.salesforce.sf_org import make_org, signed_in


@pytest.fixture
def org() -> Iterator[DemoOrg]:
    with make_org(contacts=10) as running:
        yield running


async def _workspace(org: DemoOrg, folder: Path) -> tuple[Database, ConnectionManager, OrgConnection]:
    folder.mkdir()
    db = await Database.open(folder / "workspace.db")
    manager = ConnectionManager(db, ca_file=org.ca_file)
    result = await signed_in(org)
    connection = await manager.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                                            consumer_secret=org.consumer_secret)
    return db, manager, connection


async def test_keyring_per_connection_disconnecting_one_workspace_keeps_the_other(
    org: DemoOrg, tmp_path: Path
) -> None:
    db_a, manager_a, a = await _workspace(org, tmp_path / "a")
    db_b, manager_b, b = await _workspace(org, tmp_path / "b")
    assert (a.org_id, a.user_id) == (b.org_id, b.user_id)  # the same org user in both folders
    assert a.secret_key != b.secret_key
    assert org.username not in a.secret_key and a.org_id not in a.secret_key

    await manager_a.disconnect()
    assert await secrets.aload_secret(a.secret_key, REFRESH_TOKEN) is None
    assert await secrets.aload_secret(b.secret_key, REFRESH_TOKEN) is not None

    # B, started afresh, is still signed in and can talk to Salesforce.
    await manager_b.aclose()
    again_b = ConnectionManager(db_b, ca_file=org.ca_file)
    reloaded = await again_b.load_active()
    assert reloaded is not None and reloaded.secret_key == b.secret_key
    assert again_b.status.state == "connected"
    assert (await again_b.test_connection()).state == "connected"

    # A says what really happened to A.
    again_a = ConnectionManager(db_a, ca_file=org.ca_file)
    await again_a.load_active()
    assert again_a.status.state == "not_connected" and "You disconnected" in again_a.status.reason
    for manager in (again_a, again_b, manager_a):
        await manager.aclose()
    await db_a.close()
    await db_b.close()


async def test_keyring_per_connection_missing_sign_in_is_not_called_a_disconnect(
    org: DemoOrg, tmp_path: Path
) -> None:
    db, manager, connection = await _workspace(org, tmp_path / "a")
    await manager.aclose()
    await secrets.adelete_secret(connection.secret_key, REFRESH_TOKEN)  # e.g. the keyring was reset
    again = ConnectionManager(db, ca_file=org.ca_file)
    await again.load_active()
    assert again.status.state == "needs_attention"
    assert "disconnected" not in again.status.reason.lower()
    await again.aclose()
    await db.close()


async def _file_the_old_way(db: Database, connection: OrgConnection) -> tuple[str, str]:
    """Put this connection back as an older Notebridge left it: secrets under org:user, no slot."""
    old_key = keyring_slot.legacy_key(connection.org_id, connection.user_id)
    values = []
    for kind in (REFRESH_TOKEN, CONSUMER_SECRET):
        value = await secrets.aload_secret(connection.secret_key, kind)
        assert value is not None
        await secrets.astore_secret(old_key, kind, value)
        await secrets.adelete_secret(connection.secret_key, kind)
        values.append(value)

    def forget_slot(session: Session) -> None:
        for key in (keyring_slot.SLOT_SETTING, keyring_slot.MOVED_SETTING):
            settings_rows.delete(session, connection.connection_id, key)

    await db.run(forget_slot)
    return values[0], values[1]


async def test_keyring_per_connection_migrates_old_entries(org: DemoOrg, tmp_path: Path) -> None:
    db, manager, connection = await _file_the_old_way_workspace(org, tmp_path)
    refresh_token, consumer_secret = await _file_the_old_way(db, connection)
    old_key = keyring_slot.legacy_key(connection.org_id, connection.user_id)

    again = ConnectionManager(db, ca_file=org.ca_file)
    active = await again.load_active()
    assert active is not None and active.keyring_slot
    assert again.status.state == "connected"
    assert await secrets.aload_secret(active.secret_key, REFRESH_TOKEN) == refresh_token
    assert await secrets.aload_secret(active.secret_key, CONSUMER_SECRET) == consumer_secret
    assert await secrets.aload_secret(old_key, REFRESH_TOKEN) is None
    assert await secrets.aload_secret(old_key, CONSUMER_SECRET) is None
    assert (await again.test_connection()).state == "connected"

    # Moved once: a later disconnect does not pick up somebody else's old entry.
    await secrets.astore_secret(old_key, REFRESH_TOKEN, "5Aep-someone-elses-old-entry")
    await again.disconnect()
    third = ConnectionManager(db, ca_file=org.ca_file)
    await third.load_active()
    assert third.status.state == "not_connected"
    assert await secrets.aload_secret(old_key, REFRESH_TOKEN) == "5Aep-someone-elses-old-entry"
    for m in (manager, again, third):
        await m.aclose()
    await db.close()


async def _file_the_old_way_workspace(org: DemoOrg, tmp_path: Path) -> tuple[Database, ConnectionManager,
                                                                               OrgConnection]:
    db, manager, connection = await _workspace(org, tmp_path / "old")
    await manager.aclose()
    return db, manager, connection


class _RefusesWrites(PlaintextKeyring):
    """The test run's file keyring, but locked for writing (reads still work)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("locked")


async def test_keyring_per_connection_migration_keeps_old_entry_when_the_write_fails(
    org: DemoOrg, tmp_path: Path
) -> None:
    db, _manager, connection = await _file_the_old_way_workspace(org, tmp_path)
    refresh_token, _ = await _file_the_old_way(db, connection)
    old_key = keyring_slot.legacy_key(connection.org_id, connection.user_id)
    previous = keyring.get_keyring()
    keyring.set_keyring(_RefusesWrites())
    try:
        locked = ConnectionManager(db, ca_file=org.ca_file)
        await locked.load_active()
        assert await secrets.aload_secret(old_key, REFRESH_TOKEN) == refresh_token  # nothing lost
        await locked.aclose()
    finally:
        keyring.set_keyring(previous)
    # Unlocked again: the move is tried again and succeeds.
    again = ConnectionManager(db, ca_file=org.ca_file)
    active = await again.load_active()
    assert active is not None and again.status.state == "connected"
    assert await secrets.aload_secret(active.secret_key, REFRESH_TOKEN) == refresh_token
    assert await secrets.aload_secret(old_key, REFRESH_TOKEN) is None
    await again.aclose()
    await db.close()


async def test_keyring_per_connection_a_new_sign_in_never_takes_another_folders_old_entry(
    org: DemoOrg, tmp_path: Path
) -> None:
    db_a, _manager_a, a = await _file_the_old_way_workspace(org, tmp_path)
    refresh_a, _ = await _file_the_old_way(db_a, a)  # folder A: an older Notebridge, not opened since
    old_key = keyring_slot.legacy_key(a.org_id, a.user_id)

    db_b, manager_b, b = await _workspace(org, tmp_path / "b")  # folder B: a fresh sign-in, same org user
    assert await secrets.aload_secret(old_key, REFRESH_TOKEN) == refresh_a  # A's sign-in is still there
    assert await secrets.aload_secret(b.secret_key, REFRESH_TOKEN) != refresh_a

    again_a = ConnectionManager(db_a, ca_file=org.ca_file)
    active = await again_a.load_active()
    assert active is not None and again_a.status.state == "connected"
    assert await secrets.aload_secret(active.secret_key, REFRESH_TOKEN) == refresh_a
    for manager in (again_a, manager_b):
        await manager.aclose()
    await db_a.close()
    await db_b.close()
