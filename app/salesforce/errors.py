"""Typed Salesforce errors, keyed by ``errorCode`` (or ``statusCode`` inside collection results).

Callers decide what to do from the type: refresh (``SessionExpired``), pause for the budget
(``RequestLimitExceeded``), reconcile before retrying (``OutcomeUnknown``), try later
(``ServerUnavailable``, ``NetworkError``) or show Salesforce's message (everything else).
Error shapes: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm —
normally a JSON array of ``{"message","errorCode","fields"}``, but proxies and some endpoints give a
bare object or an HTML page, so parsing never trusts the shape.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class ErrorDetail:
    """One error as Salesforce reports it (a REST error item, a save error or a composite error)."""

    error_code: str
    message: str
    fields: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, item: Any) -> ErrorDetail:
        if not isinstance(item, dict):
            return cls("UNKNOWN_ERROR", str(item)[:500])
        code = item.get("errorCode") or item.get("statusCode") or item.get("error") or "UNKNOWN_ERROR"
        message = item.get("message") or item.get("error_description") or ""
        fields = item.get("fields") or ()
        if isinstance(fields, str):
            fields = (fields,)
        return cls(str(code), str(message), tuple(str(f) for f in fields if f is not None))


class SalesforceError(Exception):
    """Base of every error the Salesforce layer raises. ``str(e)`` is safe to log and show."""

    default_code = "UNKNOWN_ERROR"

    def __init__(
        self,
        message: str,
        *,
        error_code: str | None = None,
        fields: Sequence[str] = (),
        status: int | None = None,
        details: Sequence[ErrorDetail] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code or self.default_code
        self.fields = list(fields)
        self.status = status
        self.details = list(details)
        # For batched writes: results of the chunks that completed before this error.
        self.partial_results: list[Any] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.error_code!r}, {self.message!r}, status={self.status})"


class SessionExpired(SalesforceError):
    """The access token is no longer valid and could not be refreshed (or no refresh was possible)."""

    default_code = "INVALID_SESSION_ID"


class NotFound(SalesforceError):
    default_code = "NOT_FOUND"


class RequestLimitExceeded(SalesforceError):
    """The org's daily API budget is spent. Never retried in a loop: wait for the rolling window."""

    default_code = "REQUEST_LIMIT_EXCEEDED"


class ConcurrentLimitExceeded(SalesforceError):
    """Too many long-running requests are running in the org at once — not the daily allowance.

    Salesforce answers 403 ``REQUEST_LIMIT_EXCEEDED`` for both; only the message tells them apart
    ("TotalRequests Limit exceeded." is the daily total; "ConcurrentPerOrgLongTxn Limit exceeded." and
    "ConcurrentRequests (Concurrent API Requests) Limit exceeded." are the concurrency limit, which
    clears as soon as the org's long requests finish). The request was refused before it was run, so
    it is safe to send again after a short pause, whatever its method.
    Limits: https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html
    ("Concurrent API Request Limits": 25 requests of 20 s or longer in production, 5 in Developer
    Edition; past it "the API returns a REQUEST_LIMIT_EXCEEDED exception code").
    """

    default_code = "CONCURRENT_REQUEST_LIMIT"


class RestSessionRefused(SalesforceError):
    """401 ``INVALID_SESSION_ID`` "This session is not valid for use with the REST API".

    The token is alive, but the org will not let this app's session use the REST API: the app's
    OAuth scopes lack "Manage user data via APIs (api)", or its session policy asks for a
    high-assurance session. A token refresh gives a session with the same policy, so the client
    never refreshes for it, and signing in again does not help either: an admin must change the
    app's settings in Salesforce (``SESSION_POLICY_FIX`` says what, in plain words).
    Sources: https://help.salesforce.com/s/articleView?id=005226515&type=1 (missing ``api`` scope),
    https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm (401).
    """

    default_code = "REST_SESSION_POLICY"


