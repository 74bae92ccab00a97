"""kill -9 at any moment while logged emails are pushed: after restart each is in Salesforce once."""

from __future__ import annotations

from datetime import UTC, datetime

from app.store import activities as activities_repo
from app.store import outbox_views
from app.store.kinds import ItemKind
from tests.integration.push.conftest import PushEnv
from tests.integration.push.kills import kill_until_an_outcome_is_unknown

SENT = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)


async def test_log_email_kill_9_during_push_leaves_each_once(env: PushEnv) -> None:
    env.org.faults.set_latency(40)  # requests take a while, so kills land mid-request too
    people = [c for c in env.contacts if c.source_object == "Contact"]

    async def add(n: int) -> int:
        fields = {"subject": f"Killed email {n}", "sent": SENT.isoformat(), "sender": "client@example.com",
                  "body": f"Body {n}", "attachments": [{"name": "a.pdf", "size": 10}]}
        draft = await env.db.run(lambda s: activities_repo.create(s, env.connection_id, ItemKind.EMAIL,
                                                                  contact_id=people[n % 4].id, fields=fields))
        return draft.id

    emails = [await add(n) for n in range(24)]
    await env.queue(ItemKind.EMAIL, *emails)
    unknown_items = {item_id for _kind, item_id in await kill_until_an_outcome_is_unknown(env, seed=16)}

    live = sorted(str(t["Subject"]) for t in env.live("Task") if t.get("TaskSubtype") == "Email"
                  and str(t["Subject"]).startswith("Email: Killed email"))
    assert live == sorted(f"Email: Killed email {n}" for n in range(24))
    live_ids = {r["Id"] for r in env.live("Task")}
    for item_id in unknown_items:
        stored = await env.db.run(lambda s, i=item_id: activities_repo.get(s, i))
        assert stored is not None and stored.state == "pushed" and stored.remote_id in live_ids
    counts = await env.db.run(lambda s: outbox_views.counts(s, env.connection_id))
    assert counts.pending == 0 and counts.needs_attention == 0
