"""Signing in without a browser, where the org approves the app without asking anyone.

A connected app whose Permitted Users policy is "Admin approved users are pre-authorized"
(https://help.salesforce.com/s/articleView?id=xcloud.connected_app_manage_oauth.htm), for a user whose
session is already established, answers the authorize request with the redirect to the app's callback
straight away: there is no page for anyone to see. The demo org does that for its own demo app.

Then no browser is needed, and none is started: ``open_without_browser`` asks the authorize endpoint
itself and hands the redirect to the sign-in's loopback receiver, which is all a browser would have
done. Everything else is the ordinary sign-in (``auth.sign_in``): the state, the PKCE verifier, the
code exchange and the identity. An org that does want a page (a login form, "Allow Access?") gets
``NeedsBrowser`` at once instead of a wait that ends in a timeout.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

from app.salesforce.oauth_errors import OAuthError
from app.salesforce.transport import make_http_client, network_error
from app.salesforce.urls import is_local_host

__all__ = ["NeedsBrowser", "open_without_browser"]


class NeedsBrowser(OAuthError):
    """The org showed a page (sign-in or approval) instead of approving the app on its own."""

    default_code = "interaction_required"


def open_without_browser(ca_file: str | None = None) -> Callable[[str], Awaitable[None]]:
    """An ``open_browser`` for ``auth.sign_in`` that needs no browser (see the module docstring)."""

    async def follow(authorize_url: str) -> None:
        async with make_http_client(authorize_url, ca_file=ca_file) as http:
            try:
                answer = await http.get(authorize_url, headers={"Accept": "text/html"})
            except httpx.HTTPError as exc:
                raise network_error(exc, authorize_url) from None
        location = answer.headers.get("location", "") if answer.is_redirect else ""
        callback = urlsplit(location)
        # Only our own loopback receiver may be handed the answer: a redirect anywhere else is a page
        # (a login form on another host, a single-sign-on provider) that a person has to see.
        if not location or callback.scheme != "http" or not is_local_host(callback.hostname or ""):
            raise NeedsBrowser(
                "This Salesforce org asks you to sign in on its own page.",
                "Sign in with your browser instead.", status=answer.status_code)
        async with make_http_client(location) as loopback:
            try:
                await loopback.get(location, headers={"Accept": "text/html"})
            except httpx.HTTPError as exc:
                raise network_error(exc, location) from None

    return follow