SESSION_POLICY_REASON = (
    "Salesforce accepted your sign-in but does not let Notebridge use it to read or save data. "
    "Signing in again will not change that: it comes from how the Notebridge app is set up in your "
    "Salesforce org."
)
SESSION_POLICY_FIX = (
    "Ask your Salesforce admin to open the Notebridge app in Setup (External Client App Manager, or "
    "Connected Apps), add the OAuth scope “Manage user data via APIs (api)”, and under its session "
    "policies stop requiring a high-assurance session for it. Then choose Reconnect."
)


class ServerUnavailable(SalesforceError):
    """Salesforce (or a proxy in front of it) answered 5xx, also after the retries we allow."""

    default_code = "SERVER_UNAVAILABLE"


class NetworkError(SalesforceError):
    """Salesforce could not be reached at all (no answer, DNS, TLS, offline)."""

    default_code = "NETWORK_ERROR"


class TlsError(NetworkError):
    """The server's certificate was not trusted. Never bypassed; the advisor's IT must fix the trust."""

    default_code = "TLS_ERROR"


class DeadlineExceeded(NetworkError):
    """Salesforce (or something pretending to be it) took longer than the call's total deadline:
    silent, dripping bytes, or never finishing its answer."""

    default_code = "DEADLINE_EXCEEDED"


class ResponseProblem(StrEnum):
    """What was wrong with an answer that arrived but could not be used (the ``error_code``)."""

    NOT_JSON = "NOT_JSON"  # an HTML page or plain text where data was expected
    TRUNCATED = "TRUNCATED_JSON"  # JSON that stops half-way (or is otherwise broken)
    INVALID_UTF8 = "INVALID_UTF8"
    WRONG_SHAPE = "WRONG_SHAPE"  # valid JSON, but not what this call answers (e.g. ``{}`` for a query)
    ERROR_BODY = "ERROR_IN_SUCCESS"  # a 2xx whose body is Salesforce's error list
    REDIRECT = "REDIRECTED"  # a 3xx, e.g. to a login page or a captive portal
    TOO_LARGE = "RESPONSE_TOO_LARGE"
    PAGING_LOOP = "PAGING_LOOP"  # ``nextRecordsUrl`` leads back to a page already read


class UnreadableResponse(SalesforceError):
    """An answer arrived but cannot be trusted. Never read as "no records": try again later.

    ``problem`` says what was wrong; ``error_code`` is its value.
    """

    default_code = "UNREADABLE_RESPONSE"

    def __init__(self, message: str, problem: ResponseProblem, **kwargs: Any) -> None:
        super().__init__(message, error_code=problem.value, **kwargs)
        self.problem = problem


class PagingLoop(UnreadableResponse):
    """Query paging does not end (a ``nextRecordsUrl`` seen before, or more records than promised)."""


class OutcomeUnknown(SalesforceError):
    """A write that is not safe to repeat was sent, but its response was lost.

    Salesforce may or may not have committed it. Callers must look the record up (reconcile) before
    deciding to send it again — re-sending blindly would create a duplicate.
    """

    default_code = "OUTCOME_UNKNOWN"


class MultipleMatches(SalesforceError):
    """Upsert by external ID found more than one record (HTTP 300)."""

    default_code = "MULTIPLE_CHOICES"


class InvalidQuery(SalesforceError):
    default_code = "MALFORMED_QUERY"


class AccessDenied(SalesforceError):
    """The signed-in user lacks a permission (object, field, record, or API access)."""

    default_code = "INSUFFICIENT_ACCESS"


_BY_CODE: dict[str, type[SalesforceError]] = {
    "INVALID_SESSION_ID": SessionExpired,
    "NOT_FOUND": NotFound,
    "REQUEST_LIMIT_EXCEEDED": RequestLimitExceeded,
    "SERVER_UNAVAILABLE": ServerUnavailable,
    "MALFORMED_QUERY": InvalidQuery,
    "INVALID_FIELD": InvalidQuery,
    "INVALID_QUERY_LOCATOR": InvalidQuery,
    "INVALID_TYPE": InvalidQuery,
    "INSUFFICIENT_ACCESS": AccessDenied,
    "INSUFFICIENT_ACCESS_OR_READONLY": AccessDenied,
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": AccessDenied,
    "API_DISABLED_FOR_ORG": AccessDenied,
    "API_CURRENTLY_DISABLED": AccessDenied,
    "FUNCTIONALITY_NOT_ENABLED": AccessDenied,
}
_BY_STATUS: dict[int, type[SalesforceError]] = {
    401: SessionExpired,
    404: NotFound,
    500: ServerUnavailable,
    502: ServerUnavailable,
    503: ServerUnavailable,
    504: ServerUnavailable,
}


