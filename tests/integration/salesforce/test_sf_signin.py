"""The whole sign-in against the demo org, played by a plain HTTP "browser", and every way it fails."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from app.demo_org import DemoOrg
from app.salesforce import oauth_errors
from app.salesforce.auth import (
    build_authorize_url,
    code_challenge,
    exchange_code,
    fetch_identity,
    generate_code_verifier,
    refresh_access_token,
    revoke,
)
from app.salesforce.client import SalesforceClient
from tests.integration.salesforce.sf_org import browser_for, deliver, make_org, signed_in
from tests.support.browser_by_http import approve_in_browser_async


async def test_full_sign_in_over_plain_http(org: DemoOrg) -> None:
    opened: list[str] = []

    async def open_browser(url: str) -> None:
        opened.append(url)
        await browser_for(org)(url)

    result = await signed_in(org, open_browser=open_browser)
    query = parse_qs(urlsplit(opened[0]).query)
    assert query["code_challenge_method"] == ["S256"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [org.callback_urls[0]] == [result.redirect_uri]
    assert set(query["scope"][0].split()) >= {"api", "refresh_token"}
    assert result.access_token and result.refresh_token
    assert result.username == org.username
    assert result.user_id.startswith("005") and result.org_id.startswith("00D")
    assert result.display_name
    assert result.instance_url == org.base_url.rstrip("/")
    assert result.api_version
    async with SalesforceClient(result.instance_url, result.access_token, api_version=result.api_version) as c:
        assert [r async for r in c.query("SELECT Id FROM Contact LIMIT 5")]


async def test_sign_in_with_a_secret_when_the_app_requires_it() -> None:
    with make_org(require_secret=True) as org:
        with pytest.raises(oauth_errors.SecretRequired) as info:
            await signed_in(org)
        assert "Require secret for Web Server Flow" in info.value.fix
        with pytest.raises(oauth_errors.ClientSecretRejected):
            await signed_in(org, consumer_secret="A1B2C3D4E5F6071829304A5B6C7D8E9F0A1B2C3D4E5F6071829304A5B6C7D8E")
        result = await signed_in(org, consumer_secret=org.consumer_secret)
        assert result.refresh_token


async def test_unknown_consumer_key_is_caught_before_the_browser_opens(org: DemoOrg) -> None:
    opened: list[str] = []
    with pytest.raises(oauth_errors.UnknownConsumerKey) as info:
        await signed_in(org, open_browser=opened.append, consumer_key="3MVG9notARealKey")
    assert opened == []
    assert "10 minutes" in info.value.fix


async def test_callback_not_registered_shows_the_exact_url(org: DemoOrg) -> None:
    ours = list(org.callback_urls)
    org.set_callback_urls(["http://localhost:1/elsewhere"])
    opened: list[str] = []
    with pytest.raises(oauth_errors.CallbackMismatch) as info:
        await signed_in(org, open_browser=opened.append, callback_urls=ours)
    assert opened == []
    assert info.value.callback_url == ours[0]
    assert ours[0] in info.value.fix


async def test_denied_in_the_browser(org: DemoOrg) -> None:
    with pytest.raises(oauth_errors.SignInDenied) as info:
        await signed_in(org, open_browser=browser_for(org, approve=False))
    assert "Allow" in info.value.fix


async def test_scope_the_app_does_not_allow(org: DemoOrg) -> None:
    with pytest.raises(oauth_errors.ScopeMissing) as info:
        await signed_in(org, scopes=("api", "refresh_token", "not_a_scope"))
    assert "refresh_token" in info.value.fix


async def test_code_expired_before_it_reached_notebridge(org: DemoOrg) -> None:
    async def slow_browser(url: str) -> None:
        location = await approve_in_browser_async(url, org.username, org.password,
                                                  verify=org.ca_file or True, follow=False)
        org.expire_auth_codes()
        await deliver(str(location))

    with pytest.raises(oauth_errors.SignInInterrupted) as info:
        await signed_in(org, open_browser=slow_browser)
    assert info.value.description == "expired authorization code"


async def test_wrong_state_never_completes_a_sign_in(org: DemoOrg) -> None:
    """A forged callback (attacker's own code, wrong state) is refused; the real one still works."""
    attacker_code: list[str] = []

    async def open_browser(url: str) -> None:
        # The attacker signs in on their own and tries to plant their code in our receiver.
        forged = build_authorize_url(org.login_url, org.consumer_key, org.callback_urls[0],
                                     challenge=code_challenge(generate_code_verifier()), state="attacker")
        location = await approve_in_browser_async(forged, org.username, org.password,
                                                  verify=org.ca_file or True, follow=False)
        query = parse_qs(urlsplit(str(location)).query)
        attacker_code.append(query["code"][0])
        planted = f"{org.callback_urls[0]}?code={query['code'][0]}&state=attacker"
        assert (await deliver(planted)).status_code == 400
        no_state = f"{org.callback_urls[0]}?code={query['code'][0]}"
        assert (await deliver(no_state)).status_code == 400
        await browser_for(org)(url)  # and now the advisor finishes the real sign-in

    result = await signed_in(org, open_browser=open_browser)
    assert attacker_code and result.access_token


async def test_only_wrong_state_callbacks_time_out(org: DemoOrg) -> None:
    async def open_browser(url: str) -> None:
        location = await approve_in_browser_async(url, org.username, org.password,
                                                  verify=org.ca_file or True, follow=False)
        query = parse_qs(urlsplit(str(location)).query)
        wrong = f"{org.callback_urls[0]}?code={query['code'][0]}&state=not-the-one"
        assert (await deliver(wrong)).status_code == 400

    with pytest.raises(oauth_errors.SignInTimeout):
        await signed_in(org, open_browser=open_browser, timeout=1)


async def test_stolen_state_with_a_foreign_code_fails_pkce(org: DemoOrg) -> None:
    """Even with our state, a code issued to another sign-in (other PKCE verifier) is refused."""

    async def open_browser(url: str) -> None:
        ours = parse_qs(urlsplit(url).query)
        foreign = build_authorize_url(org.login_url, org.consumer_key, org.callback_urls[0],
                                      challenge=code_challenge(generate_code_verifier()), state="x")
        location = await approve_in_browser_async(foreign, org.username, org.password,
                                                  verify=org.ca_file or True, follow=False)
        code = parse_qs(urlsplit(str(location)).query)["code"][0]
        resp = await deliver(f"{ours['redirect_uri'][0]}?code={code}&state={ours['state'][0]}")
        assert resp.status_code == 200

    with pytest.raises(oauth_errors.SignInInterrupted):
        await signed_in(org, open_browser=open_browser)


async def test_busy_callback_port_uses_the_next_registered_one(org: DemoOrg) -> None:
    import socket

    first_port = int(urlsplit(org.callback_urls[0]).port or 0)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", first_port))
        blocker.listen()
        result = await signed_in(org)
    assert result.redirect_uri == org.callback_urls[1]


async def test_code_is_single_use_and_verifier_checked(org: DemoOrg) -> None:
    verifier = generate_code_verifier()
    redirect = org.callback_urls[0]
    url = build_authorize_url(org.login_url, org.consumer_key, redirect, challenge=code_challenge(verifier),
                              state="s")
    location = await approve_in_browser_async(url, org.username, org.password, verify=org.ca_file or True,
                                              follow=False)
    code = parse_qs(urlsplit(str(location)).query)["code"][0]
    with pytest.raises(oauth_errors.SignInInterrupted):
        await exchange_code(org.login_url, org.consumer_key, code, redirect, generate_code_verifier(),
                            ca_file=org.ca_file)
    location = await approve_in_browser_async(url, org.username, org.password, verify=org.ca_file or True,
                                              follow=False)
    code = parse_qs(urlsplit(str(location)).query)["code"][0]
    with pytest.raises(oauth_errors.CallbackMismatch):  # the redirect_uri must repeat the authorize one
        await exchange_code(org.login_url, org.consumer_key, code, org.callback_urls[1], verifier,
                            ca_file=org.ca_file)
    location = await approve_in_browser_async(url, org.username, org.password, verify=org.ca_file or True,
                                              follow=False)
    code = parse_qs(urlsplit(str(location)).query)["code"][0]
    tokens = await exchange_code(org.login_url, org.consumer_key, code, redirect, verifier, ca_file=org.ca_file)
    assert tokens.refresh_token
    with pytest.raises(oauth_errors.SignInInterrupted):
        await exchange_code(org.login_url, org.consumer_key, code, redirect, verifier, ca_file=org.ca_file)
    identity = await fetch_identity(tokens.access_token, id_url=tokens.id_url, instance_url=tokens.instance_url,
                                    login_url=org.login_url, ca_file=org.ca_file)
    assert identity.username == org.username


async def test_refresh_and_revoke(org: DemoOrg) -> None:
    result = await signed_in(org)
    assert result.refresh_token
    fresh = await refresh_access_token(org.login_url, org.consumer_key, result.refresh_token, ca_file=org.ca_file)
    assert fresh.access_token and fresh.instance_url == result.instance_url
    assert await revoke(org.login_url, result.refresh_token, ca_file=org.ca_file) is True
    assert await revoke(org.login_url, result.refresh_token, ca_file=org.ca_file) is False  # already dead
    with pytest.raises(oauth_errors.SignInExpired) as info:
        await refresh_access_token(org.login_url, org.consumer_key, result.refresh_token, ca_file=org.ca_file)
    assert str(info.value) == "Your Salesforce sign-in expired — sign in again."
    with pytest.raises(oauth_errors.UnknownConsumerKey):
        await refresh_access_token(org.login_url, "3MVG9wrong", "5Aep861x", ca_file=org.ca_file)


async def test_cancel_while_waiting_for_the_browser(org: DemoOrg) -> None:
    started = asyncio.Event()

    def open_browser(_url: str) -> None:
        started.set()

    task = asyncio.create_task(signed_in(org, open_browser=open_browser))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    port = urlsplit(org.callback_urls[0]).port
    async with httpx.AsyncClient(trust_env=False) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/callback")
