"""The sign-in end to end in a real browser: headless Chromium against the demo org."""

from __future__ import annotations

import pytest

from tests.integration.salesforce.sf_org import client_for, make_org, signed_in
from tests.support.chromium import Chromium, chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="needs the chromium package"),
]


async def test_sign_in_with_headless_chromium() -> None:
    with make_org() as org:
        async with Chromium() as browser:

            async def open_browser(url: str) -> None:
                steps = await browser.sign_in(org.username, org.password, url=url)
                assert "login" in steps and "allow" in steps, f"browser steps: {steps}"

            result = await signed_in(org, open_browser=open_browser)
        # Only the browser held the code: a completed sign-in means Chromium followed the redirect.
        assert result.username == org.username and result.refresh_token
        assert browser.navigations[0].startswith(org.login_url + "/services/oauth2/authorize?")
        client, _ = client_for(org, result)
        async with client:
            assert len(await client.query_list("SELECT Id FROM Contact LIMIT 3")) == 3
