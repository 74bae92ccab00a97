"""Settings per connection and app-wide, and the schema promises: no secrets anywhere, every
org-owned table keyed by its connection."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel

from app.store import Database, settings
from app.store.models import Connection
from tests.unit.store.store_helpers import add_connection

SECRET_WORDS = re.compile(
    r"token|secret|password|passwd|refresh|access|credential|auth|session", re.IGNORECASE
)
REAL_LOOKING_TOKEN = "00D5g000004ABCDE!AQ4AQFp9dVvTqQz1nG8mXoK3cLp.r7sWfzq2YjH0bUeN_x-Kv"


# ------------------------------------------------------------------------------------- settings
async def test_values_round_trip_per_connection_and_globally(db: Database, cid: int) -> None:
    other = await add_connection(db, org="00D000000000002")
    value = {"interval": 15, "objects": ["Contact", "Lead"], "auto": True, "ratio": 0.5, "none": None}
    await db.run(lambda s: settings.put(s, cid, "sync.prefs", value))
    await db.run(lambda s: settings.put(s, None, "sync.prefs", "global"))
    await db.run(lambda s: settings.put(s, other, "sync.prefs", [1, 2]))

    assert await db.run(lambda s: settings.get(s, cid, "sync.prefs")) == value
    assert await db.run(lambda s: settings.get(s, None, "sync.prefs")) == "global"
    assert await db.run(lambda s: settings.get(s, other, "sync.prefs")) == [1, 2]
    assert await db.run(lambda s: settings.get(s, cid, "missing", 42)) == 42


async def test_put_replaces_and_delete_removes(db: Database, cid: int) -> None:
    for scope in (cid, None):
        await db.run(lambda s, scope=scope: settings.put(s, scope, "push.idle_seconds", 30))
        await db.run(lambda s, scope=scope: settings.put(s, scope, "push.idle_seconds", 60))
        assert await db.run(lambda s, scope=scope: settings.get_all(s, scope)) == {"push.idle_seconds": 60}
        assert await db.run(lambda s, scope=scope: settings.delete(s, scope, "push.idle_seconds")) is True
        assert await db.run(lambda s, scope=scope: settings.delete(s, scope, "push.idle_seconds")) is False
        assert await db.run(lambda s, scope=scope: settings.get_all(s, scope)) == {}


async def test_one_value_per_key_is_enforced_by_the_database_in_both_scopes(db: Database, cid: int) -> None:
    from sqlalchemy.exc import IntegrityError

    from app.store.models import Setting

    for scope in (cid, None):
        def twice(session: Session, scope: int | None = scope) -> None:
            session.add(Setting(connection_id=scope, key="dup", value=1))
            session.add(Setting(connection_id=scope, key="dup", value=2))
            session.flush()

        with pytest.raises(IntegrityError):
            await db.run(twice)


@pytest.mark.parametrize(
    "key", ["refresh_token", "consumerSecret", "password", "Authorization", "", " ", "k" * 201]
)
async def test_secret_looking_or_bad_keys_are_refused(db: Database, cid: int, key: str) -> None:
    with pytest.raises(ValueError, match=r"secret|non-empty"):
        await db.run(lambda s: settings.put(s, cid, key, "x"))


@pytest.mark.parametrize("value", [REAL_LOOKING_TOKEN, {"nested": ["ok", f"Bearer {REAL_LOOKING_TOKEN}"]}])
async def test_token_shaped_values_are_refused(db: Database, cid: int, value: object) -> None:
    with pytest.raises(ValueError, match="access token"):
        await db.run(lambda s: settings.put(s, cid, "harmless.name", value))
    assert await db.run(lambda s: settings.get_all(s, cid)) == {}


@pytest.mark.parametrize("value", [object(), {1, 2}, float("nan"), b"bytes"])
async def test_values_must_be_plain_json(db: Database, cid: int, value: object) -> None:
    with pytest.raises(ValueError, match="plain JSON"):
        await db.run(lambda s: settings.put(s, cid, "x", value))


async def test_a_connections_settings_go_with_it(db: Database, cid: int) -> None:
    await db.run(lambda s: settings.put(s, cid, "a", 1))
    await db.run(lambda s: settings.put(s, None, "a", 2))
    await db.run(lambda s: s.delete(s.get(Connection, cid)))
    assert await db.run(lambda s: settings.get_all(s, cid)) == {}
    assert await db.run(lambda s: settings.get(s, None, "a")) == 2


# --------------------------------------------------------------------------------------- schema
async def test_no_column_anywhere_can_hold_a_secret(tmp_path: Path) -> None:
    """Checked on the migrated file itself (what is on disk), not just on the models."""
    path = tmp_path / "ws.db"
    db = await Database.open(path)
    await db.close()
    raw = sqlite3.connect(path)
    tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    columns = {(t, c[1]) for t in tables for c in raw.execute(f'PRAGMA table_info("{t}")')}
    raw.close()
    assert ("connection", "consumer_key") in columns  # the public client id — not a secret
    suspicious = sorted((t, c) for t, c in columns if SECRET_WORDS.search(c))
    assert suspicious == []


def test_the_connection_row_holds_identity_and_preferences_only() -> None:
    assert set(Connection.model_fields) == {
        "id", "org_id", "user_id", "username", "display_name", "org_name", "instance_url", "login_url",
        "api_version", "consumer_key", "note_type", "client_object", "include_leads", "status",
        "created_at", "updated_at",
    }


def test_every_org_owned_table_is_keyed_by_its_connection() -> None:
    for name, table in SQLModel.metadata.tables.items():
        if name == "connection":
            continue
        assert "connection_id" in table.columns, name
        fks = {fk.target_fullname for fk in table.columns["connection_id"].foreign_keys}
        assert fks == {"connection.id"}, name
