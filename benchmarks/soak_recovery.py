"""How long a restart of the soak's app takes to get its outbox moving again, and what that time was.

Measured for every start that found items due in the outbox (``opened due=1``), none left out:

* **recovery** — from the driver starting the process to the first of
  - ``moved``: the first outbox item settled since this start (pushed, or found by a lookup), or
  - the first **refusal**: the first attempt of the push that the org refused because an injected
    fault was still active — a 503 (retried by the client, or stopping the run), an answer lost after
    commit, an expired access token (``fault push …`` lines, printed from the push loop's own task, so
    a fault the background sync ran into does not count), or a run stopped by the API-limit spell
    (``report budget``).
  Target: ``max_recovery_ms`` ≤ 3,000 — the app is up, has opened its workspace and is sending (or
  has been turned away by the org) within 3 s of a restart.
* **fault-blocked** — from that first refusal to ``moved``: the time the fault kept the outbox still,
  including the app's waiting it out (the client's retry backoff, the loop's probe after an offline
  stop, the budget's recheck).  Reported apart (``max_fault_blocked_ms``), never hidden; the
  transcripts of the slowest restarts show each step.

Each restart's parts: ``imported`` (process start → imports done), ``opened`` (workspace opened,
migrated if it was behind), ``sending`` (the push loop's first run began), ``end`` (the recovery's end).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.soak_procs import Child

REFUSALS = ("fault push ", "report offline", "report budget")
QUIET = ("saved", "phase pull", "created", "queued")  # transcript lines that say nothing about recovery


@dataclass
class Restart:
    recovery_ms: float
    moved_ms: float | None  # None: not moved within the driver's wait
    refused_ms: float | None  # the first refusal before ``moved``, if any
    in_spell: bool
    parts: dict[str, int]
    lines: list[str]
    stopped_ms: float = 0.0  # the push loop stopped (offline / budget) until its next run, before ``moved``
    settle_ms: float = 0.0  # the exactly-once settle window waited, before ``moved``

    @property
    def fault_blocked_ms(self) -> float:
        if self.refused_ms is None:
            return 0.0
        end = self.moved_ms if self.moved_ms is not None else self.refused_ms
        return end - self.refused_ms


@dataclass
class Recoveries:
    restarts: list[Restart] = field(default_factory=list)

    def measure(self, child: Child, started: float, moved: bool, in_spell: bool) -> Restart | None:
        """The restart of ``child`` (started at ``started``, monotonic): None when it neither moved
        nor was refused (it counts as not recovered)."""
        moved_at = child.seen_at("moved") if moved else None
        refused_at = child.first_at(REFUSALS)
        if refused_at is not None and moved_at is not None and refused_at > moved_at:
            refused_at = None
        ends = [t for t in (moved_at, refused_at) if t is not None]
        if not ends:
            return None
        end = min(ends)

        def ms(t: float | None) -> float | None:
            return None if t is None else (t - started) * 1000

        parts = {name: round((child.first_at((prefix,)) or end) * 1000 - started * 1000)
                 for name, prefix in (("imported", "phase start"), ("opened", "opened"), ("sending", "status sending"))}
        parts["end"] = round((end - started) * 1000)
        last = moved_at if moved_at is not None else end
        lines = [f"{(t - started) * 1000:.0f} {line}" for t, line in child.lines
                 if t <= last and not line.startswith(QUIET)][:60]
        restart = Restart((end - started) * 1000, ms(moved_at), ms(refused_at), in_spell, parts, lines)
        restart.stopped_ms, restart.settle_ms = _waits([(t, line) for t, line in child.lines if t <= last])
        self.restarts.append(restart)
        return restart

    def summary(self) -> dict[str, Any]:
        every = sorted(r.recovery_ms for r in self.restarts)
        clean = sorted(r.recovery_ms for r in self.restarts if r.refused_ms is None)
        hit = [r for r in self.restarts if r.refused_ms is not None]
        blocked = sorted(r.fault_blocked_ms for r in hit)
        slowest = max(self.restarts, key=lambda r: r.recovery_ms, default=None)
        longest = sorted(self.restarts, key=lambda r: -(r.moved_ms or r.recovery_ms))[:3]
        return {
            "max_recovery_ms": _at(every, -1), "median_recovery_ms": _at(every, len(every) // 2),
            "recoveries_measured": len(every),
            # The same, from the end of the imports: the app's own path (open, sign-in, first request)
            # without the interpreter's start-up, which the machine's load stretches most.
            "max_recovery_after_imports_ms": _at(sorted(r.parts["end"] - r.parts["imported"]
                                                        for r in self.restarts), -1),
            "max_imports_ms": _at(sorted(r.parts["imported"] for r in self.restarts), -1),
            "recovery_without_fault_ms": {"n": len(clean), "max": _at(clean, -1),
                                          "median": _at(clean, len(clean) // 2)},
            "recoveries_refused_by_a_fault": len(hit),
            "recoveries_in_limit_spell": sum(r.in_spell for r in self.restarts),
            "refused_and_not_moved_in_15s": sum(r.moved_ms is None for r in self.restarts),
            "max_fault_blocked_ms": _at(blocked, -1), "median_fault_blocked_ms": _at(blocked, len(blocked) // 2),
            "fault_blocked_ms": [round(b) for b in blocked],
            # Of the fault-blocked time: the loop stopped (offline/budget) until its next run, and the
            # exactly-once settle window waited (any restart).
            "max_stopped_after_a_fault_ms": _at(sorted(r.stopped_ms for r in hit), -1),
            "settle_waits_ms": [round(r.settle_ms) for r in self.restarts if r.settle_ms],
            "slowest_recovery_parts_ms": slowest.parts if slowest else {},
            "slowest_recovery_transcript": slowest.lines if slowest else [],
            "longest_until_moved": [{"moved_ms": None if r.moved_ms is None else round(r.moved_ms),
                                     "recovery_ms": round(r.recovery_ms), "lines": r.lines} for r in longest],
        }


def _waits(lines: list[tuple[float, str]]) -> tuple[float, float]:
    """How long the push loop sat stopped (``status offline``/``status budget`` → its next
    ``status sending``, or the end) and how long it waited out the settle window, in ms."""
    stopped, settle, since = 0.0, 0.0, None
    for t, line in lines:
        if line.startswith(("status offline", "status budget")) and since is None:
            since = t
        elif line.startswith("status sending") and since is not None:
            stopped, since = stopped + (t - since) * 1000, None
        elif "of the settle window" in line:
            settle += 1000 * float(line.split("waiting ", 1)[1].split("s of", 1)[0])
    if since is not None and lines:
        stopped += (lines[-1][0] - since) * 1000
    return stopped, settle


def _at(values: list[float], index: int) -> int | None:
    return round(values[index]) if values else None
