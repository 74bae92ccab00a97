"""`doctor --org-check`'s writes against the demo org: what it reports, and that it leaves nothing behind."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from app.demo_org import DemoOrg
from app.salesforce.client import SalesforceClient
from app.sync.org_check import OrgCheckReport, Outcome, run_org_check
from tests.integration.salesforce.sf_org import client_for, make_org, signed_in

OBJECTS = ("Contact", "Account", "Task", "Note", "ContentNote", "ContentDocument", "ContentDocumentLink")
STEPS = ("contact", "content-note-html", "link-share-values", "picklist-restricted", "classic-notes-off",
         "person-account")


def live_ids(org: DemoOrg) -> dict[str, set[str]]:
    return {name: {r["Id"] for r in org.records(name) if not r["IsDeleted"]} for name in OBJECTS}


class Injected(RuntimeError):
    pass


async def check(org: DemoOrg, *, note_type: str = "ContentNote",
                between_steps: Callable[[str], Awaitable[None]] | None = None) -> OrgCheckReport:
    result = await signed_in(org)
    client, _ = client_for(org, result)
    async with client:
        return await run_org_check(client, note_type=note_type, between_steps=between_steps)


async def test_org_check_reports_every_rule_and_leaves_no_records(client: SalesforceClient, org: DemoOrg) -> None:
    before = live_ids(org)
    report = await run_org_check(client)
    outcomes = {r.rule_id: r.outcome for r in report.results}
    assert outcomes == {"content-note-html": Outcome.FINE, "link-share-values": Outcome.FINE,
                        "picklist-restricted": Outcome.FINE, "classic-notes-off": Outcome.NOT_USED,
                        "person-account": Outcome.NOT_USED}
    task = next(r for r in report.results if r.rule_id == "picklist-restricted")
    assert "Status and Priority are restricted picklists" in task.detail
    note = next(r for r in report.results if r.rule_id == "content-note-html")
    assert note.detail.endswith("stored as sent")
    assert report.ok and not report.left_behind and not report.stopped
    assert live_ids(org) == before
    created = [r for r in org.records("ContentNote") if "Notebridge org check" in (r.get("Title") or "")]
    assert created and all(r["IsDeleted"] for r in created)  # it really wrote, then deleted


@pytest.mark.parametrize("step", STEPS)
async def test_org_check_cleans_up_after_a_failure_at_any_step(step: str) -> None:
    with make_org(contacts=5, person_accounts=True) as org:
        before = live_ids(org)

        async def fail_at(rule_id: str) -> None:
            if rule_id == step:
                raise Injected(rule_id)

        with pytest.raises(Injected):
            await check(org, note_type="Note" if step == "classic-notes-off" else "ContentNote", between_steps=fail_at)
        assert live_ids(org) == before


async def test_org_check_deletes_a_record_whose_create_answer_was_lost() -> None:
    with make_org(contacts=5) as org:
        before = live_ids(org)
        org.faults.drop_after_commit(1)  # the throwaway Contact commits; its answer never arrives
        report = await check(org)
        assert report.stopped and not report.ok
        assert not report.left_behind
        assert live_ids(org) == before
        assert any("Notebridge org check" in (r.get("LastName") or "") and r["IsDeleted"]
                   for r in org.records("Contact"))


async def test_fidelity_write_org_check_reports_a_refused_task_with_its_field() -> None:
    with make_org(contacts=5) as org:
        org.enable_validation_rule("Task", "Priority", "Priority must be High for client tasks")
        before = live_ids(org)
        report = await check(org)
        task = next(r for r in report.results if r.rule_id == "picklist-restricted")
        assert task.outcome is Outcome.WILL_FAIL and not report.ok
        assert "Priority must be High for client tasks" in task.detail and "field Priority" in task.detail
        assert task.fix
        assert live_ids(org) == before


async def test_fidelity_write_org_check_classic_notes_and_person_account_household() -> None:
    with make_org(contacts=5, person_accounts=True) as org:
        before = live_ids(org)
        report = await check(org, note_type="Note")
        outcomes = {r.rule_id: r.outcome for r in report.results}
        assert outcomes["classic-notes-off"] is Outcome.FINE
        assert outcomes["content-note-html"] is Outcome.NOT_USED
        assert outcomes["link-share-values"] is Outcome.NOT_USED
        assert outcomes["person-account"] is Outcome.FINE
        assert live_ids(org) == before


async def test_fidelity_write_org_check_notes_switched_off_are_reported_with_their_fix() -> None:
    with make_org(contacts=5, enhanced_notes=False, classic_notes=False) as org:
        before = live_ids(org)
        enhanced = await check(org)
        by_id = {r.rule_id: r for r in enhanced.results}
        assert by_id["content-note-html"].outcome is Outcome.WILL_FAIL
        assert "INVALID_TYPE_FOR_OPERATION" in by_id["content-note-html"].detail
        assert "Notes Settings" in by_id["content-note-html"].fix
        assert by_id["link-share-values"].outcome is Outcome.NOT_USED
        classic = await check(org, note_type="Note")
        note = next(r for r in classic.results if r.rule_id == "classic-notes-off")
        assert note.outcome is Outcome.WILL_FAIL and "switch Notebridge to Enhanced Notes" in note.fix
        assert not enhanced.ok and not classic.ok
        assert live_ids(org) == before


async def test_org_check_stops_in_plain_words_when_its_test_contact_is_refused() -> None:
    with make_org(contacts=5) as org:
        org.enable_validation_rule("Contact", "LastName", "Contacts need an email address")
        before = live_ids(org)
        report = await check(org)
        assert report.results == [] and not report.ok
        assert "Contacts need an email address" in report.stopped
        assert "validation rule your Salesforce admin set" in report.stopped_fix
        assert live_ids(org) == before
