"""Fixtures for the Salesforce client tests: a fresh demo org and a signed-in client per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from app.demo_org import DemoOrg
from app.salesforce.auth import TokenRefresher
from app.salesforce.client import SalesforceClient
from tests.integration.salesforce.sf_org import client_for, make_org, signed_in


@pytest.fixture
def org() -> Iterator[DemoOrg]:
    with make_org() as running:
        yield running


@pytest.fixture
async def session(org: DemoOrg) -> AsyncIterator[tuple[SalesforceClient, TokenRefresher]]:
    result = await signed_in(org)
    client, refresher = client_for(org, result)
    async with client:
        yield client, refresher


@pytest.fixture
def client(session: tuple[SalesforceClient, TokenRefresher]) -> SalesforceClient:
    return session[0]
