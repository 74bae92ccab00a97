"""Helpers for the Salesforce client tests: a demo org, a signed-in client, a browser stand-in."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from app.demo_org import DemoOrg
from app.salesforce.auth import SignInResult, TokenRefresher, sign_in
from app.salesforce.client import SalesforceClient
from tests.support.browser_by_http import approve_in_browser_async


def free_callback_urls(n: int = 2) -> list[str]:
    urls = []
    for _ in range(n):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            urls.append(f"http://localhost:{s.getsockname()[1]}/callback")
    return urls


def make_org(**options: Any) -> DemoOrg:
    options.setdefault("contacts", 50)
    options.setdefault("seed", 1)
    options.setdefault("callback_urls", free_callback_urls())
    return DemoOrg(**options)


async def deliver(location: str) -> httpx.Response:
    """The browser following Salesforce's redirect to our loopback."""
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        return await http.get(location)


def browser_for(org: DemoOrg, *, approve: bool = True) -> Callable[[str], Awaitable[None]]:
    """An ``open_browser`` that signs in as the org's user and lets the redirect reach the loopback."""

    async def open_browser(authorize_url: str) -> None:
        await approve_in_browser_async(
            authorize_url, org.username, org.password, verify=org.ca_file or True, approve=approve, follow=True,
        )

    return open_browser


async def signed_in(org: DemoOrg, **options: Any) -> SignInResult:
    options.setdefault("ca_file", org.ca_file)
    options.setdefault("timeout", 30)
    return await sign_in(
        org.login_url,
        options.pop("consumer_key", org.consumer_key),
        options.pop("consumer_secret", None),
        options.pop("callback_urls", org.callback_urls),
        options.pop("open_browser", None) or browser_for(org),
        **options,
    )


def client_for(org: DemoOrg, result: SignInResult, **options: Any) -> tuple[SalesforceClient, TokenRefresher]:
    refresher = TokenRefresher(result.login_url, org.consumer_key, result.refresh_token or "",
                               consumer_secret=options.pop("consumer_secret", None), ca_file=org.ca_file)
    options.setdefault("retry_backoff", 0.01)
    options.setdefault("retry_backoff_max", 0.05)
    client = SalesforceClient(result.instance_url, result.access_token, api_version=result.api_version,
                              refresh=refresher, ca_file=org.ca_file, **options)
    return client, refresher


