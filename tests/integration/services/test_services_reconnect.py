"""The reconnect use case against the demo org's real OAuth: the browser step only, the same row and
preferences."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from app import secrets
from app.demo_org import DemoOrg
from app.services.events import Events, SignedIn
from app.services.sign_in import NotThisConnection, reconnect
from app.store import Database
from app.store import connections as connection_rows
from app.sync.connection import CONSUMER_SECRET, REFRESH_TOKEN, ConnectionManager
from tests.integration.salesforce.sf_org import browser_for, make_org, signed_in


@pytest.fixture
def org() -> Iterator[DemoOrg]:
    with make_org(contacts=5, require_secret=True) as running:
        yield running


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "ws.db")
    try:
        yield database
    finally:
        await database.close()


async def _connected(org: DemoOrg, db: Database) -> ConnectionManager:
    manager = ConnectionManager(db)
    result = await signed_in(org, consumer_secret=org.consumer_secret)
    await manager.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                               consumer_secret=org.consumer_secret, org_name="Morgan Wealth")
    await manager.update_preferences(include_leads=True, note_type="Note")
    return manager


async def test_reconnect_use_case_signs_in_again_with_the_saved_key_secret_and_preferences(
    org: DemoOrg, db: Database
) -> None:
    manager = await _connected(org, db)
    before = manager.active
    assert before is not None
    org.revoke_refresh_tokens()
    org.expire_access_tokens()
    assert (await manager.test_connection()).state == "needs_attention"

    events = Events()
    heard: list[SignedIn] = []
    events.subscribe(SignedIn, heard.append)
    # A new process: nothing in memory; the app's secret (the org requires it) comes from the keyring.
    await manager.aclose()
    again = ConnectionManager(db)
    await again.load_active()
    connection = await reconnect(db, again, browser_for(org), callback_urls=tuple(org.callback_urls),
                                 events=events)
    assert connection.connection_id == before.connection_id and connection.secret_key == before.secret_key
    assert again.status.state == "connected"
    assert (await again.test_connection()).state == "connected"
    rows = await db.run(lambda s: s.exec(connection_rows.select(connection_rows.Connection)).all())
    assert len(rows) == 1 and rows[0].include_leads and rows[0].note_type == "Note"
    assert await secrets.aload_secret(connection.secret_key, CONSUMER_SECRET) == org.consumer_secret
    assert [e.connection.connection_id for e in heard] == [before.connection_id]
    await again.aclose()


async def test_reconnect_use_case_as_someone_else_saves_nothing(org: DemoOrg, db: Database) -> None:
    """The workspace belongs to another user of the org (here: its row says so); the browser signs in as
    the demo org's one user. Nothing is saved: no second connection, no new secret, still signed out."""
    manager = await _connected(org, db)
    before = manager.active
    assert before is not None
    other_user = "005Hs00000099999AA"

    def belongs_to_someone_else(session: Any) -> None:
        row = connection_rows.get(session, before.connection_id)
        assert row is not None
        row.user_id, row.username = other_user, "someone.else@example.com"
        session.add(row)

    await db.run(belongs_to_someone_else)
    await manager.aclose()
    org.revoke_refresh_tokens()
    again = ConnectionManager(db)
    await again.load_active()
    token_before = await secrets.aload_secret(before.secret_key, REFRESH_TOKEN)
    status_before = again.status
    with pytest.raises(NotThisConnection) as caught:
        await reconnect(db, again, browser_for(org), callback_urls=tuple(org.callback_urls))
    assert "someone.else@example.com" in caught.value.what_to_do
    assert org.username in caught.value.why
    rows = await db.run(lambda s: s.exec(connection_rows.select(connection_rows.Connection)).all())
    assert [(r.id, r.user_id) for r in rows] == [(before.connection_id, other_user)]
    assert await secrets.aload_secret(before.secret_key, REFRESH_TOKEN) == token_before
    assert again.status == status_before
    await again.aclose()
