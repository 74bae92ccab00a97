"""One HTTP attempt whose whole answer must arrive in time and fit in a size cap.

Why: httpx's read timeout is the longest *silence* between two pieces of an answer, so a server that
drips a byte a second, or streams without end, is never timed out; and a 50 MB answer is read into
memory in full.  Here the request and its body share one budget (``asyncio.timeout``) and the body is
read in pieces, counted, and abandoned past the cap.
"""

from __future__ import annotations

import asyncio

import httpx

from app.salesforce.errors import ResponseProblem, UnreadableResponse
from app.salesforce.response_check import unreadable

# Headers describing the wire form of a body we have already decoded and read.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class AttemptTimedOut(Exception):
    """One attempt ran past its share of the deadline (silent, dripping or endless answer)."""


def release_stream(resp: httpx.Response) -> None:
    """Let a streamed response be freed as soon as nobody holds it.

    httpx's ``Response`` and the stream wrapper it keeps point at each other, so every response — a
    query page holds its whole 1.5 MB body — waited for Python's cyclic collector, which a pull
    pauses (see ``app.sync.gc_pause``).  Its body has been copied out (or abandoned) by now.
    """
    resp.stream = httpx.ByteStream(b"")


def too_large(status: int, cap: int) -> UnreadableResponse:
    return unreadable(ResponseProblem.TOO_LARGE, f"more than {cap // (1024 * 1024)} MB", status=status)


def _read_response(resp: httpx.Response, body: bytes) -> httpx.Response:
    """A plain, fully read response: the streamed one's status and headers with its decoded body."""
    headers = [(k, v) for k, v in resp.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
    read = httpx.Response(resp.status_code, headers=headers, content=body, request=resp.request)
    read.headers = resp.headers  # as they came over the wire (the body is decoded already)
    return read


async def send_bounded(http: httpx.AsyncClient, request: httpx.Request, budget: float, cap: int) -> httpx.Response:
    """Send ``request`` and read its (decoded) body within ``budget`` seconds and ``cap`` bytes.

    Raises ``AttemptTimedOut``, ``UnreadableResponse`` (``TOO_LARGE``) or httpx's own errors.
    """
    try:
        async with asyncio.timeout(budget):
            resp = await http.send(request, stream=True)
            try:
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap and "content-encoding" not in resp.headers:
                    raise too_large(resp.status_code, cap)
                chunks: list[bytes] = []
                size = 0
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > cap:
                        raise too_large(resp.status_code, cap)
                    chunks.append(chunk)
            finally:
                await resp.aclose()
                release_stream(resp)
    except TimeoutError:
        raise AttemptTimedOut from None
    return _read_response(resp, b"".join(chunks))
