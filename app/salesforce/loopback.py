"""The one-shot HTTP listener that receives Salesforce's redirect after the advisor signs in.

It runs on the app's event loop (``asyncio.start_server``; qasync in the GUI), so no threads. It is
deliberately tiny and strict — the RFC 8252 "loopback redirect" pattern as the Salesforce CLI does it:
only ``GET`` on the exact registered path, the ``state`` must match (anything else gets a 400 page and
the receiver keeps waiting for the real redirect), one successful use, then it closes.
Salesforce matches callback URLs exactly (scheme, host spelling, port, path) and browsers may resolve
``localhost`` to 127.0.0.1 or ::1, so for ``localhost`` we listen on both.

While it waits, anything on this machine can connect, so every connection is bounded: the request head
has a size cap (per line and in total), the whole read has a deadline, only the newest few connections
are kept (the oldest idle one is dropped for a new one, so a flood of silent sockets cannot lock the real
browser out), and a peer that is not a loopback address is refused before anything is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import html
import ipaddress
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from app.salesforce.oauth_errors import (
    OAuthError,
    OAuthFailure,
    oauth_error,
    port_busy,
    sign_in_cancelled,
    sign_in_timeout,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300.0
_MAX_REQUEST_BYTES = 16 * 1024  # one line of the request head (the StreamReader limit)
_MAX_HEAD_BYTES = 64 * 1024  # the whole request head: request line and headers
_MAX_HEADERS = 100
_MAX_CONNECTIONS = 32  # open at once; a new one pushes out the oldest
_READ_TIMEOUT = 10.0  # from accepting a connection to having read its whole request head
_SECURITY_HEADERS = (
    "Cache-Control: no-store\r\n"
    "Referrer-Policy: no-referrer\r\n"  # the code must never leak to another site via Referer
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
)
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:5rem auto;padding:0 1rem;color:#1d2733}}
h1{{font-size:1.4rem}}</style></head><body><h1>{title}</h1><p>{text}</p></body></html>"""


@dataclass(frozen=True)
class CallbackResult:
    code: str
    redirect_uri: str


@dataclass(frozen=True)
class _Target:
    url: str
    host: str
    port: int
    path: str


