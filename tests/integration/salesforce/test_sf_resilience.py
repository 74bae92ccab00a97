"""Failure handling against the demo org: expiry, 503 bursts, dropped connections, the daily limit, TLS."""

from __future__ import annotations

import asyncio
import logging

import pytest

from app.demo_org import DemoOrg
from app.salesforce import soql
from app.salesforce.auth import TokenRefresher
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import (
    OutcomeUnknown,
    RequestLimitExceeded,
    ServerUnavailable,
    SessionExpired,
    TlsError,
)
from app.salesforce.oauth_errors import SignInExpired
from tests.integration.salesforce.sf_org import client_for, make_org, signed_in

Session = tuple[SalesforceClient, TokenRefresher]


async def test_token_expiry_mid_use_refreshes_once(session: Session, org: DemoOrg) -> None:
    client, refresher = session
    assert len(await client.query_list("SELECT Id FROM Contact LIMIT 3")) == 3
    org.expire_access_tokens()
    assert len(await client.query_list("SELECT Id FROM Contact LIMIT 3")) == 3
    assert refresher.refresh_count == client.refresh_count == 1
    await client.create("Task", {"Subject": "after refresh"})  # the new token is used from now on
    assert refresher.refresh_count == 1


async def test_concurrent_401s_share_one_refresh(session: Session, org: DemoOrg) -> None:
    client, refresher = session
    org.expire_access_tokens()
    results = await asyncio.gather(*(client.query_list("SELECT Id FROM Contact LIMIT 2") for _ in range(12)))
    assert all(len(r) == 2 for r in results)
    assert refresher.attempts == refresher.refresh_count == client.refresh_count == 1


