"""kill -9 at any moment while new opportunities are pushed: after restart each is in Salesforce once."""

from __future__ import annotations

import random

from app.store import activities as activities_repo
from app.store import outbox as outbox_repo
from app.store import outbox_views
from app.store.kinds import ItemKind
from tests.integration.push.conftest import PushEnv
from tests.integration.push.test_push_kill import _run_child_and_kill


async def test_opportunity_kill_9_during_push_leaves_each_once(env: PushEnv) -> None:
    env.org.faults.set_latency(40)  # requests take a while, so kills land mid-request too
    people = [c for c in env.contacts if c.source_object == "Contact" and c.account_sf_id]

    async def add(n: int) -> int:
        person = people[n % len(people)]
        fields = {"name": f"Killed opportunity {n}", "stage": "Proposal", "close_date": "2027-06-30", "amount": n}
        draft = await env.db.run(lambda s: activities_repo.create(s, env.connection_id, ItemKind.OPPORTUNITY,
                                                                  contact_id=person.id, fields=fields))
        return draft.id

    deals = [await add(n) for n in range(24)]
    await env.queue(ItemKind.OPPORTUNITY, *deals)
    rng = random.Random(16)
    killed_mid_push = unknown_seen = 0
    unknown_items: set[int] = set()
    for attempt, after_lines in enumerate((2, 1, 3, 2, 1, 2, 1, 3, 1, 2, 1, 2)):
        if attempt >= 4 and killed_mid_push >= 3 and unknown_seen >= 1:
            break
        last = await _run_child_and_kill(env, after_lines, rng.uniform(0.0, 0.1))
        killed_mid_push += not last.startswith("done")
        unknown = await env.db.run(lambda s: outbox_repo.unknown_outcomes(s, env.connection_id))
        unknown_seen += bool(unknown)
        unknown_items |= {row.item_id for row in unknown}

    env.org.faults.set_latency(0)
    report = await env.push()  # "after restart": the same workspace file, a new engine
    assert report.status in ("done", "nothing"), report
    assert killed_mid_push >= 3
    assert unknown_seen >= 1 and unknown_items, "no kill left a create with an unknown outcome"
    assert await env.db.run(lambda s: outbox_repo.unknown_outcomes(s, env.connection_id)) == []

    names = sorted(str(r["Name"])[str(r["Name"]).find("Killed"):] for r in env.live("Opportunity")
                   if "Killed opportunity" in str(r["Name"]))
    assert names == sorted(f"Killed opportunity {n}" for n in range(24))  # each once: none twice, none lost
    live = {r["Id"]: r for r in env.live("Opportunity")}
    for item_id in unknown_items:
        stored = await env.db.run(lambda s, i=item_id: activities_repo.get(s, i))
        assert stored is not None and stored.state == "pushed" and stored.remote_id in live
        assert live[stored.remote_id]["AccountId"] == stored.what_id
    counts = await env.db.run(lambda s: outbox_views.counts(s, env.connection_id))
    assert counts.pending == 0 and counts.needs_attention == 0
