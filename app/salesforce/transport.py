"""How Notebridge opens HTTP connections to Salesforce: TLS, proxies, timeouts, retry pacing.

* TLS is always verified, against the operating system's trust store (``truststore``), so corporate
  TLS-inspecting proxies whose root CA IT installed on the laptop just work. An extra CA file can be
  added (the demo org's throwaway CA); verification is never switched off.
* Proxy environment variables are honoured (``trust_env``), except for loopback addresses, which
  never go through a proxy (the demo org and the sign-in callback live there).
* HTTP/1.1 with keep-alive: one TLS handshake per host for a whole sync.
"""

from __future__ import annotations

import contextlib
import secrets
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import truststore

from app import __version__
from app.salesforce.errors import DeadlineExceeded, NetworkError, SalesforceError, TlsError
from app.salesforce.urls import is_local_host

USER_AGENT = f"Notebridge/{__version__}"


@dataclass(frozen=True)
class Deadlines:
    """How long one call to Salesforce may take, and how much it may send back.

    ``read`` is the longest silence between two pieces of an answer (httpx's read timeout) — a
    2000-record query page normally starts arriving within seconds.  Silence alone is not enough: a
    server dripping a byte a second never goes silent, so ``attempt`` bounds one whole request and
    its answer, and ``call`` bounds a logical call including its retries and the pauses between
    them.  ``max_body_bytes``: a query page of 2000 contacts is ~1.5 MB; an answer 20 times that is
    not a real answer.
    """

    read: float = 30.0
    attempt: float = 60.0
    call: float = 120.0
    connect: float = 15.0
    max_body_bytes: int = 32 * 1024 * 1024

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.read, pool=self.read)


DEFAULT_DEADLINES = Deadlines()
DEFAULT_TIMEOUT = DEFAULT_DEADLINES.timeout()
DEFAULT_LIMITS = httpx.Limits(max_connections=8, max_keepalive_connections=4, keepalive_expiry=60.0)

# Exceptions raised before any byte of the request could have reached the server: always safe to
# retry, even for a create.
NOT_SENT_ERRORS: tuple[type[Exception], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Raised after (part of) the request was sent: the server may have acted on it.
MAYBE_SENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ReadError,
    httpx.ReadTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
    httpx.CloseError,
)

_rng = secrets.SystemRandom()


def ssl_context(ca_file: str | None = None) -> ssl.SSLContext:
    """The OS trust store plus, optionally, one extra CA bundle. Hostname checks stay on."""
    ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file:
        ctx.load_verify_locations(cafile=ca_file)
    return ctx


def make_http_client(
    base_url: str = "",
    *,
    ca_file: str | None = None,
    timeout: httpx.Timeout | float | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.AsyncClient:
    host = (urlsplit(base_url).hostname or "") if base_url else ""
    return httpx.AsyncClient(
        base_url=base_url,
        verify=ssl_context(ca_file),
        http1=True,
        http2=False,
        timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
        limits=DEFAULT_LIMITS,
        trust_env=not (host and is_local_host(host)),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
    )


def backoff_delay(attempt: int, base: float, cap: float, retry_after: str | None = None) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random, so clients spread out.

    ``Retry-After`` (seconds) from a 503 wins when it is longer, but never beyond ``cap``.
    """
    exp: float = min(cap, base * (2**attempt))  # int ** int is Any to a type checker
    delay = exp / 2 + _rng.uniform(0, exp / 2)
    if retry_after:
        with contextlib.suppress(ValueError):
            delay = max(delay, min(cap, float(retry_after)))
    return delay


def network_error(exc: Exception, url: str) -> SalesforceError:
    """Translate an httpx transport failure into our vocabulary, naming the host but no secrets."""
    host = urlsplit(url).hostname or url
    cause: BaseException | None = exc
    for _ in range(10):  # walk the cause chain (bounded: chains can loop)
        if cause is None:
            break
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TlsError(
                f"The secure connection to {host} could not be verified ({cause.verify_message}). "
                "Notebridge will not connect to a server it cannot verify; if your company inspects "
                "web traffic, ask IT to install its certificate on this computer.",
                status=None,
            )
        if isinstance(cause, ssl.SSLError):
            return TlsError(f"The secure connection to {host} failed ({cause.reason or cause}).")
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return DeadlineExceeded(f"{host} did not answer in time. Check your internet connection.")
    if isinstance(exc, httpx.ProxyError):
        return NetworkError(f"The proxy server refused the connection to {host}. Check the proxy settings.")
    return NetworkError(f"Could not reach {host}. Check your internet connection. ({type(exc).__name__})")
