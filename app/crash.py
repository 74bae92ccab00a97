"""Crash handling: nothing fails silently, and a hard crash is reported on the next start.

Three kinds of failure reach here: an exception escaping a Qt slot or plain code (`sys.excepthook`),
an exception in a task nobody awaited (the asyncio loop's exception handler), and a hard crash of the
interpreter (segfault in a native library) which only `faulthandler` can record — into a file we read
back at the next start. This module has no Qt: the UI registers a `reporter` that shows the dialog.
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from app.logs import redact

log = logging.getLogger("notebridge.crash")

Reporter = Callable[[str, str], object]  # (headline, details) -> shows it to the advisor
_reporter: Reporter | None = None
_fault_file: IO[str] | None = None


def set_reporter(reporter: Reporter | None) -> None:
    global _reporter
    _reporter = reporter


def _report(headline: str, details: str) -> None:
    details = redact(details)
    log.error("%s\n%s", headline, details)
    if _reporter is not None:
        try:
            _reporter(headline, details)
        except Exception:  # the dialog itself must never take the app down
            log.exception("could not show the crash dialog")


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    _report("Something went wrong inside Notebridge.", details)


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Installed on the qasync loop: unhandled task errors are logged and shown, never swallowed."""
    exc = context.get("exception")
    if isinstance(exc, asyncio.CancelledError):
        return
    message = str(context.get("message", "Unhandled error in background work"))
    details = format_exception(exc) if isinstance(exc, BaseException) else message
    _report("A background task in Notebridge failed.", f"{message}\n{details}")


def install(crash_file: Path) -> str | None:
    """Install the hooks. Returns the previous hard-crash report (if the last run died), then clears it."""
    previous: str | None = None
    if crash_file.exists():
        text = crash_file.read_text(encoding="utf-8", errors="replace").strip()
        if text:
            previous = redact(text)
            log.error("The previous run of Notebridge crashed:\n%s", previous)
    global _fault_file
    crash_file.parent.mkdir(parents=True, exist_ok=True)
    _fault_file = crash_file.open("w", encoding="utf-8")
    faulthandler.enable(file=_fault_file, all_threads=True)
    sys.excepthook = _excepthook
    return previous


def uninstall() -> None:
    """On a clean exit: stop faulthandler and leave an empty crash file (so nothing shows next time)."""
    global _fault_file
    if faulthandler.is_enabled():
        faulthandler.disable()
    if _fault_file is not None:
        path = Path(_fault_file.name)
        _fault_file.close()
        _fault_file = None
        path.write_text("", encoding="utf-8")
    sys.excepthook = sys.__excepthook__
    set_reporter(None)
