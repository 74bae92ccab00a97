"""The "Sync steps" use case after a real sync and real pushes against the demo org: each step's last
run, its counts and its errors, read from the sync log the engines wrote."""

from __future__ import annotations

from dataclasses import replace

from app.services.drafts import Drafts
from app.services.events import Events
from app.services.sync_settings import SyncSettings
from app.services.sync_steps import StepRow, SyncStep, SyncSteps
from app.store import sync_log as log_rows
from app.store.kinds import ItemKind
from app.sync.pull.history_prefetch import prefetch_after_pull
from app.sync.pull.scheduler import PullScheduler
from app.sync.push.engine import PushEngine
from tests.integration.services.conftest import Env
from tests.integration.settings.settings_env import first_contacts


def _by_step(rows: list[StepRow]) -> dict[SyncStep, StepRow]:
    return {row.step: row for row in rows}


async def _push(env: Env) -> None:
    client = await env.manager.client()
    await PushEngine(client, env.db, env.cid).push()


async def test_sync_steps_show_each_steps_last_run_counts_and_errors(env: Env) -> None:
    steps = SyncSteps(env.db)
    before = _by_step(await steps.overview(env.cid))
    assert list(before) == list(SyncStep)  # every step, in the order they run
    assert before[SyncStep.PUSH_NOTES].last_run_at is None and before[SyncStep.PUSH_NOTES].counts == ""
    assert before[SyncStep.PULL_CLIENTS].direction == "From Salesforce"
    assert before[SyncStep.PUSH_TASKS].direction == "To Salesforce"

    # A real sync by the scheduler: the clients pull, then the meeting-prep history.
    scheduler = PullScheduler(env.db, env.manager)
    result = await scheduler.sync_now(full=True)
    assert result.ok, result.message
    history = scheduler.last_history
    assert history is not None and history.clients > 0

    # Real pushes: two notes, a task that goes and one whose client was deleted in Salesforce.
    people = await first_contacts(env.db, env.cid, 3)
    drafts = Drafts(env.db, Events())
    notes = [await drafts.new_note(env.cid, people[n].id or 0) for n in range(2)]
    for n, note in enumerate(notes):
        await drafts.save(ItemKind.NOTE, note.id, {"title": f"Review {n}", "body_markdown": "Went well."})
    good = await drafts.new_task(env.cid, people[0].id)
    await drafts.save(ItemKind.TASK, good.id, {"subject": "Send the forms"})
    doomed = await drafts.new_task(env.cid, people[2].id)
    await drafts.save(ItemKind.TASK, doomed.id, {"subject": "Call about the trust"})
    assert (await drafts.queue_for_push(ItemKind.NOTE, [n.id for n in notes])).queued
    assert (await drafts.queue_for_push(ItemKind.TASK, [good.id, doomed.id])).queued
    env.org.delete_record(people[2].sf_id or "")
    await _push(env)

    rows = _by_step(await steps.overview(env.cid))
    pulled = rows[SyncStep.PULL_CLIENTS]
    log = await env.db.run(lambda s: log_rows.entries(s, env.cid, step=SyncStep.PULL_CLIENTS))
    assert pulled.last_run_at == log[0].started_at and log[0].id == result.log_id
    contacts = result.counts.get("Contact.written", 0)
    assert contacts > 0 and f"{contacts:,} contacts" in pulled.counts
    assert pulled.done >= contacts and pulled.last_outcome == "ok" and pulled.errors_24h == 0
    assert pulled.schedule.startswith("Every 15 minutes")

    fetched = rows[SyncStep.PULL_HISTORY]
    assert fetched.last_run_at is not None and fetched.last_run_at >= pulled.last_run_at
    assert fetched.counts.startswith(f"{history.clients:,} client")
    assert fetched.schedule == "After each sync of your clients" and fetched.last_error is None

    sent = rows[SyncStep.PUSH_NOTES]
    assert (sent.done, sent.problems, sent.counts) == (2, 0, "2 sent")
    assert sent.last_error is None and sent.errors_24h == 0 and sent.schedule == "When you send"

    tasks = rows[SyncStep.PUSH_TASKS]
    assert (tasks.done, tasks.problems, tasks.counts) == (1, 1, "1 sent, 1 needing attention")
    assert tasks.last_outcome == "needs_attention" and tasks.errors_24h == 1
    assert tasks.last_error and "ENTITY_IS_DELETED" not in tasks.last_error  # plain words, the code stays in the log
    assert tasks.last_error.startswith("The client was deleted in Salesforce.")  # and what to do about it

    assert rows[SyncStep.PUSH_CALLS].last_run_at is None and rows[SyncStep.PUSH_CALLS].counts == ""

    # The next push run is the notes step's last run; the tasks step keeps its own.
    third = await drafts.new_note(env.cid, people[1].id or 0)
    await drafts.save(ItemKind.NOTE, third.id, {"title": "Follow-up", "body_markdown": "Sent the forms."})
    await drafts.queue_for_push(ItemKind.NOTE, [third.id])
    await _push(env)
    again = _by_step(await steps.overview(env.cid))
    assert again[SyncStep.PUSH_NOTES].counts == "1 sent"
    assert again[SyncStep.PUSH_NOTES].last_run_at > sent.last_run_at  # type: ignore[operator]  # both ran
    assert again[SyncStep.PUSH_TASKS].counts == tasks.counts and again[SyncStep.PUSH_TASKS].errors_24h == 1


