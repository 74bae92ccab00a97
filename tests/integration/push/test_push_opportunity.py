"""New opportunities pushed by the unchanged engine against the demo org: on the client's account, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.demo_org import DemoOrg
from app.store import activities as activities_repo
from app.store.activities import ActivityDraftValue
from app.store.kinds import ItemKind
from app.store.models import Contact
from app.sync.push.status import PushStatus
from tests.integration.push.conftest import PushEnv, workspace_env

CLOSE = "2027-03-31"
NAMED = {ItemKind.OPPORTUNITY: "{name} for {contact}"}


async def _opportunity(env: PushEnv, person: Contact | None = None, **fields: Any) -> ActivityDraftValue:
    contact = person or env.person()
    values = {"name": "IRA rollover", "stage": "Proposal", "close_date": CLOSE, "amount": 250_000, **fields}
    return await env.db.run(lambda s: activities_repo.create(s, env.connection_id, ItemKind.OPPORTUNITY,
                                                             contact_id=contact.id, fields=values))


def _deals(env: PushEnv, name_start: str = "IRA rollover") -> list[dict[str, Any]]:
    return [r for r in env.live("Opportunity") if str(r["Name"]).startswith(name_start)]


async def test_opportunity_online_is_created_once_on_the_clients_account_named_by_the_template(env: PushEnv) -> None:
    person = env.person()
    deal = await _opportunity(env, note="Rolling over the old 401(k).")
    await env.queue(ItemKind.OPPORTUNITY, deal.id)

    report = await env.push(activity_title_templates=NAMED)

    assert report.status == PushStatus.DONE and report.pushed == 1, report
    [created] = _deals(env)
    assert created["Name"] == f"IRA rollover for {person.name}"
    assert created["AccountId"] == person.account_sf_id and person.account_sf_id
    assert (created["StageName"], created["CloseDate"], created["Amount"]) == ("Proposal", CLOSE, 250_000)
    assert created["Description"] == "Rolling over the old 401(k)."
    stored = await env.db.run(lambda s: activities_repo.get(s, deal.id))
    assert stored is not None and stored.state == "pushed" and stored.remote_id == created["Id"]
    again = await env.push(activity_title_templates=NAMED)
    assert again.pushed == 0 and len(_deals(env)) == 1


async def test_opportunity_without_a_stage_takes_the_orgs_first_active_stage(env: PushEnv) -> None:
    deal = await _opportunity(env, stage="", amount=None)
    await env.queue(ItemKind.OPPORTUNITY, deal.id)

    report = await env.push()

    assert report.pushed == 1
    [created] = _deals(env)
    assert created["StageName"] == "Prospecting" and created["Amount"] is None


async def test_opportunity_offline_waits_then_goes_exactly_once(env: PushEnv) -> None:
    deal = await _opportunity(env)
    [row] = await env.queue(ItemKind.OPPORTUNITY, deal.id)
    env.org.faults.fail_next(50, status=503)

    offline = await env.push()

    assert offline.status == "offline" and offline.waiting == 1 and _deals(env) == []
    assert (await env.outbox(row.id)).state == "waiting"
    env.org.faults.clear()
    await env.queue(ItemKind.OPPORTUNITY, deal.id)  # back online: the same row again (Push, or its retry time)
    back = await env.push()
    assert back.status == PushStatus.DONE and back.pushed == 1 and len(_deals(env)) == 1


async def test_opportunity_lost_answer_is_reconciled_not_duplicated(env: PushEnv) -> None:
    deals = [await _opportunity(env, env.person(n=n), name=f"IRA rollover {n}") for n in range(3)]
    await env.queue(ItemKind.OPPORTUNITY, *(d.id for d in deals))
    env.org.faults.drop_after_commit(1)

    report = await env.push()

    assert report.pushed == 3 and report.reconciled == 3, report
    assert sorted(r["Name"] for r in _deals(env)) == ["IRA rollover 0", "IRA rollover 1", "IRA rollover 2"]


async def test_opportunity_inactive_stage_is_refused_with_the_field_and_a_fix(env: PushEnv) -> None:
    deal = await _opportunity(env, stage="Qualification")  # retired by the org's admin: active = false
    [row] = await env.queue(ItemKind.OPPORTUNITY, deal.id)

    report = await env.push()

    assert report.pushed == 0 and _deals(env) == []
    failed = await env.outbox(row.id)
    assert failed.state == "failed" and failed.last_error_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    hint = failed.last_error_hint or ""
    assert "'Qualification' for Stage" in hint and "choose a Stage from the list" in hint
    assert "Stage" in (failed.last_error_message or "")


async def test_opportunity_required_custom_field_shows_the_field_and_who_can_fix_it(tmp_path: Path) -> None:
    with DemoOrg(contacts=6, seed=5, required_fields=("Opportunity.Custodian__c",)) as org:
        async with workspace_env(org, tmp_path / "workspace.db") as env:
            deal = await _opportunity(env)
            [row] = await env.queue(ItemKind.OPPORTUNITY, deal.id)

            report = await env.push()

            assert report.pushed == 0 and _deals(env) == []
            failed = await env.outbox(row.id)
            assert failed.state == "failed" and failed.last_error_code == "REQUIRED_FIELD_MISSING"
            assert "Custodian__c" in (failed.last_error_message or "")
            hint = failed.last_error_hint or ""
            assert "“Custodian” required on every opportunity" in hint and "admin" in hint


async def test_opportunity_for_a_lead_is_not_sent_and_says_it_needs_an_account(env: PushEnv) -> None:
    lead = env.person("Lead")
    deal = await _opportunity(env, lead)
    [row] = await env.queue(ItemKind.OPPORTUNITY, deal.id)

    report = await env.push()

    assert report.pushed == 0 and _deals(env) == []
    failed = await env.outbox(row.id)
    assert failed.state == "failed" and "household or account" in (failed.last_error_message or "")
