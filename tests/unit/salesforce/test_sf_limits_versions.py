"""Sforce-Limit-Info parsing and API version choice."""

import pytest

from app.salesforce.limits import ApiUsage, parse_limit_info, usage_from_headers, usage_from_limits
from app.salesforce.versions import MAX_API_VERSION, pick_version, version_from_rest_url


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("api-usage=18/5000", ApiUsage(18, 5000)),
        ("api-usage=110018/100000; api-bursts=1/750", ApiUsage(110018, 100000, bursts=(1, 750))),
        ("api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)",
         ApiUsage(25, 5000, per_app=(17, 250), app_name="sample-connected-app")),
        ("per-app-api-usage=17/250(appName=x); API-Usage = 3 / 15000",
         ApiUsage(3, 15000, per_app=(17, 250), app_name="x")),
        ("", None),
        (None, None),
        ("garbage", None),
        ("api-usage=lots/many", None),
    ],
)
def test_parse_limit_info(header: str | None, expected: ApiUsage | None) -> None:
    assert parse_limit_info(header) == expected


def test_header_name_case_does_not_matter() -> None:
    assert usage_from_headers({"sforce-limit-info": "api-usage=1/2"}) == ApiUsage(1, 2)
    assert usage_from_headers({"SFORCE-LIMIT-INFO": "api-usage=1/2"}) == ApiUsage(1, 2)
    assert usage_from_headers({"Content-Type": "application/json"}) is None
    usage = ApiUsage(90, 100)
    assert usage.remaining == 10 and usage.as_tuple() == (90, 100)


def test_usage_from_limits_resource() -> None:
    assert usage_from_limits({"DailyApiRequests": {"Max": 15000, "Remaining": 14000}}) == ApiUsage(1000, 15000)
    assert usage_from_limits({"DailyApiRequests": {"Max": "x"}}) is None
    assert usage_from_limits({}) is None


def _versions(*vs: str) -> list[dict[str, str]]:
    return [{"label": "x", "url": f"/services/data/v{v}", "version": v} for v in vs]


def test_pick_version_takes_the_newest_up_to_the_pin() -> None:
    assert pick_version(_versions("58.0", "60.0", "59.0")) == "60.0"
    assert pick_version(_versions("60.0", "99.0", MAX_API_VERSION)) == MAX_API_VERSION
    assert pick_version(_versions("9.0", "45.0")) is None  # too old for us
    assert pick_version({"not": "a list"}) is None
    assert pick_version([{"version": "junk"}, "x", {"version": "61.0"}]) == "61.0"
    assert pick_version(_versions("100.0", "62.0"), max_version="62.0") == "62.0"


def test_version_from_identity_rest_url() -> None:
    assert version_from_rest_url("https://x.my.salesforce.com/services/data/v{version}/") is None
    assert version_from_rest_url("https://x.my.salesforce.com/services/data/v62.0/") == "62.0"
    assert version_from_rest_url(None) is None
