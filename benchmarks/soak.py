"""Soak: the app killed with SIGKILL over and over, against a misbehaving org, loses and doubles nothing.

    python -m benchmarks.soak --minutes 10 --json out.json

A driver (this process) starts the demo org in its own process, creates a workspace, and runs the
"app" (``benchmarks/soak_child.py``: the real drafts, people, outbox and pull use cases and engines)
as a child.  The child types notes and tasks (autosaving as it goes), queues them and new people,
pushes and syncs.  The driver kills it with SIGKILL at random moments — biased to land just after a
push settled an item, just after a sync page was written, and while the schema is migrated at open
(the driver steps the workspace one migration back before such a start) — and starts it again.  Now
and then a second child is started on the same folder: the workspace must refuse it and it must never
push.  Meanwhile the org misbehaves (``faults.py``): writes whose answer is lost after commit, 503
bursts, expired access tokens, an API-limit spell, latency jitter.

At the end the faults stop, a last child drains the outbox, and the workspace is compared with the
org (``soak_compare.py``).  Reported: ``kills, items, duplicates, lost, drafts_lost, max_recovery_ms``
and details.  ``max_recovery_ms`` is measured over every start that found items due (none left
out): restart → the outbox moving again (the first item settled) or, if sooner, the first attempt of
the push that the org refused because an injected fault was still active; the time from that refusal
to the outbox moving is reported apart as ``max_fault_blocked_ms`` (``soak_recovery.py`` defines both
precisely, and lists the slowest restarts step by step).
Exit status 0 only when duplicates, lost and drafts_lost are 0, every second child was refused
without pushing, every start with items due moved within 15 s (bar an API-limit spell), and
max_recovery_ms ≤ 3000.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from benchmarks.soak_compare import compare
from benchmarks.soak_faults import FaultSpells
from benchmarks.soak_procs import Child, Journal, SoakOrg, compile_app, new_workspace, step_schema_back
from benchmarks.soak_recovery import Recoveries

RECOVERY_TARGET_MS = 3000
KILL_MODES = ("push", "pull", "migrate", "typing")


class Soak:
    def __init__(self, org: SoakOrg, folder: Path, seconds: float, seed: int, quiet: bool,
                 child_log: IO[str] | None = None) -> None:
        self.org, self.folder, self.seconds = org, folder, seconds
        self.child_log = child_log
        self.current: Child | None = None
        self.rng = random.Random(seed)
        self.quiet = quiet
        self.db, self.connection_id = new_workspace(org, folder)
        self.journal = Journal()
        self.faults = FaultSpells(org, random.Random(seed + 1))
        self.runs = 0
        self.kills: dict[str, int] = dict.fromkeys(KILL_MODES, 0)
        self.kills_during_migration = 0
        self.recoveries = Recoveries()
        self.unrecovered = 0
        self.second: dict[str, int] = {"started": 0, "refused": 0, "pushed": 0, "claimed": 0}

    def child(self, role: str = "main") -> Child:
        self.runs += 1
        child = Child(self.org, self.db, self.connection_id, self.runs, role, self.rng.randrange(1 << 30),
                      self.journal, self.child_log)
        if role != "second":
            self.current = child
        return child

    def log(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)

    def run(self) -> None:
        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            mode = self.rng.choices(KILL_MODES, weights=(4, 3, 1, 2))[0]
            if mode == "migrate":
                step_schema_back(self.db)
            started = time.monotonic()
            child = self.child()
            spell_at_start = self.faults.limit_spell
            if mode == "migrate":
                seen = child.wait_for("phase migrate", timeout=20)
                if seen:
                    time.sleep(self.rng.uniform(0, 0.08))
                migrating = seen and not child.has_seen("opened")
                child.kill()
                self.kills["migrate"] += 1
                self.kills_during_migration += migrating
                self.log(f"kill {self.runs} migrate (during migration: {migrating})")
                continue
            opened = child.wait_for("opened", timeout=20)
            due = opened and child.has_seen("opened due=1")
            if due:  # the outbox must move again: how long from the restart, and what held it up?
                moved = child.wait_for("moved", timeout=15)
                in_spell = spell_at_start or self.faults.limit_spell
                restart = self.recoveries.measure(child, started, moved, in_spell)
                # Not moving within 15 s counts as not recovered — unless an API-limit spell held it.
                self.unrecovered += not moved and not in_spell
                if restart is None:
                    self.log(f"start {self.runs}: neither moved nor refused within 15 s")
            if self.rng.random() < 0.12:
                self.second_child()
            if mode == "push":
                child.wait_for("phase push", timeout=6, after=time.monotonic())
                time.sleep(self.rng.uniform(0, 0.15))
            elif mode == "pull":
                child.wait_for("phase pull-page", timeout=8, after=time.monotonic())
                time.sleep(self.rng.uniform(0, 0.03))
            else:
                child.wait_for("saved", timeout=5, after=time.monotonic() + self.rng.uniform(0.3, 2.5))
            child.kill()
            self.kills[mode] += 1
            self.log(f"kill {self.runs} {mode}; items {len(self.journal.queued)}")

    def second_child(self) -> None:
        second = self.child("second")
        self.second["started"] += 1
        second.wait_for("second-done", timeout=20)
        second.wait_exit(timeout=10)
        self.second["refused"] += second.has_seen("refused")
        self.second["claimed"] += second.has_seen("claimed")
        self.second["pushed"] += not second.has_seen("second-done pushes=0 runs=0")

    def finish(self) -> dict[str, Any]:
        self.faults.stop()
        if self.current is not None:
            self.current.kill()
        last = self.child("drain")
        drained = last.wait_for("drained", timeout=300)
        last.wait_exit(timeout=30)
        result = compare(self.org, self.db, self.connection_id, self.journal)
        result.update({
            "kills": sum(self.kills.values()), "kills_by_moment": self.kills,
            "kills_during_migration": self.kills_during_migration,
            **self.recoveries.summary(), "not_recovered_in_15s": self.unrecovered,
            "second_process": self.second, "drained": drained, "faults": self.faults.summary(),
        })
        return result


def ok(result: dict[str, Any]) -> bool:
    second = result["second_process"]
    return (result["duplicates"] == 0 and result["lost"] == 0 and result["drafts_lost"] == 0
            and result["drained"] and result["not_recovered_in_15s"] == 0
            and second["refused"] == second["started"] and second["pushed"] == 0
            and (result["max_recovery_ms"] or 0) <= RECOVERY_TARGET_MS)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--contacts", type=int, default=4500, help="in the demo org (a full sync is 3 pages)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--quiet", action="store_true", help="no line per kill on stderr")
    parser.add_argument("--child-log", type=Path, default=None, help="append the children's stderr here")
    args = parser.parse_args(argv)
    started = time.monotonic()
    compile_app()
    org = SoakOrg(args.contacts, args.seed)
    try:
        with tempfile.TemporaryDirectory(prefix="notebridge-soak-") as tmp:
            log = args.child_log.open("a", encoding="utf-8") if args.child_log else None
            soak = Soak(org, Path(tmp), args.minutes * 60, args.seed, args.quiet, log)
            try:
                soak.run()
            finally:
                result = soak.finish()
                if log is not None:
                    log.close()
    finally:
        org.close()
    result = {"minutes": args.minutes, "seconds": round(time.monotonic() - started, 1), "seed": args.seed,
              **result}
    result["all_met"] = ok(result)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    sys.exit(0 if main()["all_met"] else 1)
