"""kill -9 at any moment while calls and meetings are pushed: after restart each is in Salesforce once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.store import activities as activities_repo
from app.store import outbox_views
from app.store.kinds import ItemKind
from tests.integration.push.conftest import PushEnv
from tests.integration.push.kills import kill_until_an_outcome_is_unknown

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
    unknown_items = await kill_until_an_outcome_is_unknown(env, seed=11)

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
