"""The firm's managed filter rules and field mappings, applied over a real sign-in to the demo org: the
sync keeps only the records the firm's filter keeps and pulls the firm's fields; a default preset is
the advisor's starting point (their own change wins), a locked one is not theirs to change; fields
the org lacks are reported in plain words and skipped while the sync goes on; hostile values are data;
drafts are never deleted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.demo_org import DemoOrg
from app.services.clients import ClientDirectory
from app.services.events import Events
from app.services.field_mappings import FieldMappings
from app.services.firm_presets import SET_BY_FIRM, SetByFirm
from app.services.managed.config import parse
from app.services.managed.presets import ManagedSync
from app.services.managed.sync_presets import apply_sync_presets
from app.services.sync_filters import FilterError, SyncFilters, SyncFiltersChanged
from app.store import Database, notes
from app.store import sync_log as sync_log_rows
from app.store.models import Contact
from app.sync.connection import ConnectionManager
from app.sync.pull.filters import FilterRule, ObjectFilter, RuleGroup, RuleKind
from app.sync.pull.scheduler import PullScheduler
from app.sync.pull.types import Outcome
from tests.integration.settings.settings_env import pulled_workspace

GOOD = {"login_url": "https://login.salesforce.com", "consumer_key": "3MVGkey"}


def presets(sync: dict[str, Any]) -> ManagedSync:
    """The ``sync`` section as the reader gives it from a notebridge.json (no problems expected)."""
    setup = parse({**GOOD, "sync": sync}, Path("/etc/xdg/notebridge/notebridge.json"))
    assert setup.config is not None and setup.problems == (), setup.explanation()
    return setup.config.sync


GROWTH = {"filter_rules": {"Contact": [[{"kind": "picklist", "field": "Risk_Profile__c", "values": ["GROW"]}]]},
          "field_mappings": {"Contact": {"phone": ["MobilePhone", "Phone"],
                                         "extra_fields": ["AUM__c", "Next_Review__c", "Risk_Profile__c"]}}}


@pytest.fixture
async def signed_in_org(tmp_path: Path) -> AsyncIterator[tuple[DemoOrg, Database, ConnectionManager]]:
    async with pulled_workspace(tmp_path / "ws.db", contacts=40, seed=6) as opened:
        yield opened


async def _live(db: Database) -> set[str]:
    def read(session: Any) -> set[str]:
        return set(session.execute(select(Contact.sf_id).where(~Contact.is_deleted)).scalars())
    return await db.run(read)


def _expected(org: DemoOrg, *values: str) -> set[str]:
    return {r["Id"] for r in org.records("Contact") if not r["IsDeleted"] and r["Risk_Profile__c"] in values}


async def test_managed_filter_rule_and_field_mapping_presets_drive_the_sync(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    org, db, manager = signed_in_org
    events = Events()
    heard: list[SyncFiltersChanged] = []
    events.subscribe(SyncFiltersChanged, heard.append)
    # The workspace has everyone; one of those the firm's filter leaves out has a draft note.
    outsider = sorted(_expected(org, "CONS", "BAL", "AGGR", None))[0]  # type: ignore[arg-type]
    cid = manager.active.connection_id  # type: ignore[union-attr]
    draft = await db.run(lambda s: notes.create(s, cid, parent_sf_id=outsider, title="Review",
                                                body_markdown="Portfolio review"))

    done = await apply_sync_presets(db, manager, presets(GROWTH), events)
    assert done.applied == ("the filter for contacts", "the fields for contacts") and not done.skipped
    assert heard and heard[0].sobject == "Contact"
    preview = await SyncFilters(db, manager).preview((await SyncFilters(db, manager).load())["Contact"])
    assert preview.kept == len(_expected(org, "GROW"))

    scheduler = PullScheduler(db, manager)
    result = await scheduler.sync_now()
    assert result.ok, result.message
    assert await _live(db) == _expected(org, "GROW") | {outsider}  # the person with a draft stays …
    kept = await db.run(lambda s: notes.get(s, draft.id))
    assert kept is not None and kept.body_markdown == "Portfolio review"  # … and so does the draft

    grower = next(r for r in org.records("Contact") if r["Risk_Profile__c"] == "GROW" and r["AUM__c"] is not None
                  and not r["IsDeleted"])
    hits = await ClientDirectory(db).search(cid, grower["Name"], 20)
    detail = await ClientDirectory(db).open(cid, next(h.contact.id for h in hits if h.contact.sf_id == grower["Id"]))
    assert detail is not None
    assert [f.label for f in detail.extras] == ["Assets Under Management", "Next Review", "Risk Profile"]
    assert detail.extras[2].text == "Growth"
    await scheduler.aclose()


async def test_managed_filter_rule_and_field_mapping_defaults_are_a_starting_point_the_advisor_can_change(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    _org, db, manager = signed_in_org
    filters, fields = SyncFilters(db, manager), FieldMappings(db, manager)
    await apply_sync_presets(db, manager, presets(GROWTH))
    assert not await filters.locked("Contact") and not await fields.locked("Contact")

    own = ObjectFilter("Contact", (RuleGroup((FilterRule(RuleKind.OWNER_IS_ME),)),))
    await filters.save(own)  # the advisor's own choice …
    await fields.save("Contact", phone=(), extras=("Birthdate",))
    again = await apply_sync_presets(db, manager, presets(GROWTH))  # … survives the next start
    assert again.applied == () and again.kept_own == ("the filter for contacts", "the fields for contacts")
    assert (await filters.load())["Contact"] == own
    assert [e.name for e in (await fields.load("Contact")).extras] == ["Birthdate"]

    # A Lead preset the advisor never touched follows a newer file.
    lead = {"filter_rules": {"Lead": [[{"kind": "picklist", "field": "Status", "values": ["Working - Contacted"]}]]}}
    await apply_sync_presets(db, manager, presets(lead))
    newer = {"filter_rules": {"Lead": [[{"kind": "owner_is_me"}]]}}
    assert (await apply_sync_presets(db, manager, presets(newer))).applied == ("the filter for leads",)
    assert (await filters.load())["Lead"].groups[0].rules[0].kind is RuleKind.OWNER_IS_ME


async def test_managed_filter_rule_and_field_mapping_locked_cannot_be_changed_by_the_advisor(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    _org, db, manager = signed_in_org
    filters, fields = SyncFilters(db, manager), FieldMappings(db, manager)
    own = ObjectFilter("Contact", (RuleGroup((FilterRule(RuleKind.OWNER_IS_ME),)),))
    await filters.save(own)  # the advisor's choice before the firm locked it
    done = await apply_sync_presets(db, manager, presets({**GROWTH, "locked": True}))
    assert done.applied == ("the filter for contacts", "the fields for contacts") and not done.kept_own
    assert await filters.locked("Contact") and await fields.locked("Contact")
    assert not await filters.locked("Lead")  # the firm set nothing for leads: the advisor's to choose
    with pytest.raises(FilterError, match=SET_BY_FIRM):
        await filters.save(own)
    with pytest.raises(SetByFirm):
        await fields.save("Contact", phone=(), extras=("Birthdate",))
    assert (await filters.load())["Contact"].groups[0].rules[0].field == "Risk_Profile__c"
    await filters.save(ObjectFilter("Lead", (RuleGroup((FilterRule(RuleKind.OWNER_IS_ME),)),)))

    # The firm unlocks (a newer file): the advisor may change it again.
    await apply_sync_presets(db, manager, presets(GROWTH))
    assert not await filters.locked("Contact")
    await filters.save(own)


async def test_managed_filter_rule_and_field_mapping_fields_the_org_lacks_are_skipped_and_the_sync_goes_on(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    org, db, manager = signed_in_org
    cid = manager.active.connection_id  # type: ignore[union-attr]
    sync = {"filter_rules": {"Contact": [[{"kind": "date_window", "field": "Last_Meeting__c", "days": 30}]],
                             "Lead": [[{"kind": "record_type", "values": ["Wholesale"]}]]},
            "field_mappings": {"Contact": {"extra_fields": ["AUM__c", "Wallet_Share__c", "risk_profile__c"]},
                               "Lead": {"extra_fields": ["Wallet_Share__c"]}}}
    done = await apply_sync_presets(db, manager, presets(sync))
    assert done.applied == ("the fields for contacts",)
    words = " ".join(done.skipped)
    assert "uses the field Last_Meeting__c, which this Salesforce org does not have" in words
    assert "every contact you can see syncs" in words
    assert "names a record type this Salesforce org does not have" in words
    assert "show the field Wallet_Share__c for contacts, but this Salesforce org does not have it" in words
    assert "show the field Wallet_Share__c for leads" in words
    assert (await FieldMappings(db, manager).load("Lead")).extras == ()  # nothing of it left: not applied
    # The org's spelling is used for a field the file wrote in other case.
    assert [e.name for e in (await FieldMappings(db, manager).load("Contact")).extras] == ["AUM__c", "Risk_Profile__c"]
    logged = await db.run(lambda s: sync_log_rows.entries(s, cid))
    assert any(row.error_message and "Wallet_Share__c" in row.error_message for row in logged)

    scheduler = PullScheduler(db, manager)
    result = await scheduler.sync_now()
    assert result.outcome is Outcome.OK, result.message  # the sync goes on, with every contact
    assert await _live(db) == {r["Id"] for r in org.records("Contact") if not r["IsDeleted"]}
    await scheduler.aclose()


async def test_managed_filter_rule_hostile_values_are_data(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager]) -> None:
    org, db, manager = signed_in_org
    hostile = ["' OR Name LIKE '%", "GROW' OR Id != null OR Name = '", "\\", "%_", "line\nbreak", "ünï’cödé"]
    sync = {"locked": True, "filter_rules": {"Contact": [[{"kind": "picklist", "field": "Risk_Profile__c",
                                                            "values": hostile}]]}}
    done = await apply_sync_presets(db, manager, presets(sync))
    assert done.applied == ("the filter for contacts",)
    saved = (await SyncFilters(db, manager).load())["Contact"]
    assert saved.groups[0].rules[0].values == tuple(hostile)  # kept as written
    assert (await SyncFilters(db, manager).preview(saved)).kept == 0
    scheduler = PullScheduler(db, manager)
    assert (await scheduler.sync_now()).ok
    assert await _live(db) == set()  # no value matched anyone: none of them was read as SOQL
    assert org.records("Contact")
    await scheduler.aclose()


async def test_managed_filter_rule_and_field_mapping_at_start_follow_the_file_for_the_firms_org_only(
        signed_in_org: tuple[DemoOrg, Database, ConnectionManager], tmp_path: Path) -> None:
    import json

    from app.services.managed import apply_sync_presets_at_start

    _org, db, manager = signed_in_org
    active = manager.active
    assert active is not None
    firm_file = tmp_path / "notebridge.json"
    assert await apply_sync_presets_at_start(db, manager, path=firm_file) is None  # no file: nothing to do

    other_org = {"login_url": "https://otherfirm.my.salesforce.com", "consumer_key": active.consumer_key,
                 "sync": {**GROWTH, "locked": True}}
    firm_file.write_text(json.dumps(other_org))
    assert await apply_sync_presets_at_start(db, manager, path=firm_file) is None  # not the firm's org
    assert not await SyncFilters(db, manager).locked("Contact")

    firm_file.write_text(json.dumps({**other_org, "login_url": active.login_url}))
    done = await apply_sync_presets_at_start(db, manager, path=firm_file)
    assert done is not None and done.applied == ("the filter for contacts", "the fields for contacts")
    assert await SyncFilters(db, manager).locked("Contact")

    # IT removes the presets from the file: the next start unlocks; the settings stay as they were.
    firm_file.write_text(json.dumps({"login_url": active.login_url, "consumer_key": active.consumer_key}))
    done = await apply_sync_presets_at_start(db, manager, path=firm_file)
    assert done is not None and done.applied == ()
    assert not await SyncFilters(db, manager).locked("Contact")
    assert not (await SyncFilters(db, manager).load())["Contact"].empty