async def test_sync_steps_schedule_follows_the_settings(env: Env) -> None:
    settings = SyncSettings(env.db, Events())
    before = await settings.push(env.cid)
    await settings.change_push(env.manager, before, replace(before, push_tasks=False, auto_push=True,
                                                            activities_off=(ItemKind.CALL,)))
    await PullScheduler(env.db, env.manager).change_settings(interval_minutes=60, include_events=False)

    rows = _by_step(await SyncSteps(env.db).overview(env.cid))
    assert rows[SyncStep.PULL_CLIENTS].schedule.startswith("Every hour")
    assert rows[SyncStep.PULL_CLIENTS].name == "Contacts"  # meetings are off
    assert (rows[SyncStep.PULL_HISTORY].schedule, rows[SyncStep.PULL_HISTORY].on) == (
        "Off: meetings are not synced", False)
    assert not rows[SyncStep.PUSH_TASKS].on and rows[SyncStep.PUSH_TASKS].schedule.startswith("Off")
    assert not rows[SyncStep.PUSH_CALLS].on and rows[SyncStep.PUSH_MEETINGS].on
    assert rows[SyncStep.PUSH_NOTES].schedule == "When you send, or by itself 10 minutes after you stop editing"


async def test_sync_steps_history_step_says_why_it_stopped_in_plain_words(env: Env) -> None:
    client = await env.manager.client()
    assert (await prefetch_after_pull(client, env.db, env.cid)).clients > 0  # a good run first
    env.org.expire_access_tokens()
    env.org.revoke_refresh_tokens()  # signed out in Salesforce: the next run cannot fetch

    stopped = await prefetch_after_pull(client, env.db, env.cid)  # never raises

    assert stopped.clients == 0 and stopped.paused
    row = _by_step(await SyncSteps(env.db).overview(env.cid))[SyncStep.PULL_HISTORY]
    assert row.last_outcome == "needs_attention" and row.errors_24h == 1 and row.done == 0
    assert row.last_error == ("The history of upcoming meetings could not be fetched this time: "
                              "Salesforce needs you to sign in again.")
    entries = await env.db.run(lambda s: log_rows.entries(s, env.cid, step=SyncStep.PULL_HISTORY))
    assert [e.outcome for e in entries] == ["needs_attention", "ok"] and entries[0].object == "history"
    assert entries[0].error_code  # the code stays in the log for support
