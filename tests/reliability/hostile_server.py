"""A tiny HTTP/1.1 server on 127.0.0.1 that answers the way broken proxies and servers do.

The demo org stays a well-behaved Salesforce; the byte-level misbehaviour (an answer that never ends,
a slow drip, 50 MB, a silent socket) lives here, written with raw asyncio streams so nothing between
the client and the bytes can tidy them up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from enum import StrEnum


class Hostile(StrEnum):
    HTML = "html"
    TRUNCATED = "truncated"
    ERROR_BODY = "error_body"
    EMPTY_OBJECT = "empty_object"
    LOGIN_REDIRECT = "login_redirect"
    HUGE = "huge"  # 50 MB, with Content-Length
    HUGE_UNDECLARED = "huge_undeclared"  # 50 MB, length unknown (ends when the connection closes)
    INVALID_UTF8 = "invalid_utf8"
    NEVER_ENDS = "never_ends"  # chunked, a chunk every 20 ms, forever
    DRIP = "drip"  # one byte every 0.2 s
    SILENT = "silent"  # reads the request, never answers
    PAGING_LOOP = "paging_loop"  # page 2 → page 3 → page 2 …; page 9 → page 9
    ODD_ERROR = "odd_error"  # 400 with an error code nothing in Notebridge knows


FIFTY_MB = 50 * 1024 * 1024
QUERY_STEM = "/services/data/v66.0/query/01gHOSTILE"


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _json_answer(body: bytes, status: str = "200 OK") -> bytes:
    return _head(status, {"Content-Type": "application/json;charset=UTF-8", "Content-Length": str(len(body)),
                          "Connection": "close"}) + body


def _page(n: int, next_n: int) -> bytes:
    page = {"totalSize": 1000, "done": False, "nextRecordsUrl": f"{QUERY_STEM}-{next_n}",
            "records": [{"attributes": {"type": "Contact"}, "Id": f"003000000000{n:03d}AAA"}]}
    return json.dumps(page).encode()


class HostileServer:
    """``async with HostileServer(mode) as server``: ``server.url``, ``server.requests`` (method, path)."""

    def __init__(self, mode: Hostile) -> None:
        self.mode = mode
        self.requests: list[tuple[str, str]] = []
        self.bytes_sent = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> HostileServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _version = lines[0].split(" ", 2)
            length = next((int(line.split(":", 1)[1]) for line in lines[1:]
                           if line.lower().startswith("content-length:")), 0)
            if length:
                await reader.readexactly(length)
            self.requests.append((method, path))
            await self._answer(method, path, writer.write, writer.drain)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            self._tasks.discard(task)

    async def _answer(self, method: str, path: str, write: Callable[[bytes], None],
                      drain: Callable[[], Awaitable[None]]) -> None:
        mode = self.mode

        async def send(data: bytes) -> None:
            write(data)
            self.bytes_sent += len(data)
            await drain()

        if mode is Hostile.HTML:
            body = b"<!DOCTYPE html><html><head><title>Web filter</title></head><body>Blocked</body></html>"
            await send(_head("200 OK", {"Content-Type": "text/html", "Content-Length": str(len(body))}) + body)
        elif mode is Hostile.TRUNCATED:
            cut_off = b'{"totalSize":2,"done":true,"records":[{"attributes":{"type":"Contact"},"Id":"003'
            await send(_json_answer(cut_off))
        elif mode is Hostile.ERROR_BODY:
            await send(_json_answer(b'[{"errorCode":"UNKNOWN_EXCEPTION","message":"An unexpected error occurred."}]'))
        elif mode is Hostile.EMPTY_OBJECT:
            await send(_json_answer(b"{}"))
        elif mode is Hostile.LOGIN_REDIRECT:
            await send(_head("302 Found", {"Location": "https://login.salesforce.com/?startURL=%2Fhome",
                                           "Content-Length": "0"}))
        elif mode is Hostile.INVALID_UTF8:
            await send(_json_answer(b'{"totalSize":1,"done":true,"records":[{"Name":"\xc3\x28\xff"}]}'))
        elif mode in (Hostile.HUGE, Hostile.HUGE_UNDECLARED):
            headers = {"Content-Type": "application/json", "Connection": "close"}
            if mode is Hostile.HUGE:
                headers["Content-Length"] = str(FIFTY_MB)
            await send(_head("200 OK", headers) + b'{"totalSize":1,"done":true,"records":[')
            chunk = b'{"attributes":{"type":"Contact"},"Name":"' + b"x" * 65_000 + b'"},'
            while self.bytes_sent < FIFTY_MB:
                await send(chunk)
        elif mode is Hostile.NEVER_ENDS:
            await send(_head("200 OK", {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
            piece = b'{"Name":"more"},'
            await send(b"%x\r\n%s\r\n" % (len(b'{"records":['), b'{"records":['))
            while True:
                await send(b"%x\r\n%s\r\n" % (len(piece), piece))
                await asyncio.sleep(0.02)
        elif mode is Hostile.DRIP:
            body = b'{"totalSize":0,"done":true,"records":[]}' + b" " * 200
            await send(_head("200 OK", {"Content-Type": "application/json", "Content-Length": str(len(body))}))
            for byte in body:
                await send(bytes([byte]))
                await asyncio.sleep(0.2)
        elif mode is Hostile.SILENT:
            await asyncio.sleep(3600)
        elif mode is Hostile.ODD_ERROR:
            await send(_json_answer(b'[{"errorCode":"WEIRD_ERROR","message":"Something odd."}]', "400 Bad Request"))
        elif mode is Hostile.PAGING_LOOP:
            n = int(path.rsplit("-", 1)[1]) if path.startswith(QUERY_STEM) else 1
            await send(_json_answer(_page(n, n if n == 9 else 3 if n != 3 else 2)))  # page 9 → itself
