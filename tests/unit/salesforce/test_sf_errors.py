"""Error bodies in every shape seen in the wild, and OAuth failures in plain words."""

import re

import pytest

from app.salesforce import errors, oauth_errors
from app.salesforce.oauth import parse_oauth_error_body, parse_token_response
from app.salesforce.results import CompositeResult, QueryPage, SaveResult


def test_standard_error_array() -> None:
    body = b'[{"message":"Required fields are missing: [LastName]","errorCode":"REQUIRED_FIELD_MISSING",' \
           b'"fields":["LastName"]}]'
    err = errors.error_from_response(400, body, "application/json")
    assert type(err) is errors.SalesforceError
    assert (err.error_code, err.fields, err.status) == ("REQUIRED_FIELD_MISSING", ["LastName"], 400)
    assert err.message == "Required fields are missing: [LastName]"


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (401, b'[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]',
         errors.SessionExpired, "INVALID_SESSION_ID"),
        (404, b'[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]',
         errors.NotFound, "NOT_FOUND"),
        (403, b'[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]',
         errors.RequestLimitExceeded, "REQUEST_LIMIT_EXCEEDED"),
        (400, b'{"message":"unexpected token: FORM","errorCode":"MALFORMED_QUERY"}',  # bare object
         errors.InvalidQuery, "MALFORMED_QUERY"),
        (503, b'[{"errorCode":"SERVER_UNAVAILABLE","message":"down"}]', errors.ServerUnavailable,
         "SERVER_UNAVAILABLE"),
        (403, b'[{"errorCode":"API_DISABLED_FOR_ORG","message":"API is not enabled for this Organization"}]',
         errors.AccessDenied, "API_DISABLED_FOR_ORG"),
        (400, b'[{"errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","message":"Subject needs a date"}]',
         errors.SalesforceError, "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
    ],
)
def test_typed_by_error_code(status: int, body: bytes, cls: type, code: str) -> None:
    err = errors.error_from_response(status, body)
    assert type(err) is cls
    assert err.error_code == code and err.fields == [] and err.status == status


def test_html_proxy_page_is_described_not_echoed() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>secret internals</body></html>"
    err = errors.error_from_response(502, page, "text/html")
    assert isinstance(err, errors.ServerUnavailable)
    assert err.error_code == "HTTP_502"
    assert "502 Bad Gateway" in err.message and "secret internals" not in err.message


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'"str"', b"{}", b"null"])
def test_odd_bodies_never_crash(body: bytes) -> None:
    err = errors.error_from_response(500, body, "text/plain")
    assert isinstance(err, errors.SalesforceError) and err.status == 500 and err.message


def test_proxy_auth_is_named() -> None:
    assert "proxy" in errors.error_from_response(407, b"", "text/html").message.lower()


def test_collection_results_use_status_code() -> None:
    data = [
        {"id": "003000000000001AAA", "success": True, "errors": []},
        {"success": False, "errors": [{"statusCode": "DUPLICATE_VALUE", "message": "dup", "fields": ["Email"]}]},
        {"success": False, "errors": [{"statusCode": "ENTITY_IS_DELETED", "message": "gone"}]},  # no fields
        {"success": False, "errors": {"statusCode": "X", "message": "bare"}},
        "garbage",
    ]
    results = [SaveResult.from_json(d) for d in data]
    assert results[0].id == "003000000000001AAA" and results[0].success and results[0].errors == []
    assert results[1].id is None and not results[1].success
    assert (results[1].errors[0].error_code, results[1].errors[0].fields) == ("DUPLICATE_VALUE", ("Email",))
    assert results[2].error_code == "ENTITY_IS_DELETED" and results[2].errors[0].fields == ()
    assert results[3].error_code == "X"
    assert not results[4].success and results[4].errors


def test_composite_subresponse_errors() -> None:
    ok = CompositeResult.from_json({"body": {"id": "069x", "success": True}, "httpStatusCode": 201,
                                    "referenceId": "note", "httpHeaders": {"Location": "/x"}})
    failed = CompositeResult.from_json({"body": [{"errorCode": "PROCESSING_HALTED", "message": "halted"}],
                                        "httpStatusCode": 400, "referenceId": "link"})
    odd = CompositeResult.from_json({"body": None, "httpStatusCode": 500, "referenceId": "x"})
    assert ok.ok and ok.id == "069x" and ok.errors == []
    assert not failed.ok and failed.errors[0].error_code == "PROCESSING_HALTED"
    assert odd.errors[0].error_code == "HTTP_500"


def test_query_page_parsing() -> None:
    page = QueryPage.from_json({"totalSize": 3, "done": False, "records": [{"Id": "1"}, "x"],
                                "nextRecordsUrl": "/services/data/v66.0/query/01g-2000"})
    assert page.records == [{"Id": "1"}] and not page.done and page.next_records_url.endswith("-2000")
    assert QueryPage.from_json(None).done


# -- OAuth ------------------------------------------------------------------------------------------

_JARGON = re.compile(r"\b[a-z]+_[a-z_]+\b|\bOAUTH_|\binvalid_grant\b|\bHTTP \d{3}\b")

