"""No secret reaches a log line, whatever shape it arrives in."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from app.logs import REDACTED, redact, register_secret, setup_logging

ACCESS_TOKEN = "00D5g000004ABCD!AQ0AQH2xQmV8Yk3bZJb6T0pP.rG9dE4Y1Wv8nXcLq2s_Ks7uTqQ3nWmZpR5hVfA9cX1yB8kL0eDzQ"
REFRESH_TOKEN = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrVYU2Gz1FAqHCbXCzHVnNb0bTmL3Kx8QyLnZ2uF0aR"
CONSUMER_SECRET = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
CUSTOM_SECRET = "my-odd-secret-Σ-42"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f"using token {ACCESS_TOKEN} for query", ACCESS_TOKEN.split("!")[1]),
        (f"headers={{'Authorization': 'Bearer {ACCESS_TOKEN}'}}", ACCESS_TOKEN.split("!")[1]),
        (f"Authorization: OAuth {ACCESS_TOKEN}", ACCESS_TOKEN.split("!")[1]),
        (f"body grant_type=refresh_token&refresh_token={REFRESH_TOKEN}&client_id=3MVG9", REFRESH_TOKEN),
        (f'{{"refresh_token": "{REFRESH_TOKEN}", "scope": "api"}}', REFRESH_TOKEN),
        (f"client_secret={CONSUMER_SECRET}&code_verifier=abcDEF123ghi456JKL789mno", CONSUMER_SECRET),
        (f"client_secret={CONSUMER_SECRET}&code_verifier=abcDEF123ghi456JKL789mno", "abcDEF123ghi456JKL789mno"),
        (f"secret on its own: {CONSUMER_SECRET}", CONSUMER_SECRET),
        (f"refresh token alone {REFRESH_TOKEN}", REFRESH_TOKEN),
        ("callback /callback?code=aPrxYXyxzkuBzbiQq4kT0n9VHy0wX1fTdl&state=xyz", "aPrxYXyxzkuBzbiQq4kT0n9VHy0wX1fTdl"),
    ],
)
def test_redact_removes_secret(line: str, secret: str) -> None:
    cleaned = redact(line)
    assert secret not in cleaned
    assert REDACTED in cleaned


def test_redact_keeps_harmless_text() -> None:
    line = "queried 2000 Contact rows, errorCode=INVALID_FIELD statusCode=400 token_type=Bearer"
    assert redact(line) == line


def test_bare_access_token_keeps_org_id_for_support() -> None:
    assert redact(f"session {ACCESS_TOKEN} expired") == f"session 00D5g000004ABCD!{REDACTED} expired"


def test_registered_secret_of_any_shape_is_redacted() -> None:
    register_secret(CUSTOM_SECRET)
    assert CUSTOM_SECRET not in redact(f"the secret is {CUSTOM_SECRET}!")


def test_log_file_never_contains_secrets(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "app.log"
    ring = setup_logging(log_file, level=logging.DEBUG)
    logger = logging.getLogger("notebridge.test")
    logger.info("token response %s", {"access_token": ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN})
    logger.debug("Authorization: Bearer %s", ACCESS_TOKEN)
    try:
        raise RuntimeError(f"refresh failed for {REFRESH_TOKEN} with secret {CONSUMER_SECRET}")
    except RuntimeError:
        logger.exception("sign-in failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = log_file.read_text(encoding="utf-8") + ring.text()
    for secret in (ACCESS_TOKEN.split("!")[1], REFRESH_TOKEN, CONSUMER_SECRET):
        assert secret not in written
    assert "sign-in failed" in written
    assert "RuntimeError" in written  # the traceback is kept, only the secret is gone
