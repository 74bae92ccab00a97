"""The process-wide interpreter switches, in one place, each with its reason; start-up applies them once.

Nothing else in the app changes them (``app/sync/gc_pause.py`` only pauses the collector around one pull or push
and restores what it found).

Why these: they keep the UI thread responsive while the database thread is busy.

A sync converts 2000 records per page into rows on the database thread.  That is Python code, so it
holds the GIL; the UI thread waiting to paint or to read the next response gets it back only at the
interpreter's switch interval (5 ms by default) — and a UI step that gives up the GIL many times
(TLS reads, socket waits) pays that wait each time.  Measured with the benchmark's 5 ms timer probe:
the longest stall during a 20,000-contact sync falls from ~90 ms to ~25 ms with a 1 ms interval.
``gc.freeze()`` moves everything allocated during start-up (Qt bindings, SQLAlchemy, modules) out of
the collector's reach, so an occasional full collection no longer walks it: those collections run on
whichever thread allocates and stop every thread while they do.
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL_S = 0.001
_applied = False


def tune_for_responsiveness() -> None:
    """Idempotent; the GUI calls it once its window and pages are built (everything built so far lives
    for the whole session, so freezing it keeps full collections — a ~45 ms UI stall — from re-scanning it)."""
    global _applied
    if _applied:
        return
    _applied = True
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
    gc.collect()
    gc.freeze()
