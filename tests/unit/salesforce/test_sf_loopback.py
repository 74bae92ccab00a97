"""The sign-in loopback receiver, driven by a real HTTP client over 127.0.0.1 and ::1."""

import asyncio
import logging
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from app.salesforce import oauth_errors
from app.salesforce.loopback import LoopbackReceiver, parse_callback_url

STATE = "Zq3-state-value-that-is-long-enough-xyz"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        yield client


@pytest.fixture
async def receiver() -> AsyncIterator[LoopbackReceiver]:
    r = LoopbackReceiver([f"http://localhost:{_free_port()}/callback"], STATE, timeout=30)
    await r.start()
    yield r
    await r.close()


def _base(r: LoopbackReceiver, host: str = "127.0.0.1") -> str:
    port = r.redirect_uri.split(":")[2].split("/")[0]
    return f"http://{host}:{port}"


async def test_genuine_redirect_completes_once(receiver: LoopbackReceiver, http: httpx.AsyncClient,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    waiter = asyncio.create_task(receiver.wait())
    resp = await http.get(f"{_base(receiver)}/callback", params={"code": "aPrxSecretCode==", "state": STATE})
    assert resp.status_code == 200
    assert "You can close this tab and return to Notebridge" in resp.text
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert resp.headers["cache-control"] == "no-store"
    result = await waiter
    assert result.code == "aPrxSecretCode==" and result.redirect_uri == receiver.redirect_uri
    with pytest.raises(httpx.ConnectError):  # single use: nobody listens any more
        await http.get(f"{_base(receiver)}/callback", params={"code": "again", "state": STATE})
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("app.")]
    assert not any("aPrxSecretCode" in m for m in ours)


async def test_listens_on_ipv4_and_ipv6_loopback(receiver: LoopbackReceiver, http: httpx.AsyncClient) -> None:
    addresses = {host for host, _port in receiver.listening_on}
    assert "127.0.0.1" in addresses
    if not _ipv6_loopback():
        pytest.skip("no IPv6 loopback on this machine: the receiver degrades to 127.0.0.1 only")
    assert "::1" in addresses
    waiter = asyncio.create_task(receiver.wait())
    resp = await http.get(f"{_base(receiver, '[::1]')}/callback", params={"code": "c6", "state": STATE})
    assert resp.status_code == 200
    assert (await waiter).code == "c6"