CASES = [
    # (code, description, stage, secret_sent, class, words in message, words in fix)
    ("invalid_client_id", "client identifier invalid", "authorize", None, oauth_errors.UnknownConsumerKey,
     "consumer key", "10 minutes"),
    ("invalid_client_id", "client identifier invalid", "token", None, oauth_errors.UnknownConsumerKey,
     "consumer key", "Consumer Key"),
    ("redirect_uri_mismatch", "redirect_uri must match configuration", "authorize", None,
     oauth_errors.CallbackMismatch, "callback", "http://localhost:18347/callback"),
    ("invalid_client", "invalid client credentials", "token", True, oauth_errors.ClientSecretRejected,
     "secret", "Consumer Secret"),
    ("invalid_client", "invalid client credentials", "token", False, oauth_errors.SecretRequired,
     "requires", "Require secret for Web Server Flow"),
    ("OAUTH_APP_ACCESS_DENIED", "user is not admin approved to access this app", "authorize", None,
     oauth_errors.UserNotApproved, "isn't allowed", "permission set"),
    ("access_denied", "user is not admin approved to access this app", "authorize", None,
     oauth_errors.UserNotApproved, "isn't allowed", "profile"),
    ("invalid_grant", "expired access/refresh token", "refresh", None, oauth_errors.SignInExpired,
     "sign-in expired", "Sign in again"),
    ("invalid_grant", "token revoked", "refresh", None, oauth_errors.SignInExpired, "sign in again", "revoked"),
    ("inactive_user", "user is inactive", "token", None, oauth_errors.InactiveUser, "inactive", "reactivate"),
    ("inactive_org", "organization is locked", "token", None, oauth_errors.InactiveOrg, "locked", "admin"),
    ("access_denied", "end-user denied authorization", "authorize", None, oauth_errors.SignInDenied,
     "wasn't allowed", "Allow"),
    ("access-denied", "", "authorize", None, oauth_errors.SignInDenied, "wasn't allowed", "Allow"),
    ("invalid_grant", "invalid code verifier", "token", None, oauth_errors.SignInInterrupted, "didn't finish",
     "again"),
    ("invalid_grant", "expired authorization code", "token", None, oauth_errors.SignInInterrupted,
     "didn't finish", "again"),
    ("invalid_grant", "ip restricted", "token", None, oauth_errors.NetworkBlocked, "network", "Relax"),
    ("rate_limit_exceeded", "", "token", None, oauth_errors.TooManyAttempts, "too many", "Wait"),
    ("invalid_scope", "", "authorize", None, oauth_errors.ScopeMissing, "access", "refresh_token"),
    ("something_new", "brand new failure", "token", None, oauth_errors.OAuthFailure, "refused", "Try again"),
]


@pytest.mark.parametrize(("code", "desc", "stage", "secret", "cls", "msg", "fix"), CASES)
def test_oauth_failures_in_plain_words(code, desc, stage, secret, cls, msg, fix) -> None:
    err = oauth_errors.oauth_error(code, desc, stage=stage, secret_sent=secret,
                                   callback_url="http://localhost:18347/callback")
    assert type(err) is cls
    assert msg.lower() in err.message.lower()
    assert fix in err.fix and err.advice == err.fix
    assert err.error_code == code and err.description == desc  # raw values kept for the log
    assert str(err) == err.message
    if cls is not oauth_errors.OAuthFailure:
        assert not _JARGON.search(err.message), err.message
    assert isinstance(err, errors.SalesforceError)


def test_expired_sign_in_is_also_a_session_error() -> None:
    err = oauth_errors.oauth_error("invalid_grant", "expired access/refresh token", stage="refresh")
    assert isinstance(err, errors.SessionExpired)


def test_port_busy_names_the_port_and_what_to_register() -> None:
    err = oauth_errors.port_busy([18347], 18349)
    assert "18347" in err.message and "http://localhost:18349/callback" in err.fix
    err2 = oauth_errors.port_busy([18347, 18348], None)
    assert "18347, 18348" in err2.message and "Close the program" in err2.fix


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"error":"invalid_grant","error_description":"authentication failure"}',
         ("invalid_grant", "authentication failure")),
        (b"error=invalid_client_id&error_description=client+identifier+invalid",
         ("invalid_client_id", "client identifier invalid")),
        (b'[{"errorCode":"INVALID_SESSION_ID","message":"bad"}]', ("INVALID_SESSION_ID", "bad")),
        (b"<html>Bad Gateway</html>", ("", "")),
        (b"", ("", "")),
    ],
)
def test_oauth_error_bodies_json_or_form(body: bytes, expected: tuple[str, str]) -> None:
    assert parse_oauth_error_body(body) == expected


def test_token_response_quirks() -> None:
    tokens = parse_token_response({
        "access_token": "00D!x", "refresh_token": "5Aep", "instance_url": "https://acme.my.salesforce.com/",
        "id": "https://login.salesforce.com/id/00D000000000001/005000000000001", "issued_at": "1715000000123",
        "scope": "api id refresh_token", "token_type": "Bearer", "signature": "sig",
    })
    assert tokens.instance_url == "https://acme.my.salesforce.com"
    assert tokens.issued_at is not None and tokens.issued_at.year == 2024
    assert tokens.scopes == ("api", "id", "refresh_token")
    assert parse_token_response({"access_token": "a", "instance_url": "https://x", "issued_at": 17}).issued_at
    assert parse_token_response({"access_token": "a", "instance_url": "https://x", "issued_at": "x"}).issued_at is None
    with pytest.raises(oauth_errors.OAuthError):
        parse_token_response({"error": "x"})
