"""What runs while the event loop stalls: a watchdog thread that samples every thread's stack.

    python -m benchmarks.push --no-baseline --probe-stalls

The loop stamps the time on every 5 ms tick; a watchdog thread wakes every millisecond and, while the
last stamp is older than ``threshold_ms``, records the innermost frames of every other thread.  A
stall is the loop waiting for the GIL (or running one long step itself), so the thread whose stack is
not parked in a wait is the one holding it.  The garbage collector's pauses are timed through
``gc.callbacks`` (a collection stops every thread).  The watchdog needs the GIL to sample, so it sees
the holder at the moments it hands the GIL over — a sample, not a trace; enough to name the step.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Any

FRAMES = 6  # innermost frames kept per sample


class StallProbe:
    def __init__(self, threshold_ms: float = 25.0) -> None:
        self.threshold = threshold_ms / 1000
        self.stamp = time.perf_counter()
        self.samples: Counter[str] = Counter()
        self.by_stamp: dict[float, list[str]] = {}
        self.stalls: list[tuple[float, float]] = []  # (ms, the stamp the stall started from)
        self.gc_pauses: list[tuple[int, float]] = []  # (generation, ms)
        self._gc_start = 0.0
        self._stop = threading.Event()
        self._loop_ident = threading.get_ident()
        self._thread = threading.Thread(target=self._watch, name="stall-probe", daemon=True)
        self._task: asyncio.Task[None] | None = None

    # -- the loop side ----------------------------------------------------------------------------------
    async def _tick(self) -> None:
        while True:
            now = time.perf_counter()
            late = now - self.stamp
            if late > self.threshold:
                self.stalls.append((round(late * 1000, 1), self.stamp))
            self.stamp = now
            await asyncio.sleep(0.005)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        else:
            ms = (time.perf_counter() - self._gc_start) * 1000
            if ms > 5:
                self.gc_pauses.append((int(info.get("generation", -1)), round(ms, 1)))

    # -- the watchdog -----------------------------------------------------------------------------------
    def _watch(self) -> None:
        me = threading.get_ident()
        names = {}
        while not self._stop.wait(0.001):
            stamp = self.stamp
            if time.perf_counter() - stamp < self.threshold:
                continue
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                full = traceback.extract_stack(frame)
                ours = [f for f in full if "/app/" in f.filename][-3:]  # the app's own step, however deep
                stack = full[-2:] + [f for f in ours if f not in full[-2:]]
                where = " < ".join(f"{f.name}({f.filename.rsplit('/', 2)[-1]}:{f.lineno})" for f in reversed(stack))
                who = "LOOP" if ident == self._loop_ident else names.get(ident, str(ident))
                self.samples[f"[{who}] {where}"] += 1
                self.by_stamp.setdefault(stamp, []).append(f"[{who}] {where}")

    def __enter__(self) -> StallProbe:
        self._loop_ident = threading.get_ident()
        self.stamp = time.perf_counter()
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.get_running_loop().create_task(self._tick())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()

    def report(self, top: int = 25) -> dict[str, Any]:
        worst = sorted(self.stalls, reverse=True)[:6]
        return {"stalls_over_threshold_ms": [ms for ms, _ in sorted(self.stalls, reverse=True)[:20]],
                "worst": {f"{ms} ms": [f"{n}x {w}" for w, n in Counter(self.by_stamp.get(stamp, [])).most_common(8)]
                          for ms, stamp in worst},
                "gc_pauses_over_5ms": self.gc_pauses,
                "samples": [f"{n:4d} {where}" for where, n in self.samples.most_common(top)]}


__all__ = ["StallProbe"]
