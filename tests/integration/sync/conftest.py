"""Shared set-up for the pull tests: a demo org over real HTTP, a real workspace file, a real client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.salesforce.auth import TokenRefresher
from app.salesforce.client import SalesforceClient
from app.store import Database
from app.store.models import Connection
from app.sync.connection import ConnectionManager
from app.sync.pull.engine import PullEngine
from app.sync.pull.types import PullPreferences
from tests.integration.salesforce.sf_org import make_org, signed_in


def client_for(org: DemoOrg, **options: object) -> tuple[SalesforceClient, TokenRefresher]:
    """A signed-in client (tokens minted by the org, refreshed through its real token endpoint)."""
    tokens = org.mint_tokens()
    refresher = TokenRefresher(org.login_url, org.info()["consumer_key"], tokens["refresh_token"],
                               ca_file=org.ca_file)
    options.setdefault("retry_backoff", 0.01)
    options.setdefault("retry_backoff_max", 0.05)
    client = SalesforceClient(tokens["instance_url"], tokens["access_token"], refresh=refresher,
                              ca_file=org.ca_file, **options)  # type: ignore[arg-type]
    return client, refresher


async def add_connection(db: Database, org: DemoOrg, **fields: object) -> int:
    info = org.info()

    def add(session: object) -> int:
        row = Connection(org_id="00D000000000001AAA", user_id="005000000000001AAA", username=info["username"],
                         instance_url=org.base_url, login_url=org.login_url, api_version="62.0",
                         consumer_key=info["consumer_key"], **fields)  # type: ignore[arg-type]
        session.add(row)  # type: ignore[attr-defined]
        session.flush()  # type: ignore[attr-defined]
        assert row.id is not None
        return row.id

    return await db.run(add)


@pytest.fixture
def org() -> Iterator[DemoOrg]:
    with DemoOrg(contacts=300, seed=1) as running:
        yield running


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "workspace.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def connection_id(db: Database, org: DemoOrg) -> int:
    return await add_connection(db, org)


@pytest.fixture
async def client(org: DemoOrg) -> AsyncIterator[SalesforceClient]:
    sf, _refresher = client_for(org)
    async with sf:
        yield sf


def engine(client: SalesforceClient, db: Database, connection_id: int, **prefs: object) -> PullEngine:
    return PullEngine(client, db, connection_id, PullPreferences(**prefs))  # type: ignore[arg-type]


@asynccontextmanager
async def signed_in_workspace(path: Path, **org_options: Any) -> AsyncIterator[tuple[DemoOrg, Database,
                                                                                    ConnectionManager]]:
    """A demo org, a workspace at ``path`` and a ConnectionManager signed in to the org (as the wizard
    leaves them), closed in reverse order when the block ends."""
    with make_org(**org_options) as org:
        db = await Database.open(path)
        manager = ConnectionManager(db)
        result = await signed_in(org)
        await manager.save_sign_in(result, login_url=result.login_url, consumer_key=org.consumer_key,
                                   consumer_secret=None)
        try:
            yield org, db, manager
        finally:
            await manager.aclose()
            await db.close()
