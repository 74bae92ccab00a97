"""Checking that a successful answer is what the call expects, before anything reads it.

Why: a 2xx is not proof of an answer.  Proxies, captive portals and a struggling Salesforce have sent
HTML pages, JSON cut off mid-way, invalid UTF-8, ``{}`` and error lists with status 200.  Read
leniently, ``{}`` for a query looks like "0 rows", and reconciliation after a lost create then
"finds nothing" and sends the record again.  So every shape is checked here and a wrong one becomes
an ``UnreadableResponse`` naming the problem — never an empty result, never a ``JSONDecodeError``.

Shapes: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm (query),
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
(collections: one result per record, in order) and .../resources_composite_composite.htm (composite).
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from typing import Any

from app.salesforce.errors import OutcomeUnknown, ResponseProblem, UnreadableResponse, details_from_data
from app.wording import counted

_PLAIN = {
    ResponseProblem.NOT_JSON: "Salesforce sent a web page instead of data",
    ResponseProblem.TRUNCATED: "Salesforce's answer was cut off or garbled",
    ResponseProblem.INVALID_UTF8: "Salesforce's answer contained unreadable characters",
    ResponseProblem.WRONG_SHAPE: "Salesforce's answer was not in the expected form",
    ResponseProblem.ERROR_BODY: "Salesforce answered with an error instead of data",
    ResponseProblem.REDIRECT: "Salesforce sent Notebridge to another page instead of answering",
    ResponseProblem.TOO_LARGE: "Salesforce's answer was far larger than any real answer",
    ResponseProblem.PAGING_LOOP: "Salesforce kept sending the same pages of results",
}
_SHORT = {
    ResponseProblem.NOT_JSON: "a web page instead of data",
    ResponseProblem.TRUNCATED: "cut off or garbled",
    ResponseProblem.INVALID_UTF8: "unreadable characters",
    ResponseProblem.WRONG_SHAPE: "not in the expected form",
    ResponseProblem.ERROR_BODY: "an error instead of data",
    ResponseProblem.REDIRECT: "sent to another page",
    ResponseProblem.TOO_LARGE: "far too large",
    ResponseProblem.PAGING_LOOP: "the same pages over and over",
}
RETRY_LATER = "Nothing was lost; Notebridge will try again later."


def in_short(problem: ResponseProblem) -> str:
    """A few plain words for the problem, to fit in a sentence shown to the advisor."""
    return _SHORT[problem]


def unreadable(problem: ResponseProblem, detail: str = "", *, status: int | None = None,
               cls: type[UnreadableResponse] = UnreadableResponse, **kwargs: Any) -> UnreadableResponse:
    """The error for ``problem`` with a plain-words message (``detail`` is added in brackets)."""
    extra = f" ({detail})" if detail else ""
    return cls(f"{_PLAIN[problem]}{extra}. {RETRY_LATER}", problem, status=status, **kwargs)


def unknown_outcome(exc: UnreadableResponse) -> OutcomeUnknown:
    """A write's answer could not be read: Salesforce may have saved it, so it must be looked up
    (reconciled) before it is sent again — never re-sent blindly, never taken as failed."""
    error = OutcomeUnknown(
        f"{_PLAIN[exc.problem]}, so it is not known whether Salesforce saved what was sent. "
        "Notebridge checks before sending it again.",
        status=exc.status, details=exc.details,
    )
    error.__cause__ = exc
    return error


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:512].lstrip().lower()
    return "html" in content_type.lower() or head.startswith((b"<!doctype", b"<html", b"<?xml", b"<"))


def diagnose(body: bytes, content_type: str = "", *, status: int | None = None) -> UnreadableResponse:
    """Why ``body`` did not parse as JSON: a page, invalid UTF-8, or JSON that stops half-way."""
    if not body.strip():
        return unreadable(ResponseProblem.TRUNCATED, "it was empty", status=status)
    if _looks_like_html(body, content_type):
        return unreadable(ResponseProblem.NOT_JSON, status=status)
    try:
        codecs.decode(body, "utf-8")
    except UnicodeDecodeError:
        return unreadable(ResponseProblem.INVALID_UTF8, status=status)
    return unreadable(ResponseProblem.TRUNCATED, status=status)


def error_list(data: Any) -> UnreadableResponse | None:
    """A 2xx body that is really Salesforce's error list (``[{"errorCode","message"}]``)."""
    if isinstance(data, list) and data and all(isinstance(i, dict) for i in data) \
            and all("errorCode" in i and "success" not in i and "id" not in i for i in data):
        details = details_from_data(data)
        said = details[0].message[:200] if details and details[0].message else details[0].error_code
        return unreadable(ResponseProblem.ERROR_BODY, f"it said: “{said}”", details=details)
    return None


def expect_object(data: Any, what: str, required: Sequence[str] = ()) -> dict[str, Any]:
    """``data`` as a JSON object carrying ``required`` keys, or ``UnreadableResponse``."""
    bad = error_list(data)
    if bad is not None:
        raise bad
    if not isinstance(data, dict):
        raise unreadable(ResponseProblem.WRONG_SHAPE, f"expected {what}")
    missing = [k for k in required if k not in data]
    if missing:
        raise unreadable(ResponseProblem.WRONG_SHAPE, f"{what} without {', '.join(missing)}")
    return data


def check_query_page(data: Any) -> dict[str, Any]:
    """A query page: ``totalSize`` (int), ``done`` (bool), ``records`` (list of objects), and a
    ``nextRecordsUrl`` under ``/services/data/`` whenever ``done`` is false."""
    page = expect_object(data, "a page of query results", ("totalSize", "done", "records"))
    total, done, records = page["totalSize"], page["done"], page["records"]
    if isinstance(total, bool) or not isinstance(total, int) or total < 0 or not isinstance(done, bool):
        raise unreadable(ResponseProblem.WRONG_SHAPE, "query results with a bad count")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise unreadable(ResponseProblem.WRONG_SHAPE, "query results without a list of records")
    next_url = page.get("nextRecordsUrl")
    if not done and not (isinstance(next_url, str) and next_url.startswith("/services/data/")):
        raise unreadable(ResponseProblem.WRONG_SHAPE, "query results that are not finished but have no next page")
    return page


def check_save_results(data: Any, expected: int) -> list[dict[str, Any]]:
    """sObject Collections results: exactly one object with ``success`` per record sent."""
    bad = error_list(data)
    if bad is not None:
        raise bad
    if not isinstance(data, list) or len(data) != expected:
        got = counted(len(data), "result") if isinstance(data, list) else "no list of results"
        raise unreadable(ResponseProblem.WRONG_SHAPE, f"{got} for {counted(expected, 'record')}")
    if not all(isinstance(item, dict) and isinstance(item.get("success"), bool) for item in data):
        raise unreadable(ResponseProblem.WRONG_SHAPE, "a result without success or failure")
    return data


def check_composite(data: Any, expected: int) -> list[dict[str, Any]]:
    """Composite: ``compositeResponse`` with one subresponse (status and referenceId) per subrequest."""
    items = expect_object(data, "composite results", ("compositeResponse",))["compositeResponse"]
    if not isinstance(items, list) or len(items) != expected:
        raise unreadable(ResponseProblem.WRONG_SHAPE, f"composite results for {expected} subrequests")
    for item in items:
        status = item.get("httpStatusCode") if isinstance(item, dict) else None
        if isinstance(status, bool) or not isinstance(status, int) or "referenceId" not in item:
            raise unreadable(ResponseProblem.WRONG_SHAPE, "a composite result without a status")
    return items
