"""The request core under ``SalesforceClient``: authentication, refresh, retries and usage tracking.

Rules, in the order a request meets them:
1. Every response's ``Sforce-Limit-Info`` updates ``api_usage``; every request that reached (or may
   have reached) Salesforce bumps ``api_calls`` — the number the org counts against its daily limit
   (the versions list is free and not counted).
2. 401 → refresh the access token once and replay. Concurrent 401s share one refresh: whoever gets the
   lock first refreshes, the others see the token has changed and simply replay. Not for "This
   session is not valid for use with the REST API": that is the app's session policy in the org, a
   new token has the same policy, so ``RestSessionRefused`` is raised at once.
3. 5xx and connection failures are retried with exponential backoff and jitter — only for requests
   that are safe to repeat. A connection that failed before the request was sent is always safe.
   A create whose response was lost raises ``OutcomeUnknown`` instead: re-sending could duplicate.
4. ``REQUEST_LIMIT_EXCEEDED`` for the daily total is raised at once, never retried. The same code for
   the org's concurrent long-request limit (``ConcurrentLimitExceeded``) is retried with the short
   backoff of rule 3, for any method: Salesforce refused it before running it.
5. Every call has a total deadline (``Deadlines``): each attempt, body included, must finish within
   ``attempt`` seconds and the call with its retries within ``call`` seconds, so a silent or
   dripping server costs bounded time; a body past ``max_body_bytes`` is cut off. A redirect (e.g.
   to a login page) is never followed. These raise ``DeadlineExceeded`` / ``UnreadableResponse`` —
   or ``OutcomeUnknown`` for a write that is not safe to repeat, since it may have been saved.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.salesforce import urls
from app.salesforce.bounded_read import AttemptTimedOut, send_bounded
from app.salesforce.errors import (
    ConcurrentLimitExceeded,
    DeadlineExceeded,
    OutcomeUnknown,
    ResponseProblem,
    SalesforceError,
    SessionExpired,
    TlsError,
    UnreadableResponse,
    error_from_response,
    is_rest_session_refusal,
    parse_error_details,
)
from app.salesforce.limits import ApiUsage, usage_from_headers
from app.salesforce.response_check import diagnose, unknown_outcome, unreadable
from app.salesforce.transport import (
    DEFAULT_DEADLINES,
    MAYBE_SENT_ERRORS,
    NOT_SENT_ERRORS,
    Deadlines,
    backoff_delay,
    make_http_client,
    network_error,
)
from app.salesforce.versions import MAX_API_VERSION, is_version, pick_version

log = logging.getLogger(__name__)

RefreshHook = Callable[[], Awaitable[str]]
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# A gateway timing out or failing may have passed a write on to Salesforce before giving up.
_AMBIGUOUS_STATUSES = frozenset({502, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# The request may have reached Salesforce: a network error after sending, or our own deadline.
_MAYBE_SENT: tuple[type[Exception], ...] = (*MAYBE_SENT_ERRORS, AttemptTimedOut)


class RestSession:
    def __init__(
        self,
        instance_url: str,
        access_token: str,
        *,
        api_version: str | None = None,
        refresh: RefreshHook | None = None,
        ca_file: str | None = None,
        max_retries: int = 4,
        retry_backoff: float = 0.5,
        retry_backoff_max: float = 30.0,
        timeout: httpx.Timeout | float | None = None,
        max_api_version: str = MAX_API_VERSION,
        on_usage: Callable[[ApiUsage], None] | None = None,
        deadlines: Deadlines | None = None,
    ) -> None:
        parts = urlsplit(instance_url.strip())
        local = urls.is_local_host(parts.hostname or "")
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            raise ValueError("Salesforce instance URLs must use https://")
        if api_version is not None and not is_version(api_version.lstrip("v")):
            raise ValueError(f"not an API version: {api_version!r} (expected e.g. '{MAX_API_VERSION}')")
        self.instance_url = f"{parts.scheme}://{parts.netloc}"
        self._token = access_token
        self._refresh = refresh
        self._api_version = api_version.lstrip("v") if api_version else None
        self._max_api_version = max_api_version
        self.max_retries = max_retries
        self.retry_backoff = retry_backoff
        self.retry_backoff_max = retry_backoff_max
        self._on_usage = on_usage
        self.deadlines = deadlines or DEFAULT_DEADLINES
        if timeout is None:
            timeout = self.deadlines.timeout()
        self._http = make_http_client(self.instance_url, ca_file=ca_file, timeout=timeout)
        self._refresh_lock = asyncio.Lock()
        self._version_lock = asyncio.Lock()
        self._dead_token: str | None = None
        self._refresh_error: SalesforceError | None = None
        self._usage: ApiUsage | None = None
        self.api_calls = 0
        self.refresh_count = 0
        self.retry_count = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.instance_url!r}, api_version={self._api_version!r})"

    async def __aenter__(self) -> RestSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- state visible to the engines --------------------------------------------------------------

    @property
    def api_usage(self) -> tuple[int, int] | None:
        """(used, max) of the org's daily API requests, from the latest response; None until known."""
        return self._usage.as_tuple() if self._usage else None

    @property
    def usage(self) -> ApiUsage | None:
        return self._usage

    @property
    def api_version(self) -> str | None:
        return self._api_version

    def set_access_token(self, token: str) -> None:
        self._token = token

    def _note_usage(self, usage: ApiUsage | None) -> None:
        if usage is None:
            return
        self._usage = usage
        if self._on_usage is not None:
            try:
                self._on_usage(usage)
            except Exception:  # a listener must never break a request
                log.exception("API usage listener failed")

    # -- API version ------------------------------------------------------------------------------

    async def ensure_api_version(self) -> str:
        if self._api_version:
            return self._api_version
        async with self._version_lock:
            if not self._api_version:
                resp = await self.request("GET", "/services/data/", counts=False)
                listed = json_of(resp)
                if not isinstance(listed, list) or not all(isinstance(v, dict) for v in listed):
                    raise unreadable(ResponseProblem.WRONG_SHAPE, "expected the list of API versions")
                version = pick_version(listed, self._max_api_version)
                if version is None:
                    raise SalesforceError(
                        "This Salesforce org does not offer an API version Notebridge can use.",
                        error_code="NO_API_VERSION",
                    )
                self._api_version = version
                log.info("using Salesforce REST API v%s", version)
        return self._api_version

    async def data_path(self, path: str) -> str:
        """``sobjects/Contact`` → ``/services/data/v66.0/sobjects/Contact``."""
        version = await self.ensure_api_version()
        return f"{urls.data_root(version)}/{path.lstrip('/')}"

    # -- the request loop ---------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        counts: bool = True,
        gone_ok_after_retry: bool = False,
    ) -> httpx.Response:
        """Send one logical request (maybe several attempts). Returns a 2xx/3xx response or raises.

        ``gone_ok_after_retry``: for deletes — when an earlier attempt's response was lost and the
        retry says the record is gone, the first attempt did the job; return that 404 as success.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        url = self._resolve(path)
        shown = urlsplit(url).path  # log the path only: query strings may carry customer data
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.deadlines.call
        attempt = 0
        refreshed = False
        maybe_sent_before = False
        while True:
            token = self._token
            request_headers = {"Authorization": f"Bearer {token}", **(headers or {})}
            budget = min(self.deadlines.attempt, deadline - loop.time())
            if budget <= 0:
                raise self._deadline_error(idempotent, maybe_sent_before)
            try:
                resp = await self._attempt(method, url, params, json_body, request_headers, budget)
            except NOT_SENT_ERRORS as exc:
                failure = network_error(exc, url)
                if isinstance(failure, TlsError):
                    raise failure from None  # an untrusted certificate will not fix itself on retry
                if await self._retry(attempt, deadline, f"{method} {shown}: {type(exc).__name__}"):
                    attempt += 1
                    continue
                raise failure from None
            except _MAYBE_SENT as exc:
                if counts:
                    self.api_calls += 1
                if not idempotent:
                    log.warning("%s %s: response lost (%s)", method, shown, type(exc).__name__)
                    if isinstance(exc, AttemptTimedOut | httpx.TimeoutException):  # sent, then silence
                        raise self._deadline_error(idempotent, True) from None
                    raise OutcomeUnknown(
                        "The connection to Salesforce broke after the request was sent, so it is not "
                        "known whether Salesforce saved it. Check before sending it again.",
                    ) from None
                maybe_sent_before = True
                if await self._retry(attempt, deadline, f"{method} {shown}: {type(exc).__name__}"):
                    attempt += 1
                    continue
                if isinstance(exc, AttemptTimedOut):
                    raise self._deadline_error(idempotent, maybe_sent_before) from None
                raise network_error(exc, url) from None
            except UnreadableResponse as exc:  # too large: it will be as large the next time
                if counts:
                    self.api_calls += 1
                raise unknown_outcome(exc) if not idempotent else exc from None
            except httpx.HTTPError as exc:
                raise network_error(exc, url) from None

            if counts:
                self.api_calls += 1
            self._note_usage(usage_from_headers(resp.headers))
            status = resp.status_code
            log.debug("%s %s -> %s", method, shown, status)
            if status < 300 or (status == 300 and method == "PATCH"):
                return resp
            if status in _REDIRECTS:
                raise self._redirected(resp, idempotent)
            if status == 401 and not refreshed and self._is_session_error(resp):
                refreshed = True
                await self._refresh_after(token)
                continue
            if status == 404 and gone_ok_after_retry and maybe_sent_before:
                return resp
            error = error_from_response(status, resp.content, resp.headers.get("content-type", ""))
            if isinstance(error, ConcurrentLimitExceeded) and await self._retry(
                attempt, deadline, f"{method} {shown}: concurrent request limit", resp.headers.get("retry-after")
            ):
                attempt += 1
                continue
            if gone_ok_after_retry and maybe_sent_before and error.error_code == "ENTITY_IS_DELETED":
                return resp
            retryable = status in RETRY_STATUSES and error.error_code != "REQUEST_LIMIT_EXCEEDED"
            if retryable and idempotent and await self._retry(
                attempt, deadline, f"{method} {shown}: HTTP {status}", resp.headers.get("retry-after")
            ):
                attempt += 1
                continue
            if not idempotent and status in _AMBIGUOUS_STATUSES:
                raise OutcomeUnknown(
                    f"A gateway between Notebridge and Salesforce failed (HTTP {status}) after the "
                    "request was sent, so it is not known whether Salesforce saved it.",
                    status=status,
                )
            raise error

    async def _attempt(
        self, method: str, url: str, params: Mapping[str, Any] | None, json_body: Any,
        headers: Mapping[str, str], budget: float,
    ) -> httpx.Response:
        request = self._http.build_request(method, url, params=params, json=json_body, headers=headers)
        return await send_bounded(self._http, request, budget, self.deadlines.max_body_bytes)

    async def _retry(self, attempt: int, deadline: float, why: str, retry_after: str | None = None) -> bool:
        """Pause before the next attempt; False when retries are spent or no time would be left."""
        if attempt >= self.max_retries:
            return False
        delay = backoff_delay(attempt, self.retry_backoff, self.retry_backoff_max, retry_after)
        if asyncio.get_running_loop().time() + delay >= deadline:
            log.info("%s; no time left for a retry", why)
            return False
        log.info("%s; retry %d/%d in %.2fs", why, attempt + 1, self.max_retries, delay)
        self.retry_count += 1
        await asyncio.sleep(delay)
        return True

    def _deadline_error(self, idempotent: bool, maybe_sent: bool) -> SalesforceError:
        seconds = f"{self.deadlines.call:g}"
        if not idempotent and maybe_sent:
            return OutcomeUnknown(
                f"Salesforce did not finish answering within {seconds} seconds after the request was "
                "sent, so it is not known whether Salesforce saved it. Check before sending it again.",
                error_code="DEADLINE_EXCEEDED",
            )
        return DeadlineExceeded(
            f"Salesforce did not finish answering within {seconds} seconds. Notebridge will try again later."
        )

    def _redirected(self, resp: httpx.Response, idempotent: bool) -> SalesforceError:
        """A 3xx is never followed (it would carry the token elsewhere): say where it pointed."""
        target = urlsplit(resp.headers.get("location", ""))
        where = "a sign-in page" if "login" in (target.path + (target.hostname or "")).lower() else "another page"
        error = unreadable(ResponseProblem.REDIRECT, f"HTTP {resp.status_code} to {where}", status=resp.status_code)
        # A redirect normally means the request was not carried out; a write is still checked first.
        return error if idempotent else unknown_outcome(error)

    @staticmethod
    def _is_session_error(resp: httpx.Response) -> bool:
        """A 401 is worth a refresh unless Salesforce says something else is wrong — including the
        app's session policy refusing the REST API, which a new token of the same app cannot cure."""
        details = parse_error_details(resp.content)
        if details and is_rest_session_refusal(details[0]):
            return False
        return not details or details[0].error_code in ("INVALID_SESSION_ID", "INVALID_AUTH_HEADER")

    async def _refresh_after(self, failed_token: str) -> None:
        async with self._refresh_lock:
            if self._token != failed_token:
                return  # another request refreshed while we waited: just replay
            if self._dead_token == failed_token and self._refresh_error is not None:
                raise self._refresh_error
            if self._refresh is None:
                raise SessionExpired(
                    "Your Salesforce session expired — sign in again.", status=401,
                )
            log.info("access token expired; refreshing")
            try:
                new_token = await self._refresh()
            except SessionExpired as exc:  # the refresh token is dead too: remember, don't hammer
                self._dead_token, self._refresh_error = failed_token, exc
                raise
            self._token = new_token
            self.refresh_count += 1

    def _resolve(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            if not urls.same_origin(path, self.instance_url):
                raise ValueError("refusing to send the access token to another host")
            return path
        if not path.startswith("/"):
            raise ValueError(f"paths are absolute (start with /services/…): {path!r}")
        return self.instance_url + path


def json_of(resp: httpx.Response) -> Any:
    """The body's JSON, or ``UnreadableResponse`` saying why not (a page, invalid UTF-8, cut off)."""
    try:
        return resp.json()
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise diagnose(resp.content, resp.headers.get("content-type", ""), status=resp.status_code) from None
