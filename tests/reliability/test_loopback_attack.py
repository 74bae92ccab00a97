"""The sign-in loopback receiver under attack while it waits, against the demo org's real OAuth endpoints.

Every attack comes over raw sockets from this machine (the only place that can reach a loopback
listener). None may complete the sign-in, crash the receiver (a failing handler task is caught by the
``fail_on_background_errors`` fixture) or keep it waiting past its timeout — and afterwards the advisor's
real approval, played by ``approve_in_browser_async``, must still finish the sign-in. Attacks that
carry the right ``state`` and a made-up code are the sharpest: if the receiver accepted one, the real
browser would meet "Already used" and the made-up code would fail at the token endpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from app.demo_org import DemoOrg
from app.salesforce import oauth_errors
from app.salesforce.auth import (
    SignInResult,
    build_authorize_url,
    code_challenge,
    exchange_code,
    generate_code_verifier,
    generate_state,
)
from app.salesforce.loopback import LoopbackReceiver
from tests.integration.salesforce.sf_org import make_org, signed_in
from tests.support.browser_by_http import approve_in_browser_async

FAKE_CODE = "aPrxAttackerMadeThisUp"
SIGNED_IN_PAGE = "Signed in to Salesforce"
ANSWER_DEADLINE = 20.0  # generous: the receiver answers or closes every connection well within this


@pytest.fixture
def org() -> Iterator[DemoOrg]:
    with make_org(contacts=5) as running:
        yield running


class Callback:
    """What the attacker can learn from the authorize URL the app opened: where to aim, and the state."""

    def __init__(self, authorize_url: str) -> None:
        query = parse_qs(urlsplit(authorize_url).query)
        self.authorize_url = authorize_url
        self.redirect_uri = query["redirect_uri"][0]
        self.state = query["state"][0]
        parts = urlsplit(self.redirect_uri)
        self.port = int(parts.port or 0)
        self.path = parts.path

    def target(self, **params: str) -> str:
        return self.path + "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())


def get(target: str, host: str = "localhost", extra: bytes = b"") -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: {host}\r\n".encode("latin-1") + extra + b"\r\n"


async def raw(port: int, data: bytes, *, address: str = "127.0.0.1", source: str | None = None) -> bytes:
    """Send ``data`` on a fresh connection and return everything the receiver answers before closing.

    A reset (the receiver closed while unread bytes were still arriving) counts as an empty answer.
    """
    reader, writer = await asyncio.open_connection(
        address, port, local_addr=(source, 0) if source else None)
    try:
        with contextlib.suppress(ConnectionError):
            writer.write(data)
            await writer.drain()
        try:
            return await asyncio.wait_for(reader.read(), ANSWER_DEADLINE)
        except ConnectionError:
            return b""
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def status(answer: bytes) -> int | None:
    if not answer.startswith(b"HTTP/1.1 "):
        return None
    return int(answer[9:12])


async def approve_for_real(org: DemoOrg, authorize_url: str) -> None:
    """The advisor signs in and approves; the browser follows the redirect to the receiver."""
    page = await approve_in_browser_async(authorize_url, org.username, org.password,
                                          verify=org.ca_file or True, follow=True)
    assert SIGNED_IN_PAGE in page, page


async def sign_in_after(org: DemoOrg, attack: Callable[[Callback], Awaitable[None]],
                        **options: object) -> SignInResult:
    """Run a real sign-in; while the receiver waits, ``attack`` runs, then the real approval."""

    async def open_browser(authorize_url: str) -> None:
        await attack(Callback(authorize_url))
        await approve_for_real(org, authorize_url)

    result = await signed_in(org, open_browser=open_browser, **options)
    assert result.access_token and result.username == org.username
    return result


class Pending:
    """A sign-in started by hand around a bare receiver (for attacks that need its knobs or counters)."""

    def __init__(self, org: DemoOrg) -> None:
        self.org = org
        self.verifier, self.state = generate_code_verifier(), generate_state()

    async def finish(self, receiver: LoopbackReceiver) -> None:
        """The real approval through ``receiver``, and the code traded for tokens at the demo org."""
        waiter = asyncio.create_task(receiver.wait())
        url = build_authorize_url(self.org.login_url, self.org.consumer_key, receiver.redirect_uri,
                                  challenge=code_challenge(self.verifier), state=self.state)
        await approve_for_real(self.org, url)
        callback = await waiter
        tokens = await exchange_code(self.org.login_url, self.org.consumer_key, callback.code,
                                     callback.redirect_uri, self.verifier, ca_file=self.org.ca_file)
        assert tokens.access_token


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


async def test_loopback_attack_wrong_or_missing_state(org: DemoOrg) -> None:
    async def attack(cb: Callback) -> None:
        s = cb.state
        forged = [
            {"code": FAKE_CODE},
            {"code": FAKE_CODE, "state": ""},
            {"code": FAKE_CODE, "state": "wrong"},
            {"code": FAKE_CODE, "state": s[:-1]},
            {"code": FAKE_CODE, "state": s + "x"},
            {"code": FAKE_CODE, "state": s.swapcase()},
            {"code": FAKE_CODE, "state": " " + s},
            {"code": FAKE_CODE, "state": s + "\x00"},
            {"code": FAKE_CODE, "state": "é" * 43},
            {"error": "access_denied", "state": "wrong"},  # a forged denial must not end it either
        ]
        targets = [cb.target(**params) for params in forged] + [
            cb.path + f"?code={FAKE_CODE}&state=%ff%fe%ED%A0%80",  # bytes that are not UTF-8 / a surrogate
            cb.path + f"?code={FAKE_CODE}&state=wrong&state={s}",  # the first value counts
            cb.path + f"?code={FAKE_CODE}&STATE={s}",
        ]
        for address in ["127.0.0.1", *(["::1"] if _ipv6_loopback() else [])]:
            for target in targets:
                assert status(await raw(cb.port, get(target), address=address)) == 400, (address, target)

    await sign_in_after(org, attack)


async def test_loopback_attack_replayed_code(org: DemoOrg) -> None:
    first_locations: list[str] = []

    async def capture(authorize_url: str) -> None:
        location = await approve_in_browser_async(authorize_url, org.username, org.password,
                                                  verify=org.ca_file or True, follow=False)
        first_locations.append(location)
        split = urlsplit(location)
        request = get(f"{split.path}?{split.query}")
        # The genuine redirect arrives twice at once (a replay racing the browser): one use only.
        pair = [await asyncio.open_connection("127.0.0.1", split.port) for _ in range(2)]
        for _reader, writer in pair:
            writer.write(request)
        answers = [await asyncio.wait_for(reader.read(), ANSWER_DEADLINE) for reader, _writer in pair]
        for _reader, writer in pair:
            writer.close()
        statuses = sorted(status(a) or 0 for a in answers)
        # One use only: the other copy hears "Already used", or nothing if it was not yet accepted
        # when the receiver stopped listening.
        assert statuses in ([0, 200], [200, 410]), answers

    first = await signed_in(org, open_browser=capture)
    assert first.access_token
    # The listener is gone once the sign-in finished: a later replay reaches nobody.
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            await http.get(first_locations[0])

    async def replay(cb: Callback) -> None:
        # The first sign-in's redirect, replayed into the second: a used code with a stale state.
        split = urlsplit(first_locations[0])
        old = parse_qs(split.query)
        assert status(await raw(cb.port, get(f"{cb.path}?{split.query}"))) == 400
        assert status(await raw(cb.port, get(cb.target(code=old["code"][0], state="x")))) == 400

    second = await sign_in_after(org, replay)
    assert second.access_token != first.access_token


async def test_loopback_attack_other_paths_and_methods(org: DemoOrg) -> None:
    async def attack(cb: Callback) -> None:
        query = f"?code={FAKE_CODE}&state={quote(cb.state)}"
        for path in ["/", "/favicon.ico", cb.path + "/", cb.path.upper(), cb.path + "/../" + cb.path.strip("/"),
                     "/%63" + cb.path[2:], cb.path + "%2f", cb.path + ";x", "//" + cb.path.lstrip("/"),
                     "*", f"http://attacker.example{cb.path}", f"http://localhost:{cb.port}{cb.path}", ""]:
            answer = await raw(cb.port, get(path + query))
            assert status(answer) in (400, 404), (path, answer[:80])
        for method in ["POST", "HEAD", "PUT", "OPTIONS", "DELETE", "CONNECT", "get", "GET\x00"]:
            request = f"{method} {cb.path}{query} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
            assert status(await raw(cb.port, request)) in (400, 405), method
        # Not HTTP at all, and a request posing as another host (DNS rebinding).
        assert status(await raw(cb.port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(200))) == 400
        assert status(await raw(cb.port, get(cb.path + query, host="attacker.example"))) == 400
        assert status(await raw(cb.port, get(cb.path + query, host="localhost.attacker.example:80"))) == 400

    await sign_in_after(org, attack)


async def test_loopback_attack_huge_request_line_and_headers(org: DemoOrg) -> None:
    async def attack(cb: Callback) -> None:
        right = cb.target(code=FAKE_CODE, state=cb.state)
        huge = [
            get(right + "&pad=" + "A" * 1_000_000),  # one huge request line
            b"GET " + b"/" * 2_000_000,  # a request line that never ends
            get(right, extra=b"X-Big: " + b"b" * 200_000 + b"\r\n"),  # one huge header
            get(right, extra=b"".join(b"X-H%d: v\r\n" % i for i in range(5000))),  # very many headers
            # Many headers each under the per-line limit but far over any sane total: still refused.
            get(right, extra=b"".join(b"X-H%d: " % i + b"h" * 15_000 + b"\r\n" for i in range(40))),
        ]
        for data in huge:
            answer = await raw(cb.port, data)
            assert status(answer) in (400, None), answer[:80]  # answered 400, or reset while sending

    await sign_in_after(org, attack)


async def test_loopback_attack_slow_loris_does_not_block_or_outlive_the_sign_in(org: DemoOrg) -> None:
    held: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def attack(cb: Callback) -> None:
        for _ in range(10):
            held.append(await asyncio.open_connection("127.0.0.1", cb.port))  # connects, never sends
        reader, writer = await asyncio.open_connection("127.0.0.1", cb.port)
        writer.write(b"GET " + cb.path.encode())  # a request that stops halfway
        held.append((reader, writer))

    try:
        await sign_in_after(org, attack)  # the real browser gets through while they hang on
        # The finished sign-in closed them all: each sees the end of the connection, not a hang.
        for reader, _writer in held:
            await asyncio.wait_for(reader.read(), ANSWER_DEADLINE)
        held.clear()

        async def only_attack(authorize_url: str) -> None:
            await attack(Callback(authorize_url))

        # Nobody approves: the sign-in times out on time although the idle connections stay open
        # (their own read deadline, 10 s, is far longer than this sign-in's 1 s).
        with pytest.raises(oauth_errors.SignInTimeout):
            await asyncio.wait_for(signed_in(org, open_browser=only_attack, timeout=1), 8)
        for reader, _writer in held:
            await asyncio.wait_for(reader.read(), ANSWER_DEADLINE)
    finally:
        for _reader, writer in held:
            writer.close()


async def test_loopback_attack_read_deadline_closes_silent_and_dribbling_connections(org: DemoOrg) -> None:
    """Each connection has a deadline for its whole request head — per connection, not per byte."""
    pending = Pending(org)
    async with LoopbackReceiver(org.callback_urls, pending.state, read_timeout=0.5, timeout=60) as receiver:
        port = int(urlsplit(receiver.redirect_uri).port or 0)
        silent_reader, silent_writer = await asyncio.open_connection("127.0.0.1", port)
        drip_reader, drip_writer = await asyncio.open_connection("127.0.0.1", port)

        async def dribble() -> None:
            with contextlib.suppress(ConnectionError):
                for byte in (b"GET /callback?state=x HTTP/1.1\r\nX: " + b"a" * 10_000):
                    drip_writer.write(bytes([byte]))
                    await drip_writer.drain()
                    await asyncio.sleep(0.05)

        dripping = asyncio.create_task(dribble())
        try:
            assert status(await asyncio.wait_for(silent_reader.read(), ANSWER_DEADLINE)) == 400
            assert status(await asyncio.wait_for(drip_reader.read(), ANSWER_DEADLINE)) == 400
        finally:
            dripping.cancel()
            silent_writer.close()
            drip_writer.close()
        await pending.finish(receiver)


async def test_loopback_attack_many_connections_at_once(org: DemoOrg) -> None:
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    counts: dict[str, int] = {}

    async def attack(cb: Callback) -> None:
        for _ in range(300):  # far more than the receiver keeps: the oldest are pushed out
            idle.append(await asyncio.open_connection("127.0.0.1", cb.port))
        forged = get(cb.target(code=FAKE_CODE, state="wrong"))
        answers = await asyncio.gather(*(raw(cb.port, forged) for _ in range(100)))
        assert all(status(a) in (400, None) for a in answers)  # refused, or pushed out unanswered
        counts["refused"] = sum(status(a) == 400 for a in answers)
        # The oldest idle ones were closed to make room; they see the end of the stream, no answer.
        counts["closed"] = 0
        for reader, _writer in idle[:200]:
            data = await asyncio.wait_for(reader.read(), ANSWER_DEADLINE)
            counts["closed"] += data == b""

    try:
        await sign_in_after(org, attack)  # the real browser is a newer connection: it gets in
    finally:
        for _reader, writer in idle:
            writer.close()
    assert counts["refused"] >= 1
    assert counts["closed"] == 200


async def test_loopback_attack_not_reachable_from_a_non_loopback_address(org: DemoOrg) -> None:
    pending = Pending(org)
    async with LoopbackReceiver(org.callback_urls, pending.state, timeout=60) as receiver:
        port = int(urlsplit(receiver.redirect_uri).port or 0)
        bound = receiver.listening_on
        assert bound and all(ipaddress.ip_address(host).is_loopback for host, _ in bound), bound
        if _ipv6_loopback():
            assert {host for host, _ in bound} == {"127.0.0.1", "::1"}
        # What the operating system says listens on that port: loopback addresses only.
        listening = _listening_addresses(port)
        if listening is not None:
            assert listening and all(a.is_loopback for a in listening), listening
        outside = _non_loopback_addresses()
        if not outside:
            pytest.skip("this machine has no non-loopback address to try")
        path = urlsplit(receiver.redirect_uri).path
        request = get(f"{path}?code={FAKE_CODE}&state={pending.state}")  # even with the right state
        for address in outside:
            with pytest.raises(ConnectionRefusedError):
                await raw(port, request, address=str(address))
        # A socket bound to a network address can still reach 127.0.0.1 from this machine; no real
        # browser does that, so it is closed unanswered before anything is read.
        from_outside = [a for a in outside if a.version == 4]
        for address in from_outside:
            assert await raw(port, request, source=str(address)) == b""
        assert receiver.rejected == len(from_outside)
        await pending.finish(receiver)


def _listening_addresses(port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address] | None:
    """Addresses in LISTEN state on ``port`` according to Linux's /proc/net/tcp*; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    found: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for name, width in (("tcp", 8), ("tcp6", 32)):
        table = Path("/proc/net") / name
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            hex_address, hex_port = local.split(":")
            if state != "0A" or int(hex_port, 16) != port or len(hex_address) != width:
                continue
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw_bytes = b"".join(bytes.fromhex(hex_address[i:i + 8])[::-1] for i in range(0, width, 8))
            found.append(ipaddress.ip_address(raw_bytes))
    return found


def _non_loopback_addresses() -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """This machine's own network addresses: the host name's, and the one the default route uses."""
    found: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
    with contextlib.suppress(OSError):
        for *_rest, sockaddr in socket.getaddrinfo(socket.gethostname(), None, proto=socket.IPPROTO_TCP):
            found.add(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]))
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))  # UDP connect sends nothing: it only picks the route's source address
            found.add(ipaddress.ip_address(udp.getsockname()[0]))
    return sorted((a for a in found if not (a.is_loopback or a.is_link_local or a.is_unspecified)), key=str)
