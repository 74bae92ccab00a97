"""Python's cyclic garbage collector, paused while a pull runs.

Why: a 100,000-contact pull keeps a few pages of records alive at a time (fetched ahead, being
prepared, being written), so the collector keeps promoting objects and running full (generation 2)
collections.  Measured: 8 of them per pull, 40–140 ms each, and a collection stops every thread —
the UI included (it was most of the event-loop stalls over 50 ms) — and cost ~1 s of the pull.

Records, rows and tuples are freed by reference counting the moment a page is written.  Reference
cycles are not; the big one, httpx's response and its stream holding each other (and a page's 1.5 MB
body), is broken where responses arrive (``app.salesforce.session``).  For any other cycle, every
``YOUNG_EVERY`` pages the pull collects the *young* generations (:func:`page_written`) — young
collections on every page cost ~10% of the pull.  The full collector runs again as soon as the last
pull ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = True
_pages = 0
YOUNG_EVERY = 10


@contextmanager
def collector_paused() -> Iterator[None]:
    """Re-entrant: the collector comes back (if it was on) when the outermost user is done."""
    global _depth, _was_enabled, _pages
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
            _pages = 0
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


def page_written() -> None:
    """While paused: every ``YOUNG_EVERY``-th call, collect generations 0 and 1."""
    global _pages
    if _depth:
        _pages += 1
        if _pages % YOUNG_EVERY == 0:
            gc.collect(1)