async def test_revoked_refresh_token_means_sign_in_again(session: Session, org: DemoOrg) -> None:
    client, refresher = session
    org.revoke_refresh_tokens()
    org.expire_access_tokens()
    outcomes = await asyncio.gather(
        *(client.query_list("SELECT Id FROM Contact LIMIT 1") for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(o, SignInExpired) and isinstance(o, SessionExpired) for o in outcomes)
    assert refresher.attempts == 1  # the dead refresh token is not hammered
    assert "sign in again" in str(outcomes[0])


async def test_no_refresh_hook_raises_session_expired(org: DemoOrg) -> None:
    result = await signed_in(org)
    async with SalesforceClient(result.instance_url, result.access_token, api_version=result.api_version) as c:
        org.expire_access_tokens()
        with pytest.raises(SessionExpired):
            await c.query_list("SELECT Id FROM Contact LIMIT 1")
        assert c.api_calls == 1


async def test_503_burst_is_retried_for_reads(client: SalesforceClient, org: DemoOrg) -> None:
    org.faults.fail_next(3, status=503)
    before = client.api_calls
    rows = await client.query_list("SELECT Id FROM Contact LIMIT 5")
    assert len(rows) == 5
    assert client.retry_count == 3 and client.api_calls - before == 4


async def test_persistent_5xx_gives_up(client: SalesforceClient, org: DemoOrg) -> None:
    org.faults.fail_next(client.max_retries + 1, status=500)
    with pytest.raises(ServerUnavailable):
        await client.query_list("SELECT Id FROM Contact LIMIT 1")
    assert client.retry_count == client.max_retries


async def test_503_on_create_is_not_retried(client: SalesforceClient, org: DemoOrg) -> None:
    org.faults.fail_next(1, status=503)
    with pytest.raises(ServerUnavailable):
        await client.create("Task", {"Subject": "not retried"})
    assert client.retry_count == 0
    assert not [r for r in org.records("Task") if r.get("Subject") == "not retried"]


async def test_dropped_connection_on_create_is_outcome_unknown(client: SalesforceClient, org: DemoOrg) -> None:
    org.faults.drop_after_commit(1)
    with pytest.raises(OutcomeUnknown):
        await client.create("Task", {"Subject": "exactly once"})
    assert len([r for r in org.records("Task") if r.get("Subject") == "exactly once"]) == 1
    # The caller reconciles by looking the record up instead of re-sending.
    found = await client.query_list(soql.select(["Id"], "Task", where=soql.fmt("Subject = {}", "exactly once")))
    assert len(found) == 1


async def test_dropped_connection_on_collection_create(client: SalesforceClient, org: DemoOrg) -> None:
    records = [{"attributes": {"type": "Task"}, "Subject": f"batch-{i}"} for i in range(250)]
    await client.create_many(records[:200])
    org.faults.drop_after_commit(1)
    with pytest.raises(OutcomeUnknown) as info:
        await client.create_many([*records[200:], {"attributes": {"type": "Task"}, "Subject": "batch-extra"}])
    assert info.value.partial_results == []
    subjects = [r.get("Subject") for r in org.records("Task")]
    assert all(subjects.count(f"batch-{i}") == 1 for i in range(250))


async def test_dropped_connection_on_update_and_delete_is_retried(client: SalesforceClient, org: DemoOrg) -> None:
    task_id = await client.create("Task", {"Subject": "to change"})
    org.faults.drop_after_commit(1)
    await client.update("Task", task_id, {"Subject": "changed"})
    assert (await client.retrieve("Task", task_id, ["Subject"]))["Subject"] == "changed"
    org.faults.drop_after_commit(1)
    await client.delete("Task", task_id)  # the retry finds it gone: that is success
    assert client.retry_count == 2


async def test_daily_limit_is_not_retried(client: SalesforceClient, org: DemoOrg) -> None:
    org.set_api_usage(100000)
    before_client, before_org = client.api_calls, org.stats()["api_calls"]
    with pytest.raises(RequestLimitExceeded) as info:
        await client.query_list("SELECT Id FROM Contact LIMIT 1")
    assert info.value.status == 403 and info.value.error_code == "REQUEST_LIMIT_EXCEEDED"
    assert client.api_calls - before_client == 1 and client.retry_count == 0
    assert org.stats()["api_calls"] - before_org <= 1
    with pytest.raises(RequestLimitExceeded):
        await client.create_many([{"attributes": {"type": "Task"}, "Subject": "over budget"}])


async def test_usage_header_tracks_the_org(client: SalesforceClient, org: DemoOrg) -> None:
    org.set_api_usage(4321)
    await client.query_list("SELECT Id FROM Contact LIMIT 1")
    used, maximum = client.api_usage or (0, 0)
    assert maximum == 100000 and 4321 <= used <= 4323


async def test_tls_demo_org_is_refused_without_its_ca_and_accepted_with_it() -> None:
    with make_org(tls=True) as org:
        assert org.base_url.startswith("https://") and org.ca_file
        result = await signed_in(org)  # sign-in itself runs over TLS with the CA
        async with SalesforceClient(result.instance_url, result.access_token,
                                    api_version=result.api_version) as untrusting:
            with pytest.raises(TlsError) as info:
                await untrusting.query_list("SELECT Id FROM Contact LIMIT 1")
            assert untrusting.retry_count == 0 and untrusting.api_calls == 0
            assert "could not be verified" in str(info.value)
        with pytest.raises(TlsError):
            await signed_in(org, ca_file=None)
        client, _ = client_for(org, result)
        async with client:
            assert len(await client.query_list("SELECT Id FROM Contact LIMIT 2")) == 2


async def test_no_secret_reaches_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake_token = "00D5g000004ABCD!AQ0AQH2nQpGmX7c.Lw8RZrT1vGfYk3sP9dJbUeNqA6Wz4oXyC5iVhM0tKlEuFgBjSnDr"
    fake_secret = "9F1C3A5E7B2D4F6A8C0E1B3D5F7A9C2E4B6D8F0A1C3E5B7D9F2A4C6E8B0D1F3A"
    with make_org(require_secret=True) as org:
        with pytest.raises(Exception) as bad_secret:  # noqa: PT011 - any sign-in failure; its text is checked
            await signed_in(org, consumer_secret=fake_secret)
        result = await signed_in(org, consumer_secret=org.consumer_secret)
        real_token = result.access_token

        async def refresh() -> str:
            return real_token

        async with SalesforceClient(result.instance_url, fake_token, api_version=result.api_version,
                                    refresh=refresh) as client:
            await client.query_list("SELECT Id FROM Contact LIMIT 1")  # 401 with the fake, then refresh
            assert client.refresh_count == 1
            org.expire_access_tokens()
            with pytest.raises(SessionExpired) as expired:
                await client.query_list("SELECT Id FROM Contact LIMIT 1")
        refresher = TokenRefresher(org.login_url, org.consumer_key, result.refresh_token or "",
                                   consumer_secret=org.consumer_secret, ca_file=org.ca_file)
        await refresher()
        secrets = [fake_token, fake_secret, real_token, result.refresh_token or "", org.consumer_secret,
                   refresher.last.access_token if refresher.last else ""]
        ours = "\n".join(  # everything our side logged (the demo org's own log is not the app's)
            f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
            if not r.name.startswith("app.demo_org")
        )
        texts = [ours, str(bad_secret.value), repr(bad_secret.value), str(expired.value),
                 repr(expired.value), repr(result), repr(refresher)]
        for secret in filter(None, secrets):
            for text in texts:
                assert secret not in text
                assert secret[:24] not in text
