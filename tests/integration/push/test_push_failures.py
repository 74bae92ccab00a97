"""Every way a push can go wrong, against the demo org: lost responses, deleted and converted
clients, validation rules, expired and revoked sessions, API limits, and Salesforce being away."""

from __future__ import annotations

from datetime import timedelta

from app.store import outbox_views
from app.sync.push import actions as push_actions
from app.sync.push.budget import ApiBudget
from app.sync.push.engine import PushEngine, PushSettings
from tests.integration.push.conftest import PushEnv


def _titles(env: PushEnv, sobject: str, field: str, prefix: str) -> list[str]:
    return sorted(r[field] for r in env.live(sobject) if str(r[field]).startswith(prefix))


async def test_lost_response_on_a_task_batch_is_reconciled_not_duplicated(env: PushEnv) -> None:
    tasks = [await env.task(subject=f"Lost {n}", status="Not Started", priority="Normal") for n in range(5)]
    await env.queue("task", *(t.id for t in tasks))
    env.org.faults.drop_after_commit(1)

    report = await env.push()

    assert report.status == "done" and report.pushed == 5 and report.reconciled == 5
    assert _titles(env, "Task", "Subject", "Lost ") == [f"Lost {n}" for n in range(5)]
    for task in tasks:
        stored = await env.get_task(task.id)
        assert stored.state == "pushed" and stored.remote_id


async def test_lost_response_on_notes_and_their_links_is_reconciled(env: PushEnv) -> None:
    notes = [await env.note(env.person(n=n % 3), title=f"Dropped {n}") for n in range(15)]  # > composite size
    await env.queue("note", *(n.id for n in notes))
    env.org.faults.drop_after_commit(2)  # the notes call and the links call both lose their answers

    report = await env.push()

    assert report.pushed == 15 and report.status == "done"
    assert _titles(env, "ContentNote", "Title", "Dropped ") == sorted(f"Dropped {n}" for n in range(15))
    for note in notes:
        stored = await env.get_note(note.id)
        assert len(env.links_to(stored.remote_id or "")) == 1


async def test_lost_composite_response_then_a_later_run_finishes_the_links(env: PushEnv) -> None:
    notes = [await env.note(title=f"Small {n}") for n in range(2)]
    await env.queue("note", *(n.id for n in notes))
    env.org.faults.drop_after_commit(1)

    report = await env.push()

    assert report.pushed == 2 and report.reconciled == 2
    assert _titles(env, "ContentNote", "Title", "Small ") == ["Small 0", "Small 1"]
    for note in notes:
        assert len(env.links_to((await env.get_note(note.id)).remote_id or "")) == 1


async def test_identical_notes_pushed_together_stay_two_records_after_a_lost_response(env: PushEnv) -> None:
    twins = [await env.note(title="Same", body_markdown="Same body") for _ in range(2)]
    await env.queue("note", *(n.id for n in twins))
    env.org.faults.drop_after_commit(1)

    await env.push()

    same = [n for n in env.live("ContentNote") if n["Title"] == "Same"]
    assert len(same) == 2
    assert {(await env.get_note(n.id)).remote_id for n in twins} == {n["Id"] for n in same}


async def test_deleted_client_needs_attention_then_attach_to_another(env: PushEnv) -> None:
    gone, other = env.person(n=0), env.person(n=1)
    note = await env.note(gone, title="For a deleted client")
    task = await env.task(gone, subject="Task for a deleted client", status="Not Started", priority="Normal")
    await env.queue("note", note.id)
    [row] = await env.queue("task", task.id)
    env.org.delete_record(gone.sf_id)

    report = await env.push()

    assert report.needs_attention == 2
    failed = await env.outbox(row.id)
    assert failed.state == "failed" and failed.last_error_code == "ENTITY_IS_DELETED"
    assert "another client" in (failed.last_error_hint or "")
    entries = await env.db.run(lambda s: outbox_views.entries(s, env.connection_id))
    for entry in entries:
        await push_actions.attach_to_client(env.db, entry.outbox.id, other.id)

    report = await env.push()

    assert report.pushed == 2
    stored = await env.get_note(note.id)
    assert [n["Id"] for n in env.live("ContentNote") if n["Title"] == "For a deleted client"] == [stored.remote_id]
    assert [link["LinkedEntityId"] for link in env.links_to(stored.remote_id or "")] == [other.sf_id]
    remote = next(t for t in env.live("Task") if t["Subject"] == "Task for a deleted client")
    assert remote["WhoId"] == other.sf_id


async def test_converted_lead_is_retargeted_to_the_new_contact(env: PushEnv) -> None:
    lead = env.person("Lead")
    task = await env.task(lead, subject="Call about the rollover", status="Not Started", priority="Normal")
    note = await env.note(lead, title="Lead meeting")
    [row] = await env.queue("task", task.id)
    await env.queue("note", note.id)
    contact_id = env.org.convert_lead(lead.sf_id)

    report = await env.push()

    assert report.pushed == 2 and report.retargeted == 2
    remote = next(t for t in env.live("Task") if t["Subject"] == "Call about the rollover")
    assert remote["WhoId"] == contact_id
    stored_note = await env.get_note(note.id)
    assert [link["LinkedEntityId"] for link in env.links_to(stored_note.remote_id or "")] == [contact_id]
    assert "converted" in ((await env.outbox(row.id)).notice or "")
    assert (await env.get_task(task.id)).who_id == contact_id


