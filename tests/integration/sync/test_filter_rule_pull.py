"""The pull under filter rules, against the demo org over real HTTP into a real workspace file: a full
pull keeps exactly the filter's records, a filter change fetches and removes only the difference (its
calls counted), a person with a draft stays "outside your filter", and an edit in Salesforce that moves
someone out of the filter is noticed by the next incremental pull."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.store import Database, notes
from app.store.models import Contact
from app.sync.pull.filters import FilterRule, ObjectFilter, RuleGroup, RuleKind
from tests.integration.sync.conftest import engine


def _picklist(*values: str, mine: bool = True) -> tuple[ObjectFilter, ...]:
    rules = (FilterRule(RuleKind.PICKLIST, "Risk_Profile__c", values),)
    if mine:
        rules = (FilterRule(RuleKind.OWNER_IS_ME), *rules)
    return (ObjectFilter("Contact", (RuleGroup(rules),)),)


def _expected(org: DemoOrg, *values: str) -> set[str]:
    return {r["Id"] for r in org.records("Contact")
            if not r["IsDeleted"] and r["OwnerId"] == org.user_id and r["Risk_Profile__c"] in values}


async def _workspace(db: Database, cid: int) -> dict[str, Any]:
    def read(session: Any) -> dict[str, Any]:
        rows = session.execute(select(Contact.sf_id, Contact.is_deleted, Contact.outside_filter).where(
            Contact.connection_id == cid)).all()
        return {sf_id: (deleted, outside) for sf_id, deleted, outside in rows}
    return await db.run(read)


def _live(rows: dict[str, Any]) -> set[str]:
    return {sf_id for sf_id, (deleted, _outside) in rows.items() if not deleted}


async def test_filter_rule_pull_keeps_exactly_the_filter(org: DemoOrg, client: SalesforceClient, db: Database,
                                                         connection_id: int) -> None:
    result = await engine(client, db, connection_id, filters=_picklist("GROW"), user_id=org.user_id).run()
    assert result.ok, result.message
    assert _live(await _workspace(db, connection_id)) == _expected(org, "GROW") != set()


async def test_filter_rule_change_syncs_the_difference_and_keeps_drafts(
        org: DemoOrg, client: SalesforceClient, db: Database, connection_id: int) -> None:
    first = await engine(client, db, connection_id, filters=_picklist("GROW", "AGGR"), user_id=org.user_id).run()
    assert first.ok, first.message
    assert _live(await _workspace(db, connection_id)) == _expected(org, "GROW", "AGGR")

    # A plain incremental pull under the same filter: the baseline of calls.
    org.reset_stats()
    same = await engine(client, db, connection_id, filters=_picklist("GROW", "AGGR"), user_id=org.user_id).run()
    baseline = org.stats()["api_calls"]
    assert same.ok and "filter_added" not in same.counts and "filter_removed" not in same.counts

    # Widen: GROW, AGGR -> GROW, AGGR, BAL brings only the BAL records.
    org.reset_stats()
    wider = await engine(client, db, connection_id, filters=_picklist("GROW", "AGGR", "BAL"),
                         user_id=org.user_id).run()
    assert wider.ok, wider.message
    added = _expected(org, "BAL")
    assert added and wider.counts["filter_added"] == len(added)
    # The difference (one page: it is small), the Ids that left (none) and the newcomers' meetings.
    assert org.stats()["api_calls"] == baseline + 3
    assert _live(await _workspace(db, connection_id)) == _expected(org, "GROW", "AGGR", "BAL")

    # Narrow to GROW: the AGGR and BAL people leave, except one with a draft note, who stays marked.
    leaving = sorted(_expected(org, "AGGR", "BAL"))
    with_draft = leaving[0]
    await db.run(lambda s: notes.create(s, connection_id, parent_sf_id=with_draft, title="Review call",
                                        body_markdown="Talk about the portfolio"))
    org.reset_stats()
    narrower = await engine(client, db, connection_id, filters=_picklist("GROW"), user_id=org.user_id).run()
    assert narrower.ok, narrower.message
    assert org.stats()["api_calls"] == baseline + 2  # the difference (none new) and the Ids that left
    rows = await _workspace(db, connection_id)
    assert _live(rows) == _expected(org, "GROW") | {with_draft}
    assert rows[with_draft] == (False, True)  # kept, "outside your filter"
    assert narrower.counts["filter_removed"] == len(leaving) - 1 and narrower.counts["filter_kept"] == 1
    assert all(rows[i][0] for i in leaving[1:])

    # Widen again: the marked person is back inside, the others come back.
    again = await engine(client, db, connection_id, filters=_picklist("GROW", "AGGR", "BAL"),
                         user_id=org.user_id).run()
    assert again.ok
    rows = await _workspace(db, connection_id)
    assert _live(rows) == _expected(org, "GROW", "AGGR", "BAL") and rows[with_draft] == (False, False)


async def test_filter_rule_edit_in_salesforce_moves_a_person_out(
        org: DemoOrg, client: SalesforceClient, db: Database, connection_id: int) -> None:
    filters = _picklist("GROW")
    assert (await engine(client, db, connection_id, filters=filters, user_id=org.user_id).run()).ok
    moved = sorted(_expected(org, "GROW"))[0]
    org.update_record("Contact", moved, {"Risk_Profile__c": "CONS"})
    result = await engine(client, db, connection_id, filters=filters, user_id=org.user_id).run()
    assert result.ok and result.counts["filter_removed"] == 1
    rows = await _workspace(db, connection_id)
    assert rows[moved][0] and _live(rows) == _expected(org, "GROW")


async def test_filter_rule_off_keeps_everything_after_a_filter(
        org: DemoOrg, client: SalesforceClient, db: Database, connection_id: int) -> None:
    assert (await engine(client, db, connection_id, filters=_picklist("GROW"), user_id=org.user_id).run()).ok
    result = await engine(client, db, connection_id, user_id=org.user_id).run()
    assert result.ok
    everyone = {r["Id"] for r in org.records("Contact") if not r["IsDeleted"]}
    assert _live(await _workspace(db, connection_id)) == everyone
    assert result.counts["filter_added"] == len(everyone - _expected(org, "GROW"))


async def test_filter_rule_full_resync_under_a_filter_keeps_people_with_drafts(
        org: DemoOrg, client: SalesforceClient, db: Database, connection_id: int) -> None:
    assert (await engine(client, db, connection_id, user_id=org.user_id).run()).ok  # everyone
    outside = sorted(_expected(org, "AGGR"))[0]
    await db.run(lambda s: notes.create(s, connection_id, parent_sf_id=outside, title="Call back"))
    result = await engine(client, db, connection_id, filters=_picklist("GROW"), user_id=org.user_id).run(full=True)
    assert result.ok, result.message
    rows = await _workspace(db, connection_id)
    assert _live(rows) == _expected(org, "GROW") | {outside}
    assert rows[outside] == (False, True)


async def test_filter_rule_leads_have_their_own_filter(org: DemoOrg, client: SalesforceClient, db: Database,
                                                       connection_id: int) -> None:
    leads = [r for r in org.records("Lead") if not r["IsDeleted"]]
    domain = leads[0]["Email"].split("@", 1)[1]
    lead_filter = ObjectFilter("Lead", (RuleGroup((FilterRule(RuleKind.EMAIL_DOMAIN, values=(domain,)),)),))
    result = await engine(client, db, connection_id, include_leads=True, user_id=org.user_id,
                          filters=(*_picklist("GROW"), lead_filter)).run()
    assert result.ok, result.message
    wanted = {r["Id"] for r in leads if r["Email"].lower().endswith("@" + domain.lower())}
    assert wanted and _live(await _workspace(db, connection_id)) == _expected(org, "GROW") | wanted
