"""kill -9 at any moment while new opportunities are pushed: after restart each is in Salesforce once."""

from __future__ import annotations

from app.store import activities as activities_repo
from app.store import outbox_views
from app.store.kinds import ItemKind
from tests.integration.push.conftest import PushEnv
from tests.integration.push.kills import kill_until_an_outcome_is_unknown


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
    unknown_items = {item_id for _kind, item_id in await kill_until_an_outcome_is_unknown(env, seed=16)}

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
