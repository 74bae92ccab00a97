"""PKCE (RFC 7636), state and the authorize URL."""

from urllib.parse import parse_qs, urlsplit

import pytest

from app.salesforce import auth


def test_rfc7636_appendix_b_vector() -> None:
    assert auth.code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_verifiers_are_random_and_within_the_rfc_alphabet() -> None:
    seen = {auth.generate_code_verifier() for _ in range(50)}
    assert len(seen) == 50
    for verifier in seen:
        assert 43 <= len(verifier) <= 128
        assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        challenge = auth.code_challenge(verifier)
        assert len(challenge) == 43 and "=" not in challenge


@pytest.mark.parametrize("bad", ["", "short", "x" * 42, "x" * 129, "a" * 43 + " ", "ä" * 50, "a+b" * 20])
def test_bad_verifiers_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="PKCE code verifier"):
        auth.code_challenge(bad)


def test_state_is_unguessable() -> None:
    states = {auth.generate_state() for _ in range(50)}
    assert len(states) == 50
    assert all(len(s) >= 40 for s in states)


def test_authorize_url_carries_everything_salesforce_needs() -> None:
    url = auth.build_authorize_url(
        "https://acme.my.salesforce.com", "3MVG9-key", "http://localhost:18347/callback",
        challenge="abc", state="st&ate=1",
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://acme.my.salesforce.com/services/oauth2/authorize"
    )
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q == {
        "response_type": "code",
        "client_id": "3MVG9-key",
        "redirect_uri": "http://localhost:18347/callback",
        "code_challenge": "abc",
        "code_challenge_method": "S256",
        "state": "st&ate=1",
        "scope": "api refresh_token id",
    }


def test_default_callbacks_use_localhost_spelling() -> None:
    for url in auth.DEFAULT_CALLBACK_URLS:
        assert url.startswith("http://localhost:") and url.endswith("/callback")


def test_secrets_are_kept_out_of_reprs() -> None:
    from app.salesforce.oauth import Identity, TokenResponse

    tokens = TokenResponse(access_token="00D5g000004ABCD!AQ0AQsecret", instance_url="https://x",
                           refresh_token="5Aep861refreshsecret")
    assert "secret" not in repr(tokens)
    result = auth.SignInResult(
        access_token="00D5g000004ABCD!AQ0AQsecret", refresh_token="5Aep861refreshsecret",
        instance_url="https://x", login_url="https://x", identity=Identity("005", "00D", "u", "U"),
        api_version="66.0", redirect_uri="http://localhost:1/callback",
    )
    assert "secret" not in repr(result)
    refresher = auth.TokenRefresher("https://x", "key", "5Aep861refreshsecret", consumer_secret="csecret")
    assert "secret" not in repr(refresher)
