"""SIGTERM and SIGINT end Notebridge the way closing its window does: save, close, exit 0.

Without this a logout, ``kill`` or a system shutdown ended the process at once (exit -15) and an
editor's last unsaved words were lost; Ctrl+C in a terminal raised ``KeyboardInterrupt`` at some
random point inside a Qt callback.  The handlers are asyncio's own (``loop.add_signal_handler``):
the C-level handler writes to the loop's wake-up socket, which qasync watches with a
``QSocketNotifier``, so the callback runs on the loop between two events — never in the middle of
a save — even while Qt sits in its event loop with no Python code running.
https://docs.python.org/3/library/asyncio-eventloop.html#unix-signals

Windows has no SIGTERM and its event loops do not support signal handlers; there the OS ends the
process after sending WM_CLOSE/WM_ENDSESSION, which Qt turns into a normal close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger(__name__)

QUIT_SIGNALS: tuple[signal.Signals, ...] = (
    (signal.SIGTERM, signal.SIGINT) if sys.platform != "win32" else ()
)


class QuitOnSignals:
    """While installed, SIGTERM/SIGINT call ``on_quit(signal name)`` once, on the loop.

    ``with QuitOnSignals(loop, request_quit): ...`` — keep it installed through the clean-up, so a
    second signal during shutdown cannot cut a save short (it is logged and ignored).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, on_quit: Callable[[str], None]) -> None:
        self._loop = loop
        self._on_quit = on_quit
        self._installed: list[signal.Signals] = []
        self.received: list[str] = []

    def install(self) -> bool:
        """True if at least one signal is now handled (never on Windows)."""
        for signum in QUIT_SIGNALS:
            try:
                self._loop.add_signal_handler(signum, self.handle, signum)
            except (NotImplementedError, RuntimeError, ValueError) as exc:  # not the main thread, or no support
                log.warning("cannot handle %s on this loop (%s); it will end Notebridge without saving",
                            signum.name, exc)
                continue
            self._installed.append(signum)
        return bool(self._installed)

    def uninstall(self) -> None:
        for signum in self._installed:
            with contextlib.suppress(RuntimeError, ValueError):  # the loop is already closed
                self._loop.remove_signal_handler(signum)
        self._installed.clear()

    def handle(self, signum: int) -> None:
        """What the installed handler runs (on the loop thread)."""
        name = signal.Signals(signum).name
        self.received.append(name)
        if len(self.received) > 1:
            log.info("%s received while already quitting; finishing the clean-up first", name)
            return
        log.info("%s received: saving open editors and quitting", name)
        self._on_quit(name)

    def __enter__(self) -> QuitOnSignals:
        self.install()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.uninstall()
