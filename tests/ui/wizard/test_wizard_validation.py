"""What the wizard says about typed values: keys, secrets, email addresses and org addresses."""

from __future__ import annotations

import pytest

from app.salesforce import urls
from app.ui.wizard.validation import check_consumer_key, check_consumer_secret, check_email, check_org, clean_pasted

KEY = "3MVG9IKwB5abcdEFGHijklMNOPqrstUVWXyz0123456789abcdEFGHijklMNOPqrstUVWXyz.0123456789_ab"
SECRET_HEX = "A" * 32 + "0123456789ABCDEF" * 2
SECRET_NUMBER = "1234567890123456789"


def test_clean_pasted_removes_spaces_quotes_and_line_breaks_around_a_value() -> None:
    assert clean_pasted('  "3MVGabc"\n') == "3MVGabc"
    assert clean_pasted("“‘3MVGabc’”") == "3MVGabc"
    assert clean_pasted("\t") == ""


def test_a_good_key_passes_and_is_cleaned() -> None:
    check = check_consumer_key(f"  {KEY}\n")
    assert check.level == "ok"
    assert check.value == KEY


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Enter the Consumer Key"),
        ("   ", "Enter the Consumer Key"),
        (f"Consumer Key: {KEY}", "without its label"),
        (KEY[:40] + " " + KEY[40:], "space or line break in the middle"),
        (KEY[:40] + "\n" + KEY[40:], "space or line break in the middle"),
        (KEY + "#", "contains “#”"),
    ],
)
def test_key_problems_have_specific_messages(text: str, fragment: str) -> None:
    check = check_consumer_key(text)
    assert check.level == "error"
    assert fragment in check.message


def test_key_and_secret_swapped_is_named_as_such() -> None:
    check = check_consumer_key(SECRET_HEX, KEY)
    assert check.level == "error"
    assert "swapped" in check.message
    secret_check = check_consumer_secret(KEY, SECRET_HEX)
    assert secret_check.level == "error"
    assert "looks like the Consumer Key" in secret_check.message


def test_the_same_value_in_both_fields_is_refused() -> None:
    assert "pasted twice" in check_consumer_key(KEY, KEY).message
    assert "pasted twice" in check_consumer_secret(KEY, KEY).message


def test_a_secret_in_the_key_field_alone_is_a_warning_not_a_block() -> None:
    check = check_consumer_key(SECRET_NUMBER)
    assert check.level == "warn"
    assert check.ok


def test_a_key_of_an_unusual_shape_warns_but_lets_the_advisor_go_on() -> None:
    check = check_consumer_key("abcdefghijklmnopqrstuvwxyz")
    assert check.level == "warn" and check.ok and "3MVG" in check.message
    assert check_consumer_key("abcdefghijklmnopqrstuvwxyz", expect_salesforce_shape=False).level == "ok"


def test_secret_is_optional_but_checked_when_given() -> None:
    assert check_consumer_secret("").level == "info"
    assert check_consumer_secret("", KEY).ok
    assert check_consumer_secret(f" {SECRET_HEX} ", KEY).value == SECRET_HEX
    assert check_consumer_secret(SECRET_HEX[:20] + " " + SECRET_HEX[20:], KEY).level == "error"


@pytest.mark.parametrize("text", ["jane@example.com", "  Jane.Doe+crm@sub.example.co.uk ", "mailto:jane@example.com"])
def test_good_email_addresses(text: str) -> None:
    assert check_email(text).ok


@pytest.mark.parametrize("text", ["", "jane", "jane@", "jane@example", "@example.com", "jane doe@example.com",
                                  "jane@@example.com"])
def test_bad_email_addresses(text: str) -> None:
    check = check_email(text)
    assert check.level == "error"
    assert check.message


def test_org_production_and_sandbox_use_the_login_hosts() -> None:
    assert check_org("production", "").login_url == urls.LOGIN_PRODUCTION
    assert check_org("sandbox", "whatever").login_url == urls.LOGIN_SANDBOX


def test_org_my_domain_is_normalised_and_shown() -> None:
    check = check_org("mydomain", "https://acme.lightning.force.com/lightning/page/home")
    assert check.login_url == "https://acme.my.salesforce.com"
    assert check.message == "We'll use https://acme.my.salesforce.com"


def test_org_my_domain_empty_asks_for_it_and_bad_input_explains() -> None:
    empty = check_org("mydomain", "  ")
    assert empty.login_url is None and empty.level == "info" and urls.EXAMPLE in empty.message
    bad = check_org("mydomain", "http://acme.my.salesforce.com")
    assert bad.login_url is None and bad.level == "error" and "https://" in bad.message
    website = check_org("mydomain", "www.salesforce.com")
    assert website.login_url is None and "public website" in website.message


def test_org_custom_domain_needs_use_anyway() -> None:
    refused = check_org("mydomain", "crm.acme-wealth.com")
    assert refused.login_url is None and refused.custom_domain and refused.level == "warn"
    accepted = check_org("mydomain", "crm.acme-wealth.com", allow_custom=True)
    assert accepted.login_url == "https://crm.acme-wealth.com"
    assert "own domain" in accepted.message


def test_org_demo_org_on_localhost_is_accepted() -> None:
    check = check_org("mydomain", "http://127.0.0.1:54321")
    assert check.login_url == "http://127.0.0.1:54321"
    assert not check.custom_domain