# Daily total: "TotalRequests Limit exceeded."; concurrency: "ConcurrentPerOrgLongTxn Limit exceeded.",
# "ConcurrentRequests (Concurrent API Requests) Limit exceeded." Only the concurrency ones are transient;
# anything else keeps the cautious daily reading (never hammer an org that may be out of calls).
_CONCURRENT_LIMIT = re.compile(r"^\s*Concurrent\w*", re.IGNORECASE)
_REST_SESSION_REFUSED = re.compile(r"not valid for use with the REST API", re.IGNORECASE)


def is_concurrent_limit(detail: ErrorDetail) -> bool:
    return detail.error_code.upper() == "REQUEST_LIMIT_EXCEEDED" and bool(_CONCURRENT_LIMIT.match(detail.message))


def is_rest_session_refusal(detail: ErrorDetail) -> bool:
    return detail.error_code.upper() == "INVALID_SESSION_ID" and bool(_REST_SESSION_REFUSED.search(detail.message))


def error_class(code: str, status: int | None) -> type[SalesforceError]:
    cls = _BY_CODE.get(code.upper())
    if cls is None and status is not None:
        cls = _BY_STATUS.get(status)
    return cls or SalesforceError


def parse_error_details(body: bytes | str | None) -> list[ErrorDetail]:
    """Error items from a REST error body in any of the shapes seen in practice; [] if unreadable."""
    if not body:
        return []
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        data = json.loads(text)
    except ValueError:
        return []
    return details_from_data(data)


def details_from_data(data: Any) -> list[ErrorDetail]:
    """Error items from already-parsed JSON: an array, a bare object, or ``{"errors": [...]}``."""
    if isinstance(data, dict):
        wrapped = isinstance(data.get("errors"), list) and not data.get("errorCode")
        data = data["errors"] if wrapped else [data]
    if not isinstance(data, list):
        return []
    return [ErrorDetail.from_json(item) for item in data]


def _page_title(text: str) -> str:
    m = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    return html.unescape(" ".join(m.group(1).split()))[:120] if m else ""


def error_from_response(status: int, body: bytes | str | None, content_type: str = "") -> SalesforceError:
    """Build the typed error for a non-2xx REST response."""
    details = parse_error_details(body)
    if details:
        first = details[0]
        if is_concurrent_limit(first):
            return ConcurrentLimitExceeded(
                "Salesforce is busy: too many long requests are running in your org at once. "
                "Notebridge tries again in a minute; nothing is lost.", fields=first.fields, status=status,
                details=details)
        if is_rest_session_refusal(first):
            return RestSessionRefused(f"{SESSION_POLICY_REASON} {SESSION_POLICY_FIX}", status=status, details=details)
        cls = error_class(first.error_code, status)
        message = first.message or f"Salesforce answered HTTP {status} ({first.error_code})."
        return cls(message, error_code=first.error_code, fields=first.fields, status=status, details=details)
    # Not JSON: a proxy, a captive portal or a maintenance page. Say so, without echoing the page.
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    title = _page_title(text) if "html" in content_type.lower() or "<html" in text[:500].lower() else ""
    cls = _BY_STATUS.get(status, SalesforceError)
    message = f"Salesforce answered HTTP {status} with an unexpected page"
    message += f" (“{title}”)." if title else "."
    if status in (407,):
        message = "A proxy server on your network asked for a password (HTTP 407). Ask your IT team."
    return cls(message, error_code=f"HTTP_{status}", status=status)