async def test_validation_rule_message_is_shown_verbatim(env: PushEnv) -> None:
    message = "Compliance: every task needs a due date (rule FIN-12)."
    env.org.enable_validation_rule("Task", "ActivityDate", message)
    task = await env.task(subject="No due date", status="Not Started", priority="Normal")
    [row] = await env.queue("task", task.id)

    report = await env.push()

    assert report.needs_attention == 1
    failed = await env.outbox(row.id)
    assert failed.last_error_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert failed.last_error_message == message
    assert not env.live("Task") or all(t["Subject"] != "No due date" for t in env.live("Task"))
    env.org.clear_validation_rules()
    await push_actions.retry_now(env.db, [row.id])
    assert (await env.push()).pushed == 1


async def test_expired_session_is_refreshed_once(env: PushEnv) -> None:
    task = await env.task(status="Not Started", priority="Normal")
    await env.queue("task", task.id)
    env.org.expire_access_tokens()

    report = await env.push()

    assert report.pushed == 1 and env.refresher.refresh_count == 1


async def test_revoked_sign_in_makes_items_wait_and_keeps_drafts(env: PushEnv) -> None:
    note = await env.note(title="Keep me")
    [row] = await env.queue("note", note.id)
    env.org.expire_access_tokens()
    env.org.revoke_refresh_tokens()

    report = await env.push()

    assert report.status == "signed_out" and report.waiting == 1
    waiting = await env.outbox(row.id)
    assert waiting.state == "waiting" and "Sign in again" in (waiting.last_error_message or "")
    stored = await env.get_note(note.id)
    assert stored.state == "waiting" and stored.title == "Keep me" and stored.body_markdown
    assert not [n for n in env.live("ContentNote") if n["Title"] == "Keep me"]

    # Signing in again (a new token) lets the same item through.
    env.client.set_access_token(env.org.mint_tokens()["access_token"])
    await push_actions.retry_now(env.db, [row.id])
    assert (await env.push()).pushed == 1


async def test_daily_limit_pauses_with_a_reason_and_resumes_by_itself(env: PushEnv) -> None:
    task = await env.task(status="Not Started", priority="Normal")
    [row] = await env.queue("task", task.id)
    env.org.set_api_usage(100_000)  # the org's whole allowance is spent
    budget = ApiBudget(recheck=timedelta(0))

    report = await PushEngine(env.client, env.db, env.connection_id, budget=budget).push()

    assert report.status == "budget" and report.next_try_at is not None
    waiting = await env.outbox(row.id)
    assert waiting.state == "waiting" and "limit" in (waiting.last_error_message or "").lower()
    env.org.set_api_usage(10)  # usage rolled off
    report = await PushEngine(env.client, env.db, env.connection_id, budget=budget).push()
    assert report.pushed == 1


async def test_reserve_keeps_ten_percent_for_other_apps(env: PushEnv) -> None:
    env.org.set_api_usage(89_990)  # 10% of 100,000 is reserved: 10 calls left before the reserve
    await env.client.query_list("SELECT Id FROM Contact LIMIT 1")  # usage is now known
    tasks = [await env.task(subject=f"Budget {n}", status="Not Started", priority="Normal") for n in range(30)]
    await env.queue("task", *(t.id for t in tasks))
    before = env.org.stats()["api_calls"]

    report = await env.push(batch_size=2)

    spent = env.org.stats()["api_calls"] - before
    assert report.status == "budget" and "10%" in report.reason
    assert spent <= 10 and report.pushed == 2 * spent
    usage = env.client.api_usage
    assert usage is not None and usage[0] <= 90_000
    assert report.waiting == 30 - report.pushed


async def test_offline_items_wait_with_reason_and_next_try(env: PushEnv) -> None:
    task = await env.task(status="Not Started", priority="Normal")
    [row] = await env.queue("task", task.id)
    env.org.faults.fail_next(50, status=503)

    report = await env.push()

    assert report.status == "offline" and report.waiting == 1
    waiting = await env.outbox(row.id)
    assert waiting.state == "waiting" and waiting.next_try_at is not None
    assert "can't be reached" in (waiting.last_error_message or "")
    assert not [t for t in env.live("Task") if t["Subject"] == task.subject]


async def test_limits_block_push_and_nothing_is_sent(env: PushEnv) -> None:
    long_title = "x" * 81
    note = await env.note(title=long_title)
    result = await push_actions.queue(env.db, "note", [note.id])
    assert not result.queued and "81 characters" in result.refused[note.id][0].message
    task = await env.task(subject="s" * 256)
    [row] = await env.queue("task", task.id)  # queued behind the editor's back
    before = env.org.stats()["api_calls"]

    report = await env.push()

    assert report.needs_attention == 1 and env.org.stats()["api_calls"] == before
    failed = await env.outbox(row.id)
    assert failed.last_error_code == "LIMIT" and "255" in (failed.last_error_message or "")
    assert (await env.get_note(note.id)).title == long_title  # never truncated


async def test_task_key_field_makes_reconciliation_exact(env: PushEnv) -> None:
    tasks = [await env.task(subject="Same subject", status="Not Started", priority="Normal") for _ in range(3)]
    rows = await env.queue("task", *(t.id for t in tasks))
    env.org.faults.drop_after_commit(1)

    report = await PushEngine(env.client, env.db, env.connection_id,
                              PushSettings(task_key_field="External_Id__c")).push()

    assert report.pushed == 3 and report.reconciled == 3
    remote = [t for t in env.live("Task") if t["Subject"] == "Same subject"]
    assert sorted(t["External_Id__c"] for t in remote) == sorted(r.key for r in rows)
