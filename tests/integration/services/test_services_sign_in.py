"""The one sign-in use case the wizard and ``notebridge connect`` share, against the demo org's real OAuth."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app import secrets
from app.demo_org import DemoOrg
from app.salesforce.oauth_errors import OAuthError
from app.services.events import Events, SignedIn
from app.services.sign_in import SignInNotKept, SignInRequest, sign_in
from app.store import Database
from app.store import connections as connection_rows
from app.sync.connection import ConnectionManager
from tests.integration.salesforce.sf_org import browser_for, make_org


@pytest.fixture
def org() -> Iterator[DemoOrg]:
    with make_org(contacts=5) as running:
        yield running


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "ws.db")
    try:
        yield database
    finally:
        await database.close()


def _request(org: DemoOrg, **changes: object) -> SignInRequest:
    values: dict[str, object] = {
        "login_url": org.login_url, "consumer_key": f"  {org.consumer_key} ", "consumer_secret": None,
        "callback_urls": tuple(org.callback_urls), "timeout": 30.0, "ca_file": org.ca_file,
    }
    values.update(changes)
    return SignInRequest(**values)  # type: ignore[arg-type]


async def test_services_sign_in_saves_the_connection_and_announces_it(org: DemoOrg, db: Database) -> None:
    manager = ConnectionManager(db, ca_file=org.ca_file)
    events = Events()
    heard: list[SignedIn] = []
    events.subscribe(SignedIn, heard.append)
    try:
        connection = await sign_in(db, manager, _request(org), browser_for(org), must_keep=True, events=events)
        assert heard == [SignedIn(connection)]
        assert manager.active == connection and not manager.session_only
        assert connection.consumer_key == org.consumer_key  # what the token was issued to, without spaces
        assert connection.org_name  # read from the org (one query) for "Signed in to …"
        row = await db.run(connection_rows.get_active)
        assert row is not None and row.org_id == org.org_id
        assert await secrets.aload_secret(connection.secret_key, "refresh_token")
    finally:
        await manager.aclose()


async def test_services_sign_in_refused_in_the_browser_saves_nothing(org: DemoOrg, db: Database) -> None:
    manager = ConnectionManager(db, ca_file=org.ca_file)
    events = Events()
    heard: list[SignedIn] = []
    events.subscribe(SignedIn, heard.append)
    try:
        with pytest.raises(OAuthError):
            await sign_in(db, manager, _request(org), browser_for(org, approve=False), events=events)
        assert heard == [] and manager.active is None
        assert await db.run(connection_rows.get_active) is None
    finally:
        await manager.aclose()


async def test_services_sign_in_that_must_be_kept_is_undone_without_a_keyring(org: DemoOrg, db: Database) -> None:
    manager = ConnectionManager(db, ca_file=org.ca_file)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(SignInNotKept) as caught:
            await sign_in(db, manager, _request(org), browser_for(org), must_keep=True)
        assert "keyring" in caught.value.why and caught.value.what_to_do
        assert not manager.session_only and manager.status.state == "not_connected"  # undone, token revoked
        row = await db.run(connection_rows.get_active)
        assert row is not None and row.status == "disconnected"

        kept_for_now = await sign_in(db, manager, _request(org), browser_for(org))  # the wizard's way
        assert manager.session_only and manager.active == kept_for_now
    finally:
        keyring.set_keyring(previous)
        await manager.aclose()
