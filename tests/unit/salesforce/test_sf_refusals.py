"""Which refusal a REST error body is (issue 20, items 1 and 2): only the daily total spends the
budget; the concurrent-request limit is transient; the REST session policy is not an expired session."""

from __future__ import annotations

import json

import pytest

from app.salesforce.errors import (
    ConcurrentLimitExceeded,
    RequestLimitExceeded,
    RestSessionRefused,
    SessionExpired,
    error_from_response,
)


def _body(code: str, message: str, *, bare: bool = False) -> bytes:
    item = {"message": message, "errorCode": code}
    return json.dumps(item if bare else [item]).encode()


@pytest.mark.parametrize("message", [
    "ConcurrentPerOrgLongTxn Limit exceeded.",
    "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
    "concurrentrequests limit exceeded",
])
@pytest.mark.parametrize("bare", [False, True])
def test_concurrent_limit_messages_are_not_the_daily_allowance(message: str, bare: bool) -> None:
    error = error_from_response(403, _body("REQUEST_LIMIT_EXCEEDED", message, bare=bare))
    assert isinstance(error, ConcurrentLimitExceeded) and not isinstance(error, RequestLimitExceeded)
    assert error.details[0].message == message and "busy" in error.message


@pytest.mark.parametrize("message", ["TotalRequests Limit exceeded.", "", "Some other limit exceeded."])
def test_concurrent_limit_only_by_its_words_everything_else_is_the_budget(message: str) -> None:
    error = error_from_response(403, _body("REQUEST_LIMIT_EXCEEDED", message))
    assert isinstance(error, RequestLimitExceeded) and not isinstance(error, ConcurrentLimitExceeded)


@pytest.mark.parametrize("bare", [False, True])
def test_rest_session_policy_is_its_own_refusal(bare: bool) -> None:
    error = error_from_response(401, _body("INVALID_SESSION_ID", "This session is not valid for use with the REST API",
                                           bare=bare))
    assert isinstance(error, RestSessionRefused) and not isinstance(error, SessionExpired)
    assert error.error_code == "REST_SESSION_POLICY" and "admin" in error.message


def test_rest_session_policy_plain_expiry_stays_session_expired() -> None:
    error = error_from_response(401, _body("INVALID_SESSION_ID", "Session expired or invalid"))
    assert isinstance(error, SessionExpired) and not isinstance(error, RestSessionRefused)
