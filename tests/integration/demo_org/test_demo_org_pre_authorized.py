"""The demo org's "Admin approved users are pre-authorized" policy for its own app (the demo workspace's
sign-in): a valid authorize request is answered with the code at once; every check still applies, and
only this org's app is concerned."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.demo_org import DemoOrg
from tests.integration.demo_org.test_demo_org_oauth import TOKEN, authorize_url, pkce, query_of


@pytest.fixture(scope="module")
def approving_org() -> Iterator[DemoOrg]:
    with DemoOrg(contacts=5, seed=11, pre_authorized=True) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, follow_redirects=False, timeout=20) as client:
        yield client


def test_demo_workspace_pre_authorized_app_gets_its_code_without_pages(approving_org: DemoOrg,
                                                                       http: httpx.Client) -> None:
    verifier, challenge = pkce()
    answer = http.get(authorize_url(approving_org, code_challenge=challenge))
    assert answer.status_code == 302, "no login page, no Allow page"
    location = answer.headers["location"]
    assert location.startswith(approving_org.callback_urls[0] + "?")
    values = query_of(location)
    assert values["state"] == "st-123"
    before = len(approving_org.stats()["code_exchanges"])
    without_verifier = http.post(approving_org.login_url + TOKEN, data={
        "grant_type": "authorization_code", "code": values["code"], "client_id": approving_org.consumer_key,
        "redirect_uri": approving_org.callback_urls[0]})
    assert without_verifier.status_code == 400 and without_verifier.json()["error"] == "invalid_grant"
    tokens = http.post(approving_org.login_url + TOKEN, data={
        "grant_type": "authorization_code", "code": values["code"], "client_id": approving_org.consumer_key,
        "redirect_uri": approving_org.callback_urls[0], "code_verifier": verifier})
    assert tokens.status_code == 200 and tokens.json()["access_token"]
    assert approving_org.stats()["code_exchanges"][before:] == [{"pkce": True}]


def test_demo_workspace_pre_authorization_is_for_this_app_only(approving_org: DemoOrg, http: httpx.Client) -> None:
    other_app = http.get(authorize_url(approving_org, client_id="3MVG9someone.else"))
    assert other_app.status_code == 400 and "invalid_client_id" in other_app.text
    wrong_callback = http.get(authorize_url(approving_org, redirect_uri="http://localhost:9/callback"))
    assert wrong_callback.status_code == 400 and "redirect_uri_mismatch" in wrong_callback.text
    bad_scope = http.get(authorize_url(approving_org, scope="api everything"))
    assert query_of(bad_scope.headers["location"])["error"] == "invalid_scope"


def test_demo_workspace_prompt_login_still_shows_the_login_page(approving_org: DemoOrg, http: httpx.Client) -> None:
    page = http.get(authorize_url(approving_org, prompt="login"))
    assert page.status_code == 200 and 'name="password"' in page.text


def test_demo_workspace_an_org_without_the_policy_asks_for_a_login(org: DemoOrg, http: httpx.Client) -> None:
    page = http.get(authorize_url(org))
    assert page.status_code == 200 and 'name="password"' in page.text
