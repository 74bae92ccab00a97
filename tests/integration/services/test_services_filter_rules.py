"""The "what to sync" use case over a real sign-in to the demo org: choices from describe with the
org's labels, a live preview in words, saving that wakes the pull, and the pull applying the filter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.demo_org import DemoOrg
from app.services.events import Events
from app.services.sync_filters import (
    FilterError,
    FilterPreview,
    FilterRule,
    ObjectFilter,
    RuleGroup,
    RuleKind,
    SyncFilters,
    SyncFiltersChanged,
)
from app.store import Database
from app.store.models import Contact
from app.sync.connection import ConnectionManager
from app.sync.pull.scheduler import PullScheduler
from tests.integration.settings.settings_env import pulled_workspace


@pytest.fixture
async def signed_in_org(tmp_path: Path) -> AsyncIterator[tuple[DemoOrg, Database, ConnectionManager]]:
    async with pulled_workspace(tmp_path / "ws.db", contacts=80, seed=4) as opened:
        yield opened


def test_filter_rule_preview_words() -> None:
    assert FilterPreview("Contact", 12_430, 100_000).words == "This keeps 12,430 of 100,000 contacts."
    assert FilterPreview("Lead", 0, 1).words == "This keeps 0 of 1 lead."


async def test_filter_rule_service_choices_preview_and_save(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    org, db, manager = signed_in_org
    events = Events()
    heard: list[SyncFiltersChanged] = []
    events.subscribe(SyncFiltersChanged, heard.append)
    service = SyncFilters(db, manager, events)

    choices = await service.choices("Contact")
    risk = next(c for c in choices.picklists if c.name == "Risk_Profile__c")
    assert risk.label == "Risk Profile" and ("GROW", "Growth") in risk.values
    assert [label for _id, label in choices.record_types] == ["Client", "Prospective Client"]
    assert {"Next Review", "Last Modified Date"} <= {c.label for c in choices.dates}

    flt = ObjectFilter("Contact", (RuleGroup((FilterRule(RuleKind.PICKLIST, "Risk_Profile__c", ("GROW",)),)),))
    live = [r for r in org.records("Contact") if not r["IsDeleted"]]
    preview = await service.preview(flt)
    kept = sum(r["Risk_Profile__c"] == "GROW" for r in live)
    assert preview.words == f"This keeps {kept:,} of {len(live):,} contacts."

    empty_rule = FilterRule(RuleKind.PICKLIST, "Risk_Profile__c")
    with pytest.raises(FilterError, match="at least one value"):
        await service.preview(ObjectFilter("Contact", (RuleGroup((empty_rule,)),)))

    assert (await service.load())["Contact"].empty
    await service.save(flt)
    assert (await service.load())["Contact"] == flt
    assert heard and heard[0].sobject == "Contact"

    scheduler = PullScheduler(db, manager)
    result = await scheduler.sync_now()
    assert result.ok, result.message

    def live_ids(session: Any) -> set[str]:
        return set(session.execute(select(Contact.sf_id).where(~Contact.is_deleted)).scalars())

    assert await db.run(live_ids) == {r["Id"] for r in live if r["Risk_Profile__c"] == "GROW"}
    await scheduler.aclose()
