"""Python's cyclic garbage collector, paused while a pull runs.

Why: a 100,000-contact pull keeps a few pages of records alive at a time (fetched ahead, being
prepared, being written), so the collector keeps promoting objects and running full (generation 2)
collections.  Measured: 8 of them per pull, 40–140 ms each, and a collection stops every thread —
the UI included (it was most of the event-loop stalls over 50 ms) — and cost ~1 s of the pull.

Records, rows and tuples are freed by reference counting the moment a page is written.  Reference
cycles are not, and one comes with every response (httpx's ``Response`` and its stream point at each
other, holding the page's 1.5 MB body): so after each page the pull collects the *young* generations
(:func:`collect_young`, a few milliseconds over what the last page allocated).  The full collector
runs again as soon as the last pull ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Re-entrant: the collector comes back (if it was on) when the outermost user is done."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def collect_young() -> None:
    """While paused: collect generations 0 and 1 (what was allocated since the last page)."""
    if _depth:
        gc.collect(1)
