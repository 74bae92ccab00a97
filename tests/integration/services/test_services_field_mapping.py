"""Field mappings over a real sign-in to the demo org: Phone from MobilePhone first, extra custom fields of
each type shown typed on the client's detail with the org's labels, and a field the admin deletes
mid-life reported in the sync log and dropped while the sync goes on."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.demo_org import DemoOrg
from app.services.clients import ClientDirectory
from app.services.events import Events
from app.services.field_mappings import FieldMappings, FieldMappingsChanged
from app.store import Database
from app.store.models import Contact
from app.sync.connection import ConnectionManager
from app.sync.pull.scheduler import PullScheduler
from app.sync.pull.types import Outcome
from tests.integration.settings.settings_env import pulled_workspace

EXTRAS = ("AUM__c", "Next_Review__c", "Risk_Profile__c")


@pytest.fixture
async def signed_in_org(tmp_path: Path) -> AsyncIterator[tuple[DemoOrg, Database, ConnectionManager]]:
    async with pulled_workspace(tmp_path / "ws.db", contacts=40, seed=6) as opened:
        yield opened


async def _row_id(db: Database, sf_id: str) -> int:
    def read(session: Any) -> int:
        return int(session.execute(select(Contact.id).where(Contact.sf_id == sf_id)).scalar_one())
    return await db.run(read)


def _typed(record: dict[str, Any]) -> tuple[str, str, str]:
    day = dt.date.fromisoformat(record["Next_Review__c"])
    labels = {"CONS": "Conservative", "BAL": "Balanced", "GROW": "Growth", "AGGR": "Aggressive"}
    return f"USD {record['AUM__c']:,.2f}", f"{day.day} {day:%b %Y}", labels[record["Risk_Profile__c"]]


async def test_field_mapping_extras_are_shown_typed_with_the_orgs_labels(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    org, db, manager = signed_in_org
    events = Events()
    heard: list[FieldMappingsChanged] = []
    events.subscribe(FieldMappingsChanged, heard.append)
    service = FieldMappings(db, manager, events)
    options = {o.name: o for o in await service.choices("Contact")}
    assert (options["AUM__c"].label, options["AUM__c"].type) == ("Assets Under Management", "currency")
    assert options["Next_Review__c"].type == "date" and options["Risk_Profile__c"].type == "picklist"

    mapping = await service.save("Contact", phone=("MobilePhone", "Phone"), extras=EXTRAS)
    assert mapping.currency == "USD" and heard
    with pytest.raises(ValueError, match="at most 20"):
        await service.save("Contact", phone=(), extras=tuple(f"F{i}__c" for i in range(21)))
    with pytest.raises(ValueError, match="no field Nope__c"):
        await service.save("Contact", phone=(), extras=("Nope__c",))

    scheduler = PullScheduler(db, manager)
    result = await scheduler.sync_now()
    assert result.ok, result.message
    assert result.counts["Contact.written"] == len([r for r in org.records("Contact") if not r["IsDeleted"]])

    record = next(r for r in org.records("Contact") if all(r[n] is not None for n in EXTRAS) and r["MobilePhone"])
    detail = await ClientDirectory(db).open(manager.active.connection_id, await _row_id(db, record["Id"]))  # type: ignore[union-attr]
    assert detail is not None
    assert [f.label for f in detail.extras] == ["Assets Under Management", "Next Review", "Risk Profile"]
    assert tuple(f.text for f in detail.extras) == _typed(record)
    assert detail.contact.phone == record["MobilePhone"]  # MobilePhone first, then Phone

    # Searched: a picklist by the label the org shows (its stored code is "AGGR").
    cid = manager.active.connection_id  # type: ignore[union-attr]
    hits = await ClientDirectory(db).search(cid, "aggressive", 200)
    aggressive = {r["Id"] for r in org.records("Contact") if r["Risk_Profile__c"] == "AGGR" and not r["IsDeleted"]}
    assert aggressive and {h.contact.sf_id for h in hits} == aggressive

    blank = next(r for r in org.records("Contact") if r["Risk_Profile__c"] is None)
    detail = await ClientDirectory(db).open(manager.active.connection_id, await _row_id(db, blank["Id"]))  # type: ignore[union-attr]
    assert detail is not None and detail.extras[2].text == ""
    await scheduler.aclose()


async def test_field_mapping_field_removed_in_the_org_is_logged_dropped_and_the_sync_goes_on(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    org, db, manager = signed_in_org
    service = FieldMappings(db, manager)
    await service.save("Contact", phone=(), extras=EXTRAS)
    scheduler = PullScheduler(db, manager)
    assert (await scheduler.sync_now()).ok

    org.remove_field("Contact", "AUM__c")
    changed = next(r for r in org.records("Contact") if not r["IsDeleted"])
    org.update_record("Contact", changed["Id"], {"Title": "Retired surgeon"})
    result = await scheduler.sync_now()
    assert result.outcome is Outcome.PARTIAL, result.message
    assert any('"Assets Under Management" (AUM__c) is no longer in Salesforce' in s.reason for s in result.skipped)
    assert "1 field you chose is no longer in Salesforce" in result.message
    assert "could not be read" not in result.message
    assert [e.name for e in (await service.load("Contact")).extras] == ["Next_Review__c", "Risk_Profile__c"]

    detail = await ClientDirectory(db).open(manager.active.connection_id, await _row_id(db, changed["Id"]))  # type: ignore[union-attr]
    assert detail is not None and detail.contact.title == "Retired surgeon"  # the sync went on
    assert [f.label for f in detail.extras] == ["Next Review", "Risk Profile"]

    again = await scheduler.sync_now()
    assert again.outcome is Outcome.OK, again.message  # reported once, not every sync
    await scheduler.aclose()
