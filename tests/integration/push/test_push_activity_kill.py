"""kill -9 at any moment while calls and meetings are pushed: after restart each is in Salesforce once."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from app.store import activities as activities_repo
from app.store import outbox as outbox_repo
from app.store import outbox_views
from app.store.kinds import ItemKind
from tests.integration.push.conftest import PushEnv
from tests.integration.push.test_push_kill import _run_child_and_kill

START = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


async def test_log_call_and_log_meeting_kill_9_during_push_leave_each_once(env: PushEnv) -> None:
    env.org.faults.set_latency(40)  # requests take a while, so kills land mid-request too
    people = [c for c in env.contacts if c.source_object == "Contact"]

    async def add(kind: ItemKind, n: int, fields: dict[str, object]) -> int:
        person = people[n % 4]
        draft = await env.db.run(lambda s: activities_repo.create(s, env.connection_id, kind, contact_id=person.id,
                                                                  fields=fields))
        return draft.id

    calls = [await add(ItemKind.CALL, n, {"when": START.isoformat(), "outcome": f"Killed call {n}"})
             for n in range(16)]
    meetings = [await add(ItemKind.MEETING, n, {"subject": f"Killed meeting {n}", "start": START.isoformat(),
                                                "end": (START + timedelta(hours=1)).isoformat()}) for n in range(16)]
    await env.queue(ItemKind.CALL, *calls)
    await env.queue(ItemKind.MEETING, *meetings)
    rng = random.Random(11)
    killed_mid_push = unknown_seen = 0
    unknown_items: set[tuple[str, int]] = set()
    for attempt, after_lines in enumerate((2, 1, 3, 2, 1, 2, 1, 3, 1, 2, 1, 2)):
        if attempt >= 4 and killed_mid_push >= 3 and unknown_seen >= 1:
            break
        last = await _run_child_and_kill(env, after_lines, rng.uniform(0.0, 0.1))
        killed_mid_push += not last.startswith("done")
        unknown = await env.db.run(lambda s: outbox_repo.unknown_outcomes(s, env.connection_id))
        unknown_seen += bool(unknown)
        unknown_items |= {(row.kind, row.item_id) for row in unknown}

    env.org.faults.set_latency(0)
    report = await env.push()  # "after restart": the same workspace file, a new engine
    assert report.status in ("done", "nothing"), report
    assert killed_mid_push >= 3
    assert unknown_seen >= 1 and unknown_items, "no kill left a create with an unknown outcome"
    assert await env.db.run(lambda s: outbox_repo.unknown_outcomes(s, env.connection_id)) == []

    live_calls = sorted(str(t["CallDisposition"]) for t in env.live("Task")
                        if str(t.get("CallDisposition") or "").startswith("Killed call"))
    live_meetings = sorted(str(e["Subject"]) for e in env.live("Event")
                           if str(e["Subject"]).startswith("Killed meeting"))
    assert live_calls == sorted(f"Killed call {n}" for n in range(16))
    assert live_meetings == sorted(f"Killed meeting {n}" for n in range(16))
    live_ids = {r["Id"] for r in env.live("Task")} | {r["Id"] for r in env.live("Event")}
    for _kind, item_id in unknown_items:
        stored = await env.db.run(lambda s, i=item_id: activities_repo.get(s, i))
        assert stored is not None and stored.state == "pushed" and stored.remote_id in live_ids
    counts = await env.db.run(lambda s: outbox_views.counts(s, env.connection_id))
    assert counts.pending == 0 and counts.needs_attention == 0
