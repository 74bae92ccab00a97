"""The push's long passes give the event loop turns (``app.sync.push.pace``): something else waiting on
the loop runs in the middle of a long pass, and a short pass pays for no turn at all."""

from __future__ import annotations

import asyncio
import time

from app.sync.push.pace import Pacer


def _busy(seconds: float) -> None:
    """CPU work standing for one item of a pass (building a payload): the loop is held meanwhile."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


async def _pass(pacer: Pacer, items: int, per_item_s: float, log: list[str]) -> None:
    for n in range(items):
        await pacer.turn()
        _busy(per_item_s)
        log.append(f"item {n}")


async def test_push_pace_long_pass_lets_the_loop_run_other_work_in_between() -> None:
    log: list[str] = []
    asyncio.get_running_loop().call_soon(log.append, "timer")
    await _pass(Pacer(step_s=0.002), items=10, per_item_s=0.001, log=log)

    assert "timer" in log and 0 < log.index("timer") < len(log) - 1  # it ran during the pass, not after it


async def test_push_pace_short_pass_takes_no_turn() -> None:
    log: list[str] = []
    asyncio.get_running_loop().call_soon(log.append, "timer")
    await _pass(Pacer(step_s=60), items=10, per_item_s=0.0, log=log)

    assert "timer" not in log  # nothing yielded: the waiting callback runs only once the pass is done
    await asyncio.sleep(0)
    assert log[-1] == "timer"
