"""Signing in without a browser (the demo workspace's way in): the ordinary code + PKCE sign-in, with
the authorize step played by the client itself when the org approves the app on its own — and a
plain refusal, not a wait for the timeout, when the org wants a page."""

from __future__ import annotations

import asyncio

import pytest

from app.salesforce.auth import sign_in
from app.salesforce.unattended import NeedsBrowser, open_without_browser
from tests.integration.salesforce.sf_org import make_org

GENEROUS = 30.0  # bounds a hang only; the sign-in's own browser timeout below is far longer


async def test_demo_workspace_unattended_sign_in_redeems_a_pkce_code() -> None:
    with make_org(pre_authorized=True) as org:
        result = await asyncio.wait_for(
            sign_in(org.login_url, org.consumer_key, None, org.callback_urls, open_without_browser(), timeout=600),
            GENEROUS)
        assert result.access_token and result.refresh_token
        assert result.username == org.username
        assert org.stats()["code_exchanges"] == [{"pkce": True}]


async def test_demo_workspace_unattended_sign_in_refuses_an_org_that_shows_a_login_page() -> None:
    with make_org() as org:
        with pytest.raises(NeedsBrowser) as caught:
            await asyncio.wait_for(
                sign_in(org.login_url, org.consumer_key, None, org.callback_urls, open_without_browser(),
                        timeout=600),
                GENEROUS)
        assert "sign in" in caught.value.message.lower() and caught.value.fix
        assert org.stats()["code_exchanges"] == []