@pytest.mark.parametrize("bad_state", ["", "wrong", STATE + "x", STATE[:-1]])
async def test_wrong_or_missing_state_is_refused_and_waiting_continues(
    receiver: LoopbackReceiver, http: httpx.AsyncClient, bad_state: str
) -> None:
    waiter = asyncio.create_task(receiver.wait())
    params = {"code": "stolen"} | ({"state": bad_state} if bad_state else {})
    resp = await http.get(f"{_base(receiver)}/callback", params=params)
    assert resp.status_code == 400
    assert "does not match the sign-in Notebridge started" in resp.text
    # A forged error with the wrong state must not abort the real sign-in either.
    resp = await http.get(f"{_base(receiver)}/callback", params={"error": "access_denied", "state": "nope"})
    assert resp.status_code == 400
    assert not waiter.done() and receiver.rejected == 2
    resp = await http.get(f"{_base(receiver)}/callback", params={"code": "real", "state": STATE})
    assert resp.status_code == 200
    assert (await waiter).code == "real"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/", 404), ("GET", "/favicon.ico", 404), ("GET", "/callback/", 404), ("GET", "/CALLBACK", 404),
     ("POST", "/callback", 405), ("HEAD", "/callback", 405), ("PUT", "/callback", 405)],
)
async def test_only_get_on_the_exact_path(
    receiver: LoopbackReceiver, http: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    waiter = asyncio.create_task(receiver.wait())
    resp = await http.request(method, f"{_base(receiver)}{path}", params={"code": "x", "state": STATE})
    assert resp.status_code == status
    if status == 405:
        assert resp.headers["allow"] == "GET"
    assert not waiter.done()
    receiver.cancel()
    with pytest.raises(oauth_errors.SignInCancelled):
        await waiter


@pytest.mark.parametrize("spelling", ["access_denied", "access-denied"])
async def test_denied_in_the_browser(receiver: LoopbackReceiver, http: httpx.AsyncClient, spelling: str) -> None:
    waiter = asyncio.create_task(receiver.wait())
    resp = await http.get(f"{_base(receiver)}/callback", params={
        "error": spelling, "error_description": "end-user denied authorization", "state": STATE})
    assert resp.status_code == 200 and "You can close this tab" in resp.text
    with pytest.raises(oauth_errors.SignInDenied) as info:
        await waiter
    assert info.value.error_code == spelling
    assert info.value.description == "end-user denied authorization"


async def test_admin_approval_error_on_the_redirect(receiver: LoopbackReceiver, http: httpx.AsyncClient) -> None:
    waiter = asyncio.create_task(receiver.wait())
    await http.get(f"{_base(receiver)}/callback", params={
        "error": "OAUTH_APP_ACCESS_DENIED", "error_description": "user is not admin approved to access this app",
        "state": STATE})
    with pytest.raises(oauth_errors.UserNotApproved):
        await waiter


async def test_error_description_is_escaped_in_the_page(receiver: LoopbackReceiver, http: httpx.AsyncClient) -> None:
    waiter = asyncio.create_task(receiver.wait())
    resp = await http.get(f"{_base(receiver)}/callback", params={
        "error": "<script>alert(1)</script>", "error_description": "<img src=x onerror=alert(1)>", "state": STATE})
    assert "<script>" not in resp.text and "<img" not in resp.text
    with pytest.raises(oauth_errors.OAuthFailure):
        await waiter


async def test_state_matches_but_no_code(receiver: LoopbackReceiver, http: httpx.AsyncClient) -> None:
    waiter = asyncio.create_task(receiver.wait())
    resp = await http.get(f"{_base(receiver)}/callback", params={"state": STATE})
    assert resp.status_code == 400
    with pytest.raises(oauth_errors.OAuthFailure, match="without a sign-in code"):
        await waiter


async def test_garbage_and_foreign_hosts_do_not_end_the_wait(receiver: LoopbackReceiver,
                                                            http: httpx.AsyncClient) -> None:
    waiter = asyncio.create_task(receiver.wait())
    port = int(_base(receiver).rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"\x16\x03\x01 not http at all\r\n\r\n")
    await writer.drain()
    answer = await reader.read()
    writer.close()
    assert answer.startswith(b"HTTP/1.1 40")
    resp = await http.get(f"{_base(receiver)}/callback", params={"code": "x", "state": STATE},
                          headers={"Host": "attacker.example:80"})
    assert resp.status_code == 400
    assert not waiter.done()
    await http.get(f"{_base(receiver)}/callback", params={"code": "ok", "state": STATE})
    assert (await waiter).code == "ok"


async def test_timeout() -> None:
    r = LoopbackReceiver([f"http://localhost:{_free_port()}/callback"], STATE, timeout=0.05)
    async with r:
        with pytest.raises(oauth_errors.SignInTimeout) as info:
            await r.wait()
    assert "didn't hear back" in info.value.message and info.value.fix


async def test_cancelling_the_task_closes_the_listener(http: httpx.AsyncClient) -> None:
    port = _free_port()
    r = LoopbackReceiver([f"http://localhost:{port}/callback"], STATE)
    await r.start()
    waiter = asyncio.create_task(r.wait())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    with pytest.raises(httpx.ConnectError):
        await http.get(f"http://127.0.0.1:{port}/callback")


async def test_busy_port_falls_back_to_the_next_registered_callback(http: httpx.AsyncClient) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        busy = blocker.getsockname()[1]
        free = _free_port()
        async with LoopbackReceiver(
            [f"http://localhost:{busy}/callback", f"http://localhost:{free}/cb2"], STATE
        ) as r:
            assert r.redirect_uri == f"http://localhost:{free}/cb2"
            waiter = asyncio.create_task(r.wait())
            resp = await http.get(f"http://127.0.0.1:{free}/cb2", params={"code": "c", "state": STATE})
            assert resp.status_code == 200
            assert (await waiter).code == "c"


async def test_all_ports_busy_says_which_and_what_to_register() -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        busy = blocker.getsockname()[1]
        with pytest.raises(oauth_errors.CallbackPortBusy) as info:
            await LoopbackReceiver([f"http://localhost:{busy}/callback"], STATE).start()
    err = info.value
    assert str(busy) in err.message
    assert "http://localhost:" in err.fix and "/callback" in err.fix and str(busy) not in err.callback_url


@pytest.mark.parametrize(
    "url",
    ["https://localhost:1717/callback", "http://example.com:8080/callback", "http://localhost/callback",
     "http://192.168.1.5:80/cb", "localhost:1717/callback"],
)
def test_only_loopback_http_callbacks_with_a_port(url: str) -> None:
    with pytest.raises(ValueError, match=r"loopback|explicit port"):
        parse_callback_url(url)


def test_constructor_checks() -> None:
    with pytest.raises(ValueError, match="callback"):
        LoopbackReceiver([], STATE)
    with pytest.raises(ValueError, match="state"):
        LoopbackReceiver(["http://localhost:1/cb"], "")
