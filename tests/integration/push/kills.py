"""kill -9 a push child again and again, then restart once: the loop the per-kind kill tests share.

Each kind's test drafts and queues its own items, calls :func:`kill_until_an_outcome_is_unknown`, and
then checks that Salesforce holds each of its items once.  What every one of them requires of the kills
themselves (several landed mid-push, at least one left a create whose outcome was unknown, and the
restart settled all of those) is asserted here, once.
"""

from __future__ import annotations

import random

from app.store import outbox as outbox_repo
from tests.integration.push.conftest import PushEnv
from tests.integration.push.test_push_kill import _run_child_and_kill

# How many output lines the child prints before each kill; the run stops early once enough has happened.
AFTER_LINES = (2, 1, 3, 2, 1, 2, 1, 3, 1, 2, 1, 2)


async def kill_until_an_outcome_is_unknown(env: PushEnv, seed: int) -> set[tuple[str, int]]:
    """Kill push children until ≥ 3 died mid-push and one left an unknown outcome, then push once more
    ("after restart": the same workspace file, a new engine). Returns the (kind, item id) pairs whose
    create outcome a kill left unknown."""
    rng = random.Random(seed)
    killed_mid_push = unknown_seen = 0
    unknown_items: set[tuple[str, int]] = set()
    for attempt, after_lines in enumerate(AFTER_LINES):
        if attempt >= 4 and killed_mid_push >= 3 and unknown_seen >= 1:
            break
        last = await _run_child_and_kill(env, after_lines, rng.uniform(0.0, 0.1))
        killed_mid_push += not last.startswith("done")
        unknown = await env.db.run(lambda s: outbox_repo.unknown_outcomes(s, env.connection_id))
        unknown_seen += bool(unknown)
        unknown_items |= {(row.kind, row.item_id) for row in unknown}

    env.org.faults.set_latency(0)
    report = await env.push()
    assert report.status in ("done", "nothing"), report
    assert killed_mid_push >= 3
    assert unknown_seen >= 1 and unknown_items, "no kill left a create with an unknown outcome"
    assert await env.db.run(lambda s: outbox_repo.unknown_outcomes(s, env.connection_id)) == []
    return unknown_items
