"""The client against the demo org for what real orgs do and the docs spell out (issue 20): the
concurrent-request limit is not the daily allowance, a session the app's policy keeps from the REST API
is not refreshed, and the usage header's per-app figure is read."""

from __future__ import annotations

import pytest

from app.demo_org import DemoOrg
from app.salesforce.auth import TokenRefresher
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    ConcurrentLimitExceeded,
    RequestLimitExceeded,
    RestSessionRefused,
    SessionExpired,
)

Session = tuple[SalesforceClient, TokenRefresher]


@pytest.mark.parametrize("kind", ["long_txn", "requests"])
async def test_concurrent_limit_is_retried_briefly_and_then_answers(session: Session, org: DemoOrg, kind: str) -> None:
    client, _refresher = session
    org.concurrent_limit_next(2, kind)

    rows = await client.query_list("SELECT Id FROM Contact LIMIT 3")

    assert len(rows) == 3 and client.retry_count == 2
    assert org.faults.pending_overrides["concurrent"] == 0


async def test_concurrent_limit_retries_a_create_once_without_a_duplicate(session: Session, org: DemoOrg) -> None:
    client, _refresher = session
    org.concurrent_limit_next(1)

    await client.create("Task", {"Subject": "concurrent_limit create"})

    assert len([t for t in org.records("Task") if t["Subject"] == "concurrent_limit create"]) == 1
    assert client.retry_count == 1


async def test_concurrent_limit_that_persists_is_busy_not_the_daily_allowance(session: Session, org: DemoOrg) -> None:
    client, _refresher = session
    org.concurrent_limit_next(50, "requests")

    with pytest.raises(ConcurrentLimitExceeded) as raised:
        await client.query_list("SELECT Id FROM Contact LIMIT 1")

    assert not isinstance(raised.value, RequestLimitExceeded)
    assert raised.value.error_code == "CONCURRENT_REQUEST_LIMIT" and raised.value.status == 403
    assert "busy" in raised.value.message and "allowance" not in raised.value.message
    assert raised.value.details[0].error_code == "REQUEST_LIMIT_EXCEEDED"  # Salesforce's own words are kept
    assert client.retry_count == client.max_retries
    org.faults.clear()
    used_before = org.stats()["api_usage"]
    assert len(await client.query_list("SELECT Id FROM Contact LIMIT 1")) == 1
    assert org.stats()["api_usage"] == used_before + 1  # refused calls were not counted against the day


async def test_concurrent_limit_keyword_daily_total_still_means_the_budget(session: Session, org: DemoOrg) -> None:
    client, _refresher = session
    org.set_api_usage(org.stats()["api_limit"])

    with pytest.raises(RequestLimitExceeded) as raised:
        await client.query_list("SELECT Id FROM Contact LIMIT 1")

    assert not isinstance(raised.value, ConcurrentLimitExceeded)
    assert raised.value.message == "TotalRequests Limit exceeded." and client.retry_count == 0


async def test_rest_session_policy_is_not_refreshed_and_names_the_admin_fix(session: Session, org: DemoOrg) -> None:
    client, refresher = session
    org.refuse_rest_sessions()

    with pytest.raises(RestSessionRefused) as raised:
        await client.query_list("SELECT Id FROM Contact LIMIT 1")

    assert not isinstance(raised.value, SessionExpired)
    assert refresher.attempts == 0 and client.refresh_count == 0
    message = raised.value.message
    assert "Manage user data via APIs (api)" in message and "admin" in message and "high-assurance" in message
    assert "not valid for use with the REST API" in raised.value.details[0].message
    org.refuse_rest_sessions(False)  # the admin changed the app: the same token works again, unrefreshed
    assert len(await client.query_list("SELECT Id FROM Contact LIMIT 1")) == 1
    assert refresher.attempts == 0


async def test_rest_session_policy_token_without_api_scope(org: DemoOrg) -> None:
    """A token whose scopes lack ``api`` gets the same answer from the REST API (and no refresh)."""
    tokens = org.mint_tokens(scope="refresh_token id")
    refresher = TokenRefresher(org.login_url, org.consumer_key, tokens["refresh_token"], ca_file=org.ca_file)
    async with SalesforceClient(tokens["instance_url"], tokens["access_token"], refresh=refresher,
                                ca_file=org.ca_file) as client:
        with pytest.raises(RestSessionRefused):
            await client.query_list("SELECT Id FROM Contact LIMIT 1")
    assert refresher.attempts == 0


async def test_rest_session_policy_expired_session_still_refreshes(session: Session, org: DemoOrg) -> None:
    """The plain "Session expired or invalid" keeps its refresh; only the policy answer skips it."""
    client, refresher = session
    org.expire_access_tokens()
    assert len(await client.query_list("SELECT Id FROM Contact LIMIT 1")) == 1
    assert refresher.refresh_count == 1
