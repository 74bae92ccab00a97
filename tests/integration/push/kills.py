"""kill -9 a push child again and again, then restart once: the loop the per-kind kill tests share.

Each kind's test drafts and queues its own items, calls :func:`kill_until_an_outcome_is_unknown`, and
then checks that Salesforce holds each of its items once.  What every one of them requires of the kills
themselves (several landed mid-push, at least one left a create whose outcome was unknown, and the
restart settled all of those) is asserted here, once.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from app.store import outbox as outbox_repo
from tests.integration.push.conftest import PushEnv

# How many output lines the child prints before each kill; the run stops early once enough has happened.
CHILD = Path(__file__).with_name("push_child.py")
ROOT = Path(__file__).resolve().parents[3]
AFTER_LINES = (2, 1, 3, 2, 1, 2, 1, 3, 1, 2, 1, 2)


async def run_child_and_kill(env: PushEnv, after_lines: int, extra_delay: float) -> str:
    """Run a push child on the workspace and SIGKILL it after ``after_lines`` lines of its output (plus
    ``extra_delay`` seconds); its last line ("done …" when it finished first)."""
    token = env.org.mint_tokens()["access_token"]
    env_vars = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), str(env.db.path), env.org.base_url, token, str(env.connection_id)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env_vars, cwd=str(ROOT))
    assert proc.stdout is not None
    seen = 0
    last = ""
    try:
        while seen < after_lines:
            line = await asyncio.to_thread(proc.stdout.readline)
            if not line:
                break
            last = line.strip()
            seen += 1
            if last.startswith("done"):
                break
        await asyncio.sleep(extra_delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        await asyncio.to_thread(proc.wait)
    return last



async def kill_until_an_outcome_is_unknown(env: PushEnv, seed: int, *, after_lines: tuple[int, ...] = AFTER_LINES,
                                           min_attempts: int = 4) -> set[tuple[str, int]]:
    """Kill push children until ≥ 3 died mid-push and one left an unknown outcome, then push once more
    ("after restart": the same workspace file, a new engine). Returns the (kind, item id) pairs whose
    create outcome a kill left unknown."""
    rng = random.Random(seed)
    killed_mid_push = unknown_seen = 0
    unknown_items: set[tuple[str, int]] = set()
    for attempt, lines in enumerate(after_lines):
        if attempt >= min_attempts and killed_mid_push >= 3 and unknown_seen >= 1:
            break
        last = await run_child_and_kill(env, lines, rng.uniform(0.0, 0.1))
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
