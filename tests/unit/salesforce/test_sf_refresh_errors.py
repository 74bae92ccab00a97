"""Which token-endpoint answers mean "signed out" and which are transient (refresh_transient)."""

from __future__ import annotations

import httpx
import pytest

from app.salesforce.auth import _transient
from app.salesforce.errors import (
    DeadlineExceeded,
    NetworkError,
    ResponseProblem,
    ServerUnavailable,
    SessionExpired,
    TlsError,
    UnreadableResponse,
)
from app.salesforce.oauth import _error_from
from app.salesforce.oauth_errors import OAuthError, SignInExpired, oauth_error


def _resp(status: int, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return httpx.Response(status, content=body, headers={"content-type": content_type})


@pytest.mark.parametrize(("status", "body", "content_type"), [
    (500, b'{"error":"unknown_error","error_description":"retry your request"}', "application/json"),
    (503, b"<html><title>Service Unavailable</title></html>", "text/html"),
    (503, b'{"error":"invalid_grant","error_description":"maintenance"}', "application/json"),
    (502, b"", ""),
    (429, b"", ""),
    (400, b'{"error":"temporarily_unavailable"}', "application/json"),
    (400, b'{"error":"server_error"}', "application/json"),
    (400, b'{"error":"rate_limit_exceeded","error_description":"too many"}', "application/json"),
])
def test_refresh_transient_answers_are_server_unavailable(status: int, body: bytes, content_type: str) -> None:
    error = _error_from(_resp(status, body, content_type), "refresh", secret_sent=False, callback_url=None)
    assert isinstance(error, ServerUnavailable)
    assert not isinstance(error, OAuthError | SessionExpired)
    assert "you stay signed in" in str(error)
    assert _transient(error)


@pytest.mark.parametrize("body", [
    b'{"error":"invalid_grant","error_description":"expired access/refresh token"}',
    b"error=invalid_grant&error_description=authentication+failure",
])
def test_refresh_transient_invalid_grant_is_signed_out(body: bytes) -> None:
    error = _error_from(_resp(400, body), "refresh", secret_sent=False, callback_url=None)
    assert isinstance(error, SignInExpired) and isinstance(error, SessionExpired)
    assert "sign in again" in str(error)
    assert not _transient(error)


def test_refresh_transient_classification_of_other_failures() -> None:
    assert _transient(NetworkError("offline"))
    assert _transient(DeadlineExceeded("slow"))
    assert _transient(UnreadableResponse("page", ResponseProblem.NOT_JSON))
    assert not _transient(TlsError("untrusted"))
    assert not _transient(oauth_error("inactive_user", stage="refresh"))
    assert not _transient(oauth_error("invalid_client_id", stage="refresh"))


def test_refresh_transient_message_at_sign_in_asks_to_try_again() -> None:
    error = _error_from(_resp(500, b'{"error":"unknown_error","error_description":"retry your request"}'),
                        "token", secret_sent=False, callback_url=None)
    assert isinstance(error, ServerUnavailable)
    assert "Try again in a few minutes" in str(error) and "stay signed in" not in str(error)
