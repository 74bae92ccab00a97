"""kill -9 at any moment of a push: after restart every item is in Salesforce exactly once."""

from __future__ import annotations

from app.store import outbox_views
from tests.integration.push.conftest import PushEnv
from tests.integration.push.kills import kill_until_an_outcome_is_unknown

KILL_AFTER_LINES = (2, 1, 3, 2, 4, 1, 2, 1, 3, 1, 2, 1)


async def test_kill_9_during_push_leaves_every_item_exactly_once(env: PushEnv) -> None:
    env.org.faults.set_latency(40)  # requests take a while, so kills land mid-request too
    people = [c for c in env.contacts if c.source_object == "Contact"]
    tasks = [await env.task(people[n % 4], subject=f"Killed task {n}", status="Not Started", priority="Normal")
             for n in range(24)]
    notes = [await env.note(people[n % 4], title=f"Killed note {n}") for n in range(24)]
    await env.queue("task", *(t.id for t in tasks))
    await env.queue("note", *(n.id for n in notes))
    # Kill at varied moments until at least three kills landed mid-push and one of them between sending
    # a create and reading its answer (a loaded machine may let a child finish before the kill arrives;
    # more attempts, never a weaker assertion); then push once more "after restart": the same workspace
    # file, a new process's engine. A kill left some create with its answer never read, so the restarted
    # engine had to ask Salesforce whether the record exists (reconciliation) instead of sending it again.
    unknown_items = await kill_until_an_outcome_is_unknown(env, seed=7, after_lines=KILL_AFTER_LINES,
                                                           min_attempts=5)

    live_tasks = sorted(t["Subject"] for t in env.live("Task") if t["Subject"].startswith("Killed task"))
    live_notes = sorted(n["Title"] for n in env.live("ContentNote") if n["Title"].startswith("Killed note"))
    assert live_tasks == sorted(f"Killed task {n}" for n in range(24))
    assert live_notes == sorted(f"Killed note {n}" for n in range(24))
    for note in notes:
        stored = await env.get_note(note.id)
        assert stored.state == "pushed" and len(env.links_to(stored.remote_id or "")) == 1
    # Each item whose outcome was unknown now points at its one record in Salesforce.
    live_ids = {r["Id"] for r in env.live("Task")} | {r["Id"] for r in env.live("ContentNote")}
    for kind, item_id in unknown_items:
        item = await (env.get_note(item_id) if kind == "note" else env.get_task(item_id))
        assert item.state == "pushed" and item.remote_id in live_ids, (kind, item_id)
    counts = await env.db.run(lambda s: outbox_views.counts(s, env.connection_id))
    assert counts.pending == 0 and counts.needs_attention == 0
