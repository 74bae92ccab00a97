"""Filter rules against the demo org over real HTTP: each kind keeps exactly the records a Python-side
filter of the org's rows keeps, the preview counts say so, hostile values stay literal data, and the
largest allowed filter with the largest field list stays inside Salesforce's URI and SOQL limits."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.demo_org import DemoOrg
from app.salesforce import soql as soql_mod
from app.salesforce.client import SalesforceClient
from app.sync.pull import queries as q
from app.sync.pull.estimate import filter_context, preview_filter
from app.sync.pull.filters import (
    MAX_GROUPS,
    MAX_MEETING_IDS,
    MAX_RULES_PER_GROUP,
    MAX_VALUE_LENGTH,
    MAX_VALUES,
    FilterContext,
    FilterError,
    FilterRule,
    ObjectFilter,
    RuleGroup,
    RuleKind,
    compile_where,
    difference,
)
from app.sync.pull.records import RecordKey

Row = dict[str, Any]
NOW = dt.datetime.now(dt.UTC)


def _one(sobject: str, *rules: FilterRule) -> ObjectFilter:
    return ObjectFilter(sobject, (RuleGroup(tuple(rules)),))


def _live(org: DemoOrg, sobject: str = "Contact") -> list[Row]:
    return [r for r in org.records(sobject) if not r["IsDeleted"]]


def _team(org: DemoOrg) -> set[str]:
    users = {u["Id"]: u for u in org.records("User")}
    role = users[org.user_id]["UserRoleId"]
    return {uid for uid, u in users.items() if u["UserRoleId"] == role}


def _met_soon(org: DemoOrg, days: int) -> set[str]:
    end = NOW + dt.timedelta(days=days)
    found = set()
    for event in _live(org, "Event"):
        start = dt.datetime.strptime(event["StartDateTime"], "%Y-%m-%dT%H:%M:%S.%f%z")
        if event["OwnerId"] == org.user_id and event["WhoId"] and NOW.replace(microsecond=0) <= start <= end:
            found.add(event["WhoId"])
    return found


def _cases(org: DemoOrg) -> dict[str, tuple[FilterRule, Callable[[Row], bool]]]:
    team = _team(org)
    prospect = next(r["Id"] for r in org.records("RecordType") if r["DeveloperName"] == "Prospect")
    since = (NOW.date() - dt.timedelta(days=730)).isoformat()
    domain = _live(org)[0]["Email"].split("@", 1)[1]
    met = _met_soon(org, 30)
    return {
        "owner_is_me": (FilterRule(RuleKind.OWNER_IS_ME), lambda r: r["OwnerId"] == org.user_id),
        "owner_in_my_role": (FilterRule(RuleKind.OWNER_IN_MY_ROLE), lambda r: r["OwnerId"] in team),
        "record_type": (FilterRule(RuleKind.RECORD_TYPE, values=(prospect,)), lambda r: r["RecordTypeId"] == prospect),
        "picklist": (FilterRule(RuleKind.PICKLIST, "Risk_Profile__c", ("GROW", "AGGR")),
                     lambda r: r["Risk_Profile__c"] in ("GROW", "AGGR")),
        "date_window": (FilterRule(RuleKind.DATE_WINDOW, "LastModifiedDate", days=730),
                        lambda r: r["LastModifiedDate"][:10] >= since),
        "email_domain": (FilterRule(RuleKind.EMAIL_DOMAIN, values=(domain.upper(),)),
                         lambda r: (r["Email"] or "").lower().endswith("@" + domain.lower())),
        "meeting_soon": (FilterRule(RuleKind.MEETING_SOON, days=30), lambda r: r["Id"] in met),
    }


KINDS = ["owner_is_me", "owner_in_my_role", "record_type", "picklist", "date_window", "email_domain", "meeting_soon"]


@pytest.mark.parametrize("kind", KINDS)
async def test_filter_rule_each_kind_previews_what_it_keeps(org: DemoOrg, client: SalesforceClient,
                                                            kind: str) -> None:
    rule, keeps = _cases(org)[kind]
    flt = _one("Contact", rule)
    ctx = await filter_context(client, org.user_id, [flt], now=NOW)
    org.reset_stats()
    preview = await preview_filter(client, flt, ctx)
    live = _live(org)
    expected = sum(1 for r in live if keeps(r))
    assert (preview.kept, preview.total) == (expected, len(live))
    assert 0 < preview.kept < preview.total, "the seed must make every kind a real choice"
    assert org.stats()["api_calls"] == 2  # the preview is two COUNT() calls, whatever the filter


async def test_filter_rule_groups_are_and_within_or_between(org: DemoOrg, client: SalesforceClient) -> None:
    cases = _cases(org)
    (mine, is_mine), (picked, is_picked), (typed, is_typed) = (
        cases["owner_is_me"], cases["picklist"], cases["record_type"])
    flt = ObjectFilter("Contact", (RuleGroup((mine, picked)), RuleGroup((typed,))))
    ctx = await filter_context(client, org.user_id, [flt], now=NOW)
    preview = await preview_filter(client, flt, ctx)
    assert preview.kept == sum(1 for r in _live(org) if (is_mine(r) and is_picked(r)) or is_typed(r))


async def test_filter_rule_leads_and_accounts(org: DemoOrg, client: SalesforceClient) -> None:
    leads = _live(org, "Lead")
    domain = leads[0]["Email"].split("@", 1)[1]
    flt = _one("Lead", FilterRule(RuleKind.EMAIL_DOMAIN, values=("@" + domain,)), FilterRule(RuleKind.OWNER_IS_ME))
    preview = await preview_filter(client, flt, FilterContext(org.user_id))
    assert preview.kept == sum(1 for r in leads if r["Email"].endswith("@" + domain) and r["OwnerId"] == org.user_id)
    accounts = _live(org, "Account")
    flt = _one("Account", FilterRule(RuleKind.OWNER_IS_ME))
    preview = await preview_filter(client, flt, FilterContext(org.user_id))
    assert (preview.kept, preview.total) == (sum(r["OwnerId"] == org.user_id for r in accounts), len(accounts))
    with pytest.raises(FilterError, match="e-mail"):
        compile_where(_one("Account", FilterRule(RuleKind.EMAIL_DOMAIN, values=("x.com",))), FilterContext("005"))


# -- hostile literals ------------------------------------------------------------------------------------
HOSTILE = ["' OR Name LIKE '%", "%", "_", "\\", "\\'", "'", '"', "a\nb", "\r\t\b\f", "\x00", "é✓🙂",
           "%' OR Id != null OR Id = '", "') OR (Id != null", "\\%", "\\\\'"]
text = st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(blacklist_categories=("Cs",)), min_size=1,
                                                    max_size=40))


@pytest.fixture(scope="module")
def hostile_org() -> Iterator[DemoOrg]:
    with DemoOrg(contacts=60, seed=5) as running:
        yield running


@pytest.fixture(scope="module")
def http(hostile_org: DemoOrg) -> Iterator[httpx.Client]:
    token = hostile_org.mint_tokens()["access_token"]
    with httpx.Client(base_url=f"{hostile_org.base_url}/services/data/v62.0", trust_env=False, timeout=20,
                      headers={"Authorization": f"Bearer {token}"},
                      verify=ssl.create_default_context(cafile=hostile_org.ca_file) if hostile_org.ca_file else True,
                      ) as client:
        yield client


def _count(http: httpx.Client, sobject: str, where: str | None) -> int:
    response = http.get("/query", params={"q": f"SELECT COUNT() FROM {sobject} WHERE {where}"})  # noqa: S608
    assert response.status_code == 200, response.text
    return int(response.json()["totalSize"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=text)
def test_filter_rule_hostile_picklist_values_stay_literal(hostile_org: DemoOrg, http: httpx.Client,
                                                          value: str) -> None:
    """A value stored in the org is found by exactly the records holding it (case-insensitively, as
    Salesforce compares text) — never by all of them, never by a parse error."""
    target = _live(hostile_org)[0]["Id"]
    hostile_org.update_record("Contact", target, {"Risk_Profile__c": value})
    where = compile_where(_one("Contact", FilterRule(RuleKind.PICKLIST, "Risk_Profile__c", (value, "BAL"))),
                          FilterContext(hostile_org.user_id))
    wanted = {value.lower(), "bal"}
    expected = sum(1 for r in _live(hostile_org) if (r["Risk_Profile__c"] or "\0none").lower() in wanted)
    assert expected >= 1
    assert _count(http, "Contact", where) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=text)
def test_filter_rule_hostile_email_domains_stay_literal(hostile_org: DemoOrg, http: httpx.Client, value: str) -> None:
    """A domain is matched as a literal suffix: ``%`` and ``_`` are not wildcards, quotes end nothing."""
    domain = value.strip().lstrip("@")
    if not domain:
        return
    where = compile_where(_one("Lead", FilterRule(RuleKind.EMAIL_DOMAIN, values=(value,))),
                          FilterContext(hostile_org.user_id))
    suffix = "@" + domain.lower()
    expected = sum(1 for r in _live(hostile_org, "Lead") if (r["Email"] or "").lower().endswith(suffix))
    assert _count(http, "Lead", where) == expected


# -- limits --------------------------------------------------------------------------------------------
URI_LIMIT = 16_384  # bytes of the request URI Salesforce accepts
SOQL_LIMIT = 100_000  # characters of a SOQL statement


def _largest_filter(value_length: int, values: int, rules: int = MAX_RULES_PER_GROUP) -> ObjectFilter:
    rule = FilterRule(RuleKind.PICKLIST, "Risk_Profile__c", tuple(
        (f"{i:03d}" + "'%\\é" * value_length)[:value_length] for i in range(values)))
    return ObjectFilter("Contact", tuple(RuleGroup((rule,) * rules) for _ in range(MAX_GROUPS)))


def test_filter_rule_the_largest_allowed_filter_stays_inside_the_limits() -> None:
    with pytest.raises(FilterError, match="too long"):
        compile_where(_largest_filter(MAX_VALUE_LENGTH, MAX_VALUES), FilterContext("005"))
    # Grow the filter until it is refused: the last one accepted is the largest a query can carry.
    largest, values = None, 1
    while values <= MAX_VALUES:
        try:
            largest = compile_where(_largest_filter(12, values, rules=1), FilterContext("005"))
        except FilterError:
            break
        values += 1
    assert largest is not None and values > 1
    extra = tuple(f"Custom_Field_With_A_Long_Name_{i:02d}__c" for i in range(20))  # ~20 extra fields
    stamp = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    soql = q.people("Contact", (*q.CONTACT_FIELDS, *extra), since=stamp,
                    resume=RecordKey(stamp, "003000000000001AAA"), owner_id="005000000000001AAA")
    soql = soql.replace(" ORDER BY", f" AND {largest} ORDER BY")
    url = "/services/data/v62.0/query?q=" + quote_plus(soql, safe="")
    assert len(url.encode()) < URI_LIMIT
    assert len(soql) < SOQL_LIMIT
    # A filter change asks for "new AND NOT old": both filters at their largest in one query.
    change = soql_mod.select((*q.CONTACT_FIELDS, *extra), "Contact", where=difference(largest, largest + " "),
                             order_by=q.ORDER)
    url = "/services/data/v62.0/query?q=" + quote_plus(change, safe="")
    assert len(url.encode()) < URI_LIMIT


def test_filter_rule_the_most_meeting_people_fit_the_budget() -> None:
    ids = tuple(f"003Hs{i:010d}AAA" for i in range(MAX_MEETING_IDS))
    rule = FilterRule(RuleKind.MEETING_SOON, days=30)
    assert compile_where(_one("Contact", rule), FilterContext("005", meeting_ids={30: ids}))
    with pytest.raises(FilterError, match="choose fewer days"):
        compile_where(_one("Contact", rule), FilterContext("005", meeting_ids={30: (*ids, "003Hs9999999999AAA")}))
