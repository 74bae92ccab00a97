"""The push leaves a share of the org's daily API allowance for the org's other tools.

Numbers as Salesforce reports them in ``Sforce-Limit-Info: api-usage=USED/MAX`` (Developer Edition: 15,000 a day).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.sync.push.budget import PAUSE_RECHECK, ApiBudget, BudgetDecision

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def test_sync_budget_spends_freely_while_usage_is_unknown() -> None:
    budget = ApiBudget()
    assert budget.available is None and budget.estimated_calls_left() is None
    assert budget.check(10_000, NOW) == BudgetDecision(True)
    budget.update(None)
    budget.update((0, 0))  # a header without a maximum tells nothing
    assert budget.available is None


def test_sync_budget_keeps_the_reserve_for_other_apps() -> None:
    budget = ApiBudget(0.10)
    budget.update((12_000, 15_000))
    assert budget.reserve == 1_500 and budget.available == 1_500
    assert budget.check(1_500, NOW).ok
    refused = budget.check(1_501, NOW)
    assert not refused.ok and not refused.recheck
    assert refused.reason == ("Paused to leave 10% of your org's daily Salesforce API calls for other apps "
                              "(12,000 of 15,000 used). Notebridge resumes by itself as usage rolls off.")
    assert refused.retry_at == NOW + PAUSE_RECHECK


def test_sync_budget_reserve_rounds_up_and_never_goes_negative() -> None:
    budget = ApiBudget(0.10)
    budget.update((0, 15_001))
    assert budget.reserve == 1_501  # ceil: the reserve is never shaved by rounding
    budget.update((15_500, 15_000))  # over the maximum already (other tools)
    assert budget.available == 0


def test_sync_budget_pause_looks_again_after_the_recheck_interval() -> None:
    budget = ApiBudget(0.10)
    budget.update((14_000, 15_000))
    first = budget.check(10, NOW)
    later = budget.check(10, NOW + timedelta(minutes=10))
    assert not first.ok and later.retry_at == first.retry_at == NOW + PAUSE_RECHECK  # the pause's own clock
    look = budget.check(10, NOW + PAUSE_RECHECK)
    assert look == BudgetDecision(True, recheck=True)  # one cheap call to read usage again
    # Usage rolled off: the pause is over.
    budget.update((9_000, 15_000))
    assert budget.check(10, NOW + PAUSE_RECHECK).ok and budget.paused_at is None


def test_sync_budget_after_request_limit_exceeded_nothing_is_spent_until_the_recheck() -> None:
    budget = ApiBudget()
    stop = budget.note_limit_exceeded(NOW)
    assert not stop.ok and stop.retry_at == NOW + PAUSE_RECHECK
    assert "daily API limit for your org is used up" in stop.reason
    assert budget.check(1, NOW + PAUSE_RECHECK - timedelta(seconds=1)) == stop
    assert budget.check(1, NOW + PAUSE_RECHECK) == BudgetDecision(True, recheck=True)
    assert budget.limit_hit_at is None


@pytest.mark.parametrize("fraction", [-0.01, 1.0, 1.5])
def test_sync_budget_refuses_a_reserve_outside_zero_to_one(fraction: float) -> None:
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        ApiBudget(fraction)


def test_sync_budget_reserve_is_exact_for_every_whole_percent() -> None:
    # The settings page offers whole percents (0-50); 7% of 100,000 is 7,000, not 7,001.
    for percent in range(51):
        for limit in (5_000, 15_000, 100_000, 115_000):
            budget = ApiBudget(percent / 100)
            budget.update((0, limit))
            assert budget.reserve == -(-limit * percent // 100), (percent, limit)


@settings(deadline=None)
@given(st.integers(0, 200_000), st.integers(1, 200_000), st.integers(1, 5_000), st.integers(0, 50))
def test_sync_budget_allows_exactly_what_fits_above_the_reserve(used: int, limit: int, calls: int,
                                                                percent: int) -> None:
    budget = ApiBudget(percent / 100)
    budget.update((used, limit))
    reserve = -(-limit * percent // 100)  # ceil in whole numbers
    assert budget.check(calls, NOW).ok == (used + calls <= limit - reserve)
