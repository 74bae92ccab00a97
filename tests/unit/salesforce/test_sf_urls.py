"""What advisors paste as their Salesforce address, and what the app makes of it."""

import pytest

from app.salesforce import urls
from app.salesforce.urls import NotSalesforceHost, normalize_instance_url


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        ("acme.my.salesforce.com", "https://acme.my.salesforce.com"),
        ("https://acme.my.salesforce.com/", "https://acme.my.salesforce.com"),
        ("https://acme.my.salesforce.com/services/data/v62.0/", "https://acme.my.salesforce.com"),
        ("  https://ACME.My.Salesforce.com  ", "https://acme.my.salesforce.com"),
        ('"https://acme.my.salesforce.com"', "https://acme.my.salesforce.com"),
        ("'acme.my.salesforce.com'", "https://acme.my.salesforce.com"),
        ("“https://acme.my.salesforce.com/”", "https://acme.my.salesforce.com"),
        ("<https://acme.my.salesforce.com>", "https://acme.my.salesforce.com"),
        ("acme--uat.sandbox.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com"),
        ("login.salesforce.com", "https://login.salesforce.com"),
        ("https://test.salesforce.com/", "https://test.salesforce.com"),
        ("https://acme.lightning.force.com/lightning/page/home", "https://acme.my.salesforce.com"),
        ("acme--uat.sandbox.lightning.force.com/lightning/o/Contact/list",
         "https://acme--uat.sandbox.my.salesforce.com"),
        ("https://acme-dev-ed.develop.lightning.force.com/", "https://acme-dev-ed.develop.my.salesforce.com"),
        ("https://acme.my.salesforce-setup.com/lightning/setup/SetupOneHome/home",
         "https://acme.my.salesforce.com"),
        ("https://acme--uat.sandbox.my.salesforce-setup.com/lightning/setup/ConnectedApplication/home",
         "https://acme--uat.sandbox.my.salesforce.com"),
        ("https://acme.my.salesforce.com/setup/forcecomHomepage.apexp?setupid=ForceCom",
         "https://acme.my.salesforce.com"),
        ("https://acme--c.vf.force.com/apex/Page", "https://acme.my.salesforce.com"),
        ("https://acme.my.salesforce.com:443/", "https://acme.my.salesforce.com"),
        ("https://na123.salesforce.com", "https://na123.salesforce.com"),
        ("http://localhost:8443/", "http://localhost:8443"),
        ("http://127.0.0.1:51234/services/oauth2/authorize", "http://127.0.0.1:51234"),
        ("https://localhost:51234", "https://localhost:51234"),
        ("http://[::1]:5000/", "http://[::1]:5000"),
    ],
)
def test_normalises_what_advisors_paste(pasted: str, expected: str) -> None:
    assert normalize_instance_url(pasted) == expected


@pytest.mark.parametrize(
    ("pasted", "says"),
    [
        ("", "Enter your Salesforce address"),
        ("   ", "Enter your Salesforce address"),
        ('""', "Enter your Salesforce address"),
        ("http://acme.my.salesforce.com", "https://"),
        ("ftp://acme.my.salesforce.com", "https://"),
        ("mailto:me@acme.com", "https://"),
        ("my org is acme", "not a web address"),
        ("https://", "no host name"),
        ("https://exa mple.com", "not a web address"),
        ("https://-bad-.salesforce.com", "not a valid web address"),
        ("https://localhost_x", "not a valid web address"),
        ("https://user:pw@acme.my.salesforce.com", "user name or password"),
        ("https://www.salesforce.com/products/", "public website"),
        ("https://acme.my.salesforce.com:99999", "not a web address"),
    ],
)
def test_rejects_with_a_specific_message(pasted: str, says: str) -> None:
    with pytest.raises(ValueError, match=says) as info:
        normalize_instance_url(pasted)
    assert "Traceback" not in str(info.value)


def test_non_salesforce_host_can_be_used_anyway() -> None:
    with pytest.raises(NotSalesforceHost, match="Use anyway") as info:
        normalize_instance_url("crm.acme-wealth.com/home")
    assert info.value.normalized == "https://crm.acme-wealth.com"
    assert normalize_instance_url("crm.acme-wealth.com/home", allow_custom=True) == "https://crm.acme-wealth.com"


def test_use_anyway_still_refuses_plain_http() -> None:
    with pytest.raises(ValueError, match="https://"):
        normalize_instance_url("http://crm.acme-wealth.com", allow_custom=True)


def test_lookalike_domains_are_not_salesforce() -> None:
    assert not urls.is_salesforce_host("acme.my.salesforce.com.evil.example")
    assert not urls.is_salesforce_host("evilsalesforce.com")
    assert urls.is_salesforce_host("acme.my.salesforce.com")


def test_endpoints_are_built_from_one_place() -> None:
    assert urls.token_endpoint("https://login.salesforce.com/") == "https://login.salesforce.com/services/oauth2/token"
    assert urls.authorize_endpoint("https://x.my.salesforce.com").endswith("/services/oauth2/authorize")
    assert urls.revoke_endpoint("https://x.my.salesforce.com").endswith("/services/oauth2/revoke")
    assert urls.data_root("66.0") == "/services/data/v66.0"
    assert urls.same_origin("http://127.0.0.1:5/a", "http://127.0.0.1:5/b")
    assert not urls.same_origin("http://127.0.0.1:5/a", "http://127.0.0.1:6/a")
