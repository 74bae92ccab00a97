"""The opportunity editor's stage list when the org can't be asked: plain words, the org's default kept."""

from __future__ import annotations

from app.salesforce.errors import NetworkError
from app.services.picklist_choices import UNAVAILABLE, PicklistChoices


async def test_opportunity_stage_choices_without_a_connection_say_so() -> None:
    load = await PicklistChoices(None).load("Opportunity", "StageName")
    assert load.values == () and load.default is None and load.problem == UNAVAILABLE
    assert "default" in load.problem and "can't be reached" in load.problem


async def test_opportunity_stage_choices_offline_say_so_and_never_raise() -> None:
    async def offline() -> object:
        raise NetworkError("offline")

    load = await PicklistChoices(offline).load("Opportunity", "StageName")  # type: ignore[arg-type]
    assert load.values == () and load.problem == UNAVAILABLE
