"""ConnectionManager against the demo org: secrets only in the keyring, refresh, attention, disconnect."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import secrets
from app.demo_org import DemoOrg
from app.store import Database
from app.sync.connection import REFRESH_TOKEN, ConnectionManager, NeedsAttention
from tests.integration.salesforce.sf_org import make_org, signed_in


@pytest.fixture
def org() -> Iterator[DemoOrg]:
    with make_org(contacts=20) as running:
        yield running


async def test_sign_in_is_saved_without_secrets_in_sqlite(org: DemoOrg, tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "ws.sqlite3")
    manager = ConnectionManager(db)
    result = await signed_in(org)
    connection = await manager.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                                            consumer_secret=org.consumer_secret)
    assert manager.status.state == "connected"
    assert connection.org_id == result.org_id and connection.username == org.username
    assert await secrets.aload_secret(connection.secret_key, REFRESH_TOKEN) == result.refresh_token
    await manager.aclose()
    await db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("ws.sqlite3"))
    assert result.refresh_token and result.refresh_token.encode() not in raw
    assert result.access_token.encode() not in raw
    assert org.consumer_secret.encode() not in raw


async def test_restart_refreshes_then_revocation_needs_attention_and_disconnect_keeps_data(
    org: DemoOrg, tmp_path: Path
) -> None:
    db = await Database.open(tmp_path / "ws.sqlite3")
    first = ConnectionManager(db)
    result = await signed_in(org)
    saved = await first.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                                     consumer_secret=None)
    await first.aclose()

    # A new process: nothing in memory, the refresh token comes from the keyring.
    manager = ConnectionManager(db)
    seen: list[str] = []
    manager.add_listener(lambda status: seen.append(status.state))
    active = await manager.load_active()
    assert active is not None and active.connection_id == saved.connection_id
    status = await manager.test_connection()
    assert status.state == "connected" and not status.offline
    client = await manager.client()
    assert client.api_usage is not None

    org.revoke_refresh_tokens()
    org.expire_access_tokens()
    status = await manager.test_connection()
    assert status.state == "needs_attention"
    assert "sign in" in (status.reason + status.fix).lower()
    assert seen[-1] == "needs_attention"
    await manager.aclose()
    with pytest.raises(NeedsAttention):
        await manager.client()

    await manager.disconnect()
    assert manager.status.state == "not_connected"
    assert "kept" in manager.status.reason
    assert await secrets.aload_secret(saved.secret_key, REFRESH_TOKEN) is None
    again = ConnectionManager(db)
    reloaded = await again.load_active()
    assert reloaded is not None  # the workspace stays, only the sign-in is gone
    assert again.status.state == "not_connected"
    await again.aclose()
    await db.close()
