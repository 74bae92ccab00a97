"""Filter rules compiled to SOQL, without an org: the shape of groups, the refusals, the difference."""

from __future__ import annotations

import pytest

from app.sync.pull.filters import (
    FilterContext,
    FilterError,
    FilterRule,
    ObjectFilter,
    RuleGroup,
    RuleKind,
    compile_where,
    difference,
    filters_from_json,
)

ME = FilterContext("005000000000001AAA", role_id="00E000000000001AAA", meeting_ids={7: ()})


def _flt(*groups: tuple[FilterRule, ...], sobject: str = "Contact") -> ObjectFilter:
    return ObjectFilter(sobject, tuple(RuleGroup(g) for g in groups))


def test_filter_rule_and_within_a_group_or_between_groups() -> None:
    mine, team = FilterRule(RuleKind.OWNER_IS_ME), FilterRule(RuleKind.OWNER_IN_MY_ROLE)
    recent = FilterRule(RuleKind.DATE_WINDOW, "LastModifiedDate", days=730)
    assert compile_where(_flt((mine, recent), (team,)), ME) == (
        "((OwnerId = '005000000000001AAA' AND LastModifiedDate = LAST_N_DAYS:730) OR "
        "Owner.UserRoleId = '00E000000000001AAA')")
    assert compile_where(_flt(), ME) is None
    assert compile_where(_flt((FilterRule(RuleKind.MEETING_SOON, days=7),)), ME) == "(Id = null)"


def test_filter_rule_values_are_literals_and_domains_suffixes() -> None:
    where = compile_where(_flt((FilterRule(RuleKind.EMAIL_DOMAIN, values=("@ex_ample.com", "a'b%")),)), ME)
    assert where == "((Email LIKE '%@ex\\_ample.com' OR Email LIKE '%@a\\'b\\%'))"
    where = compile_where(_flt((FilterRule(RuleKind.PICKLIST, "Risk_Profile__c", ("x' OR Id != null OR Name = 'y",)),)),
                          ME)
    assert where == "(Risk_Profile__c IN ('x\\' OR Id != null OR Name = \\'y'))"


@pytest.mark.parametrize(("rule", "words"), [
    (FilterRule(RuleKind.PICKLIST, "Name = 'x' OR Id", ("a",)), "Choose a field"),
    (FilterRule(RuleKind.DATE_WINDOW, "CreatedDate", days=0), "between 1 and"),
    (FilterRule(RuleKind.DATE_WINDOW, "CreatedDate", days=99999), "between 1 and"),
    (FilterRule(RuleKind.RECORD_TYPE), "at least one value"),
    (FilterRule(RuleKind.PICKLIST, "Risk_Profile__c", ("x" * 256,)), "at most 255"),
])
def test_filter_rule_refusals_are_plain_words(rule: FilterRule, words: str) -> None:
    with pytest.raises(FilterError, match=words):
        compile_where(_flt((rule,)), ME)


def test_filter_rule_difference_and_saved_json() -> None:
    assert difference("(A)", "(A)") == ""
    assert difference("(A)", None) == ""  # everything was kept already
    assert difference(None, "(A)") == "NOT (A)"
    assert difference("(B)", "(A)") == "(B) AND (NOT (A))"
    flt = _flt((FilterRule(RuleKind.PICKLIST, "Risk_Profile__c", ("GROW",)),))
    assert filters_from_json({"Contact": flt.to_json()}) == (flt,)
    damaged = {"Contact": {"sobject": "Contact", "groups": [[{"kind": "nonsense"}]]}, "Lead": "x"}
    assert filters_from_json(damaged) == ()
