"""Addresses the wizard opens in the advisor's browser (not API endpoints: nothing is fetched).

Setup's home page is the one deep link that is stable across Salesforce releases; from there the
steps use Quick Find, which works in every org. For the login hosts (production and sandbox), the
``startURL`` parameter (a relative URL) takes the advisor to Setup after signing in:
https://help.salesforce.com/s/articleView?id=xcloud.sso_provider_addl_params_redirect.htm
"""

from __future__ import annotations

from urllib.parse import quote

from app.salesforce import urls

SETUP_PATH = "/lightning/setup/SetupOneHome/home"


def setup_url(login_url: str) -> str:
    base = login_url.rstrip("/")
    if urls.is_login_host(base):
        return f"{base}/?startURL={quote(SETUP_PATH, safe='')}"
    return base + SETUP_PATH
