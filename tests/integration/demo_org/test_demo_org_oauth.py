"""The OAuth web-server flow with PKCE, driven by a plain HTTP client, including every error path."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from app.demo_org import DemoOrg
from tests.support.browser_by_http import BrowserFlowError, approve_in_browser

AUTHORIZE = "/services/oauth2/authorize"
TOKEN = "/services/oauth2/token"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(org: DemoOrg, **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "response_type": "code", "client_id": org.consumer_key, "redirect_uri": org.callback_urls[0],
        "scope": "api refresh_token", "state": "st-123",
    }
    if overrides.get("code_challenge"):
        params["code_challenge_method"] = "S256"
    params.update(overrides)
    return f"{org.login_url}{AUTHORIZE}?" + urlencode({k: v for k, v in params.items() if v is not None})


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, follow_redirects=False, timeout=20) as client:
        yield client


def sign_in(org: DemoOrg, challenge: str | None, **overrides: str | None) -> dict[str, str]:
    location = approve_in_browser(authorize_url(org, code_challenge=challenge, **overrides), org.username,
                                  org.password, verify=org.ca_file or True)
    return query_of(location)


def exchange(http: httpx.Client, org: DemoOrg, code: str, verifier: str | None, **extra: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "client_id": org.consumer_key,
            "redirect_uri": org.callback_urls[0], **extra}
    if verifier is not None:
        data["code_verifier"] = verifier
    return http.post(org.login_url + TOKEN, data=data)


def test_full_flow_by_hand_with_login_consent_and_token(org: DemoOrg, http: httpx.Client) -> None:
    verifier, challenge = pkce()
    page = http.get(authorize_url(org, code_challenge=challenge))
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    assert f'value="{challenge}"' in page.text, "the oauth parameters travel in hidden fields"
    hidden = {k: v for k, v in [("response_type", "code"), ("client_id", org.consumer_key),
                                 ("redirect_uri", org.callback_urls[0]), ("scope", "api refresh_token"),
                                 ("state", "st-123"), ("code_challenge", challenge),
                                 ("code_challenge_method", "S256"), ("step", "login")]}
    consent = http.post(org.login_url + AUTHORIZE, data={**hidden, "username": org.username,
                                                         "password": org.password})
    assert consent.status_code == 200
    assert 'name="approve"' in consent.text and 'name="deny"' in consent.text
    ticket = consent.text.split('name="ticket" value="')[1].split('"')[0]
    done = http.post(org.login_url + AUTHORIZE, data={**hidden, "step": "consent", "ticket": ticket,
                                                      "approve": "Allow"})
    assert done.status_code == 302
    location = done.headers["location"]
    assert location.startswith(org.callback_urls[0] + "?")
    assert "%3D%3D" in location, "codes end in '==' and must be URL-decoded by the client"
    result = query_of(location)
    assert result["state"] == "st-123"
    token = exchange(http, org, result["code"], verifier)
    assert token.status_code == 200
    body = token.json()
    assert set(body) == {"access_token", "refresh_token", "signature", "scope", "instance_url", "id", "token_type",
                         "issued_at"}
    assert body["instance_url"] == org.base_url and body["token_type"] == "Bearer"
    assert body["issued_at"].isdigit() and abs(int(body["issued_at"]) / 1000 - time.time()) < 600
    expected = base64.b64encode(__import__("hmac").new(org.consumer_secret.encode(),
                                                       (body["id"] + body["issued_at"]).encode(),
                                                       hashlib.sha256).digest()).decode()
    assert body["signature"] == expected
    versions = http.get(f"{org.base_url}/services/data/v62.0/limits",
                        headers={"Authorization": f"Bearer {body['access_token']}"})
    assert versions.status_code == 200


def test_code_is_single_use_and_expires(org: DemoOrg, http: httpx.Client) -> None:
    verifier, challenge = pkce()
    code = sign_in(org, challenge)["code"]
    assert exchange(http, org, code, verifier).status_code == 200
    again = exchange(http, org, code, verifier)
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant", "error_description": "expired authorization code"}
    unknown = exchange(http, org, "aPrxNOPE==", verifier)
    assert unknown.json()["error"] == "invalid_grant"


def test_expired_code(fresh_org: DemoOrg, http: httpx.Client) -> None:
    verifier, challenge = pkce()
    code = sign_in(fresh_org, challenge)["code"]
    fresh_org.expire_auth_codes()
    response = exchange(http, fresh_org, code, verifier)
    assert response.json() == {"error": "invalid_grant", "error_description": "expired authorization code"}


def test_pkce_wrong_and_missing_verifier(org: DemoOrg, http: httpx.Client) -> None:
    verifier, challenge = pkce()
    code = sign_in(org, challenge)["code"]
    wrong = exchange(http, org, code, verifier + "x")
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_grant", "error_description": "invalid code verifier"}
    missing = exchange(http, org, code, None)
    assert missing.json()["error"] == "invalid_grant"
    assert exchange(http, org, code, verifier).status_code == 200, "failed attempts do not burn the code"


def test_token_endpoint_errors(org: DemoOrg, http: httpx.Client) -> None:
    verifier, challenge = pkce()
    code = sign_in(org, challenge)["code"]
    cases = [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "unsupported_grant_type"),
        ({"client_id": "3MVG9nope"}, "invalid_client_id"),
        ({"client_secret": "wrong"}, "invalid_client"),
        ({"redirect_uri": "http://localhost:7621/other"}, "redirect_uri_mismatch"),
    ]
    for override, error in cases:
        response = exchange(http, org, code, verifier, **override)
        assert response.status_code == 400, override
        body = response.json()
        assert body["error"] == error, override
        assert set(body) == {"error", "error_description"}
    assert http.get(org.login_url + TOKEN).status_code == 400


def test_secret_required_when_the_app_requires_it(http: httpx.Client) -> None:
    with DemoOrg(contacts=5, require_secret=True) as org:
        verifier, challenge = pkce()
        code = sign_in(org, challenge)["code"]
        assert exchange(http, org, code, verifier).json()["error"] == "invalid_client"
        assert exchange(http, org, code, verifier, client_secret="nope").json()["error"] == "invalid_client"
        good = exchange(http, org, code, verifier, client_secret=org.consumer_secret)
        assert good.status_code == 200
        refreshed = http.post(org.login_url + TOKEN, data={"grant_type": "refresh_token", "client_id": org.consumer_key,
                                                           "refresh_token": good.json()["refresh_token"]})
        assert refreshed.json()["error"] == "invalid_client"


def test_refresh_revoke_and_rotation(fresh_org: DemoOrg, http: httpx.Client) -> None:
    verifier, challenge = pkce()
    tokens = exchange(http, fresh_org, sign_in(fresh_org, challenge)["code"], verifier).json()
    refresh = {"grant_type": "refresh_token", "client_id": fresh_org.consumer_key,
               "refresh_token": tokens["refresh_token"]}
    refreshed = http.post(fresh_org.login_url + TOKEN, data=refresh)
    assert refreshed.status_code == 200
    assert "refresh_token" not in refreshed.json(), "no new refresh token without rotation"
    assert refreshed.json()["access_token"] != tokens["access_token"]
    wrong_client = http.post(fresh_org.login_url + TOKEN, data={**refresh, "client_id": "3MVG9other"})
    assert wrong_client.json()["error"] == "invalid_client_id"
    bogus = http.post(fresh_org.login_url + TOKEN, data={**refresh, "refresh_token": "5Aep861nope"})
    assert bogus.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    fresh_org.revoke_refresh_tokens()
    assert http.post(fresh_org.login_url + TOKEN, data=refresh).json()["error"] == "invalid_grant"


def test_rotation_issues_a_new_refresh_token_and_kills_the_old(http: httpx.Client) -> None:
    with DemoOrg(contacts=5, rotate_refresh_tokens=True) as org:
        old = org.mint_tokens()["refresh_token"]
        data = {"grant_type": "refresh_token", "client_id": org.consumer_key, "refresh_token": old}
        first = http.post(org.login_url + TOKEN, data=data).json()
        assert first["refresh_token"] != old
        assert http.post(org.login_url + TOKEN, data=data).json()["error"] == "invalid_grant"


def test_revoke_endpoint(fresh_org: DemoOrg, http: httpx.Client) -> None:
    tokens = fresh_org.mint_tokens()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    limits = f"{fresh_org.base_url}/services/data/v62.0/limits"
    assert http.get(limits, headers=auth).status_code == 200
    assert http.post(fresh_org.login_url + "/services/oauth2/revoke", data={"token": tokens["refresh_token"]}
                     ).status_code == 200
    after = http.get(limits, headers=auth)
    assert after.status_code == 401
    assert after.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    again = http.post(fresh_org.login_url + "/services/oauth2/revoke", data={"token": tokens["refresh_token"]})
    # Revoke errors are form-encoded, not JSON (real traffic; see the demo org's revoke handler).
    assert again.status_code == 400 and parse_qs(again.text)["error"] == ["invalid_token"]


def test_userinfo_and_identity(org: DemoOrg, http: httpx.Client) -> None:
    tokens = org.mint_tokens()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    identity = http.get(tokens["id"], headers=auth)
    assert identity.status_code == 200
    body = identity.json()
    assert body["user_id"] == org.user_id and body["organization_id"] == org.org_id
    assert body["username"] == org.username and body["display_name"]
    assert body["urls"]["rest"] == f"{org.base_url}/services/data/v{{version}}/"
    info = http.get(org.login_url + "/services/oauth2/userinfo", headers=auth).json()
    assert info["preferred_username"] == org.username and info["urls"]["rest"].endswith("/v{version}/")
    assert http.get(org.login_url + "/services/oauth2/userinfo", headers={"Authorization": "Bearer nope"}
                    ).status_code == 403
    assert http.get(tokens["id"]).status_code == 403


def test_token_ttl_expires_sessions(http: httpx.Client) -> None:
    with DemoOrg(contacts=5, token_ttl=1) as org:
        tokens = org.mint_tokens()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        url = f"{org.base_url}/services/data/v62.0/limits"
        assert http.get(url, headers=auth).status_code == 200
        time.sleep(1.2)
        expired = http.get(url, headers=auth)
        assert expired.status_code == 401
        # Salesforce sends no "fields" on INVALID_SESSION_ID (issue 20, item 4).
        assert expired.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
        refreshed = http.post(org.login_url + TOKEN, data={"grant_type": "refresh_token", "client_id": org.consumer_key,
                                                           "refresh_token": tokens["refresh_token"]})
        assert http.get(url, headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"}
                        ).status_code == 200


def test_authorize_errors_without_redirect(org: DemoOrg, http: httpx.Client) -> None:
    mismatch = http.get(authorize_url(org, redirect_uri="http://127.0.0.1:7621/callback"))
    assert mismatch.status_code == 400 and "location" not in mismatch.headers
    assert "redirect_uri_mismatch" in mismatch.text
    trailing = http.get(authorize_url(org, redirect_uri=org.callback_urls[0] + "/"))
    assert "redirect_uri_mismatch" in trailing.text, "matching is exact"
    bad_client = http.get(authorize_url(org, client_id="3MVG9unknown"))
    assert bad_client.status_code == 400 and "invalid_client_id" in bad_client.text
    with pytest.raises(BrowserFlowError, match="redirect_uri_mismatch"):
        approve_in_browser(authorize_url(org, redirect_uri="http://localhost:1/x"), org.username, org.password)


@pytest.mark.parametrize(("override", "error"), [
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"code_challenge_method": "plain", "code_challenge": "abc"}, "invalid_request"),
    ({"scope": "api launch_missiles"}, "invalid_scope"),
])
def test_authorize_errors_redirect_with_state(org: DemoOrg, http: httpx.Client, override: dict[str, str],
                                              error: str) -> None:
    response = http.get(authorize_url(org, **override))
    assert response.status_code == 302
    result = query_of(response.headers["location"])
    assert result["error"] == error and result["state"] == "st-123" and "error_description" in result


def test_deny_and_bad_password(org: DemoOrg) -> None:
    location = approve_in_browser(authorize_url(org, code_challenge=pkce()[1]), org.username, org.password,
                                  approve=False)
    result = query_of(location)
    assert result == {"error": "access_denied", "error_description": "end-user denied authorization",
                      "state": "st-123"}
    with pytest.raises(BrowserFlowError, match="login failed"):
        approve_in_browser(authorize_url(org), org.username, "wrong-password")


def test_prompt_and_session_cookie(org: DemoOrg, http: httpx.Client) -> None:
    none_first = http.get(authorize_url(org, prompt="none"))
    assert query_of(none_first.headers["location"])["error"] == "login_required"
    first = http.get(authorize_url(org))
    hidden = dict(part.split('" value="') for part in
                  (chunk.split('name="', 1)[1].split('">')[0] for chunk in first.text.split('type="hidden" ')[1:]))
    http.post(org.login_url + AUTHORIZE, data={**hidden, "username": org.username, "password": org.password})
    assert "sid" in http.cookies
    again = http.get(authorize_url(org))
    assert 'name="approve"' in again.text, "a signed-in browser goes straight to consent"
    forced = http.get(authorize_url(org, prompt="login consent"))
    assert 'name="password"' in forced.text, "prompt=login shows the login page anyway"
    silent = http.get(authorize_url(org, prompt="none"))
    assert 'name="approve"' in silent.text


def test_callback_urls_can_change_at_run_time(fresh_org: DemoOrg) -> None:
    old = fresh_org.callback_urls[0]
    fresh_org.set_callback_urls(["http://localhost:9/new"])
    location = approve_in_browser(authorize_url(fresh_org, redirect_uri="http://localhost:9/new"),
                                  fresh_org.username, fresh_org.password)
    assert location.startswith("http://localhost:9/new?code=")
    with pytest.raises(BrowserFlowError, match="redirect_uri_mismatch"):
        approve_in_browser(authorize_url(fresh_org, redirect_uri=old), fresh_org.username, fresh_org.password)