def parse_callback_url(url: str) -> _Target:
    """Validate a registered callback URL: ``http://localhost:PORT/path`` (or a loopback IP)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme != "http" or host not in ("localhost", "127.0.0.1", "::1"):
        raise ValueError(f"{url} is not a loopback callback; use http://localhost:PORT/callback")
    try:
        port = parts.port
    except ValueError:
        port = None
    if not port:
        raise ValueError(f"{url} needs an explicit port, for example http://localhost:7681/callback")
    return _Target(url.strip(), host, port, parts.path or "/")


class LoopbackReceiver:
    """Receive one OAuth redirect on the first free registered callback URL.

    Usage::

        async with LoopbackReceiver(callback_urls, state) as receiver:
            url = build_authorize_url(..., redirect_uri=receiver.redirect_uri)
            code = (await receiver.wait()).code
    """

    def __init__(self, callback_urls: Sequence[str], state: str, *, timeout: float = DEFAULT_TIMEOUT,
                 read_timeout: float = _READ_TIMEOUT) -> None:
        if not callback_urls:
            raise ValueError("at least one callback URL is required")
        if not state:
            raise ValueError("state is required")
        self._targets = [parse_callback_url(u) for u in callback_urls]
        self._state = state
        self._timeout = timeout
        self._read_timeout = read_timeout
        self._servers: list[asyncio.Server] = []
        self._target: _Target | None = None
        self._result: asyncio.Future[CallbackResult] | None = None
        self._done = False
        self._connections: dict[asyncio.StreamWriter, None] = {}  # oldest first
        self._closing = False
        self.rejected = 0  # callbacks refused (wrong state, path, method, peer): visible to tests and logs
        self.dropped = 0  # connections closed unanswered to make room for newer ones

    @property
    def redirect_uri(self) -> str:
        if self._target is None:
            raise RuntimeError("call start() first")
        return self._target.url

    @property
    def listening_on(self) -> list[tuple[str, int]]:
        return [s.sockets[0].getsockname()[:2] for s in self._servers if s.sockets]

    async def __aenter__(self) -> LoopbackReceiver:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> str:
        """Bind the first callback port that is free; return the redirect URI to send to Salesforce."""
        self._result = asyncio.get_running_loop().create_future()
        busy: list[int] = []
        for target in self._targets:
            servers = await self._bind(target)
            if servers:
                self._servers, self._target = servers, target
                log.info("sign-in receiver listening on %s", self.listening_on)
                return target.url
            busy.append(target.port)
        raise port_busy(busy, await _suggest_free_port(busy))

    async def _bind(self, target: _Target) -> list[asyncio.Server]:
        hosts = ["127.0.0.1", "::1"] if target.host == "localhost" else [target.host]
        servers: list[asyncio.Server] = []
        for host in hosts:
            try:
                server = await asyncio.start_server(
                    self._handle, host, target.port, limit=_MAX_REQUEST_BYTES,
                    family=socket.AF_INET6 if ":" in host else socket.AF_INET,
                )
            except OSError as exc:
                if host == "::1" and target.host == "localhost" and exc.errno != errno.EADDRINUSE:
                    # No IPv6 loopback on this machine: browsers then resolve localhost to 127.0.0.1.
                    log.info("IPv6 loopback unavailable (%s); listening on 127.0.0.1 only", exc.strerror)
                    continue
                for s in servers:
                    s.close()
                    await s.wait_closed()
                log.info("callback port %s unavailable on %s: %s", target.port, host, exc.strerror)
                return []
            servers.append(server)
        return servers

    async def wait(self) -> CallbackResult:
        """Wait for the genuine redirect. Raises an ``OAuthError`` (timeout, cancel, denied …)."""
        if self._result is None:
            await self.start()
        assert self._result is not None
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), self._timeout)
        except TimeoutError:
            self._finish(exc=sign_in_timeout(self._timeout))
            raise sign_in_timeout(self._timeout) from None
        finally:
            await self.close()

    def cancel(self) -> None:
        """The advisor pressed Cancel: ``wait()`` raises ``SignInCancelled``."""
        self._finish(exc=sign_in_cancelled())

    async def close(self) -> None:
        self._closing = True
        servers, self._servers = self._servers, []
        for server in servers:
            server.close()
        # Browsers open speculative connections they never use; on Python ≥ 3.12 wait_closed() would
        # wait for them, so close them (buffered answers are still flushed).
        for writer in list(self._connections):
            writer.close()
        for server in servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()

    def _finish(self, result: CallbackResult | None = None, exc: OAuthError | None = None) -> None:
        self._done = True
        if self._result is not None and not self._result.done():
            if exc is not None:
                self._result.set_exception(exc)
                self._result.exception()  # mark retrieved: nobody may be waiting (cancel after timeout)
            else:
                assert result is not None
                self._result.set_result(result)
        for server in self._servers:
            server.close()  # stop accepting; the current connection still gets its page

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._closing:  # accepted just before close(): answering it could outlive the receiver
            writer.close()
            return
        if not _is_loopback_peer(writer.get_extra_info("peername")):
            # Packets from other machines cannot reach 127.0.0.1/::1, but a local socket bound to a
            # network address can; a real browser on this computer never does that. Not even a page.
            self.rejected += 1
            log.warning("sign-in receiver refused a connection from a non-loopback address")
            writer.close()
            return
        while len(self._connections) >= _MAX_CONNECTIONS:
            oldest = next(iter(self._connections))
            self._connections.pop(oldest)
            self.dropped += 1
            oldest.close()
        self._connections[writer] = None
        try:
            try:
                status, title, text = await asyncio.wait_for(self._process(reader), self._read_timeout)
            except (TimeoutError, asyncio.LimitOverrunError, ValueError, OSError):
                status, title, text = 400, "Bad request", "Notebridge could not read this request."
            if not writer.is_closing():  # pushed out for a newer connection, or the receiver closed
                await _respond(writer, status, title, text)
        finally:
            self._connections.pop(writer, None)

    async def _process(self, reader: asyncio.StreamReader) -> tuple[int, str, str]:
        raw = await reader.readline()
        head_bytes = len(raw)
        request_line = raw.decode("latin-1").rstrip("\r\n")
        headers: dict[str, str] = {}
        for _ in range(_MAX_HEADERS + 1):
            raw = await reader.readline()
            head_bytes += len(raw)
            if head_bytes > _MAX_HEAD_BYTES:
                raise ValueError("request head too large")
            line = raw.decode("latin-1").rstrip("\r\n")
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        else:
            raise ValueError("too many headers")
        method, _, rest = request_line.partition(" ")
        target, _, _version = rest.partition(" ")
        assert self._target is not None
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or parts.path != self._target.path:  # origin-form only
            self.rejected += 1
            return 404, "Not found", "This address is only used to finish signing in to Salesforce."
        if method != "GET":
            self.rejected += 1
            return 405, "Not allowed", "This address is only used to finish signing in to Salesforce."
        if self._done:
            return 410, "Already used", "This sign-in has finished. You can close this tab."
        host = headers.get("host", "")
        if host and _host_name(host) not in ("localhost", "127.0.0.1", "::1"):
            self.rejected += 1  # DNS rebinding: a web page posing as localhost
            return 400, "Wrong address", "This request did not come from your own computer."
        query = parse_qs(parts.query, keep_blank_values=True)
        state = (query.get("state") or [""])[0]
        if not state or not hmac.compare_digest(state.encode(), self._state.encode()):
            self.rejected += 1
            log.warning("sign-in callback with a missing or wrong state refused; still waiting")
            return 400, "This sign-in link isn't for this window", (
                "It does not match the sign-in Notebridge started, so it was ignored. "
                "Return to Notebridge and finish the sign-in from there."
            )
        error = (query.get("error") or [""])[0]
        if error:
            exc = oauth_error(
                error, (query.get("error_description") or [""])[0], stage="authorize",
                callback_url=self._target.url,
            )
            self._finish(exc=exc)
            closing = " You can close this tab and return to Notebridge."
            return 200, exc.message, html.escape(exc.fix) + closing
        code = (query.get("code") or [""])[0]
        if not code:
            exc = OAuthFailure(
                "Salesforce returned to Notebridge without a sign-in code.",
                "Start the sign-in again.", error_code="missing_code",
            )
            self._finish(exc=exc)
            return 400, "Sign-in incomplete", "Salesforce did not send a sign-in code. Return to Notebridge."
        self._finish(CallbackResult(code, self._target.url))
        return 200, "Signed in to Salesforce", "You can close this tab and return to Notebridge."


async def _respond(writer: asyncio.StreamWriter, status: int, title: str, text: str) -> None:
    reasons = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 410: "Gone"}
    body = _PAGE.format(title=html.escape(title), text=text).encode()
    head = (
        f"HTTP/1.1 {status} {reasons.get(status, 'Error')}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        + ("Allow: GET\r\n" if status == 405 else "")
        + _SECURITY_HEADERS
        + "Connection: close\r\n\r\n"
    )
    try:
        writer.write(head.encode("latin-1") + body)
        await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def _host_name(host_header: str) -> str:
    """The host of a ``Host`` header without its port: ``[::1]:7681`` → ``::1``, ``localhost`` → itself."""
    return (urlsplit("//" + host_header).hostname or "").lower()


def _is_loopback_peer(peer: object) -> bool:
    """``peer`` is the socket's peername: ``(host, port)`` or ``(host, port, flowinfo, scope_id)``."""
    if not isinstance(peer, tuple) or not peer:
        return False
    try:
        address = ipaddress.ip_address(str(peer[0]).split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


async def _suggest_free_port(busy: list[int]) -> int | None:
    """A nearby free port to suggest registering, checked by binding it for a moment."""
    for candidate in [p + i for p in busy[:1] for i in range(1, 50)]:
        if candidate > 65535 or candidate in busy:
            continue
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                s.bind(("127.0.0.1", candidate))
            return candidate
        except OSError:
            continue
    return None
