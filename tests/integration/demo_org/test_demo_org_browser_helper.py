"""The browser stand-in other tests use (tests/support/browser_by_http.py)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from app.demo_org import DemoOrg
from tests.support.browser_by_http import (
    BrowserFlowError,
    _FormParser,
    approve_in_browser,
    approve_in_browser_async,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def url_for(org: DemoOrg, redirect_uri: str) -> str:
    return org.login_url + "/services/oauth2/authorize?" + urlencode({
        "response_type": "code", "client_id": org.consumer_key, "redirect_uri": redirect_uri, "state": "s1"})


@pytest.fixture
def receiver() -> Iterator[str]:
    """A stand-in loopback receiver (threaded): answers with the query it received."""
    port = free_port()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = f"received {urlsplit(self.path).query}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}/callback"
    server.shutdown()
    server.server_close()


def test_returns_callback_location_without_following(receiver: str) -> None:
    with DemoOrg(contacts=3, tls=True, callback_urls=[receiver]) as org:
        location = approve_in_browser(url_for(org, receiver), org.username, org.password, verify=org.ca_file)
    assert location.startswith(receiver + "?code=")
    assert parse_qs(urlsplit(location).query)["state"] == ["s1"]


def test_follow_delivers_the_callback(receiver: str) -> None:
    with DemoOrg(contacts=3, callback_urls=[receiver]) as org:
        text = approve_in_browser(url_for(org, receiver), org.username, org.password, follow=True)
    assert text.startswith("received code=") and "state=s1" in text


async def test_async_twin_follows_into_a_receiver_on_the_same_loop() -> None:
    port = free_port()
    received: list[str] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line = (await reader.readline()).decode()
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        received.append(request_line.split()[1])
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nConnection: close\r\n\r\nYou may close")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    callback = f"http://localhost:{port}/callback"
    with DemoOrg(contacts=3, callback_urls=[callback]) as org:
        async with server:
            text = await approve_in_browser_async(url_for(org, callback), org.username, org.password, follow=True)
            denied = await approve_in_browser_async(url_for(org, callback), org.username, org.password,
                                                    approve=False)
    assert text == "You may close"
    assert received[0].startswith("/callback?code=")
    assert "error=access_denied" in denied


def test_errors_are_reported_with_page_text() -> None:
    with DemoOrg(contacts=3) as org:
        with pytest.raises(BrowserFlowError, match="redirect_uri_mismatch") as caught:
            approve_in_browser(url_for(org, "http://localhost:1/nope"), org.username, org.password)
        assert caught.value.status == 400
        with pytest.raises(BrowserFlowError, match="login failed"):
            approve_in_browser(url_for(org, org.callback_urls[0]), org.username, "wrong")


def test_form_parsing_is_generic() -> None:
    parser = _FormParser()
    parser.feed("""<form action="/go" method="post"><input type="hidden" name="t" value="1">
        <input type="email" name="login_email"><input type="password" name="pw">
        <input type="checkbox" name="remember" value="yes" checked><input type="submit" name="go" value="Sign in">
        </form><form><button name="allow_access" value="1">Allow access</button>
        <button type="submit" name="cancel">Cancel</button></form>""")
    login, consent = parser.forms
    assert (login.action, login.method) == ("/go", "POST")
    assert login.fields == [("t", "1"), ("remember", "yes")]
    assert login.text_inputs == ["login_email"] and login.password_inputs == ["pw"]
    assert login.buttons == [("go", "Sign in", "Sign in")]
    assert consent.method == "GET"
    assert consent.buttons == [("allow_access", "1", "Allow access"), ("cancel", "", "Cancel")]
