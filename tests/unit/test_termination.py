"""SIGTERM/SIGINT reach ``QuitOnSignals`` on the loop, once; a second one during the clean-up is
logged and ignored.  Real signals, sent to this process while the handler is installed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from app.ui.termination import QUIT_SIGNALS, QuitOnSignals

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Windows has no SIGTERM")


async def test_continuous_typing_quit_signals_call_back_once_on_the_loop() -> None:
    loop = asyncio.get_running_loop()
    quits: list[str] = []
    arrived = asyncio.Event()

    def on_quit(name: str) -> None:
        assert asyncio.get_running_loop() is loop  # on the loop, not inside the C signal handler
        quits.append(name)
        arrived.set()

    with QuitOnSignals(loop, on_quit) as handler:
        assert {s.name for s in QUIT_SIGNALS} == {"SIGTERM", "SIGINT"}
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(arrived.wait(), timeout=10)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C while already quitting
        for _ in range(100):
            if len(handler.received) == 2:
                break
            await asyncio.sleep(0.01)
    assert quits == ["SIGTERM"]
    assert handler.received == ["SIGTERM", "SIGINT"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # given back on uninstall
