"""Python's cyclic garbage collector, paused while a pull or a push runs.

The push pauses it too (``app.sync.push.engine``): a run over 6,000 items loads and builds its work
items in bulk, and the full collections that set off held every thread, the UI's included, for
33–48 ms each (measured with ``python -m benchmarks.push --probe-stalls``).

Why: a 100,000-contact pull keeps a few pages of records alive at a time (fetched ahead, being
prepared, being written), so the collector keeps promoting objects and running full (generation 2)
collections.  Measured: 8 of them per pull, 40–140 ms each, and a collection stops every thread —
the UI included (it was most of the event-loop stalls over 50 ms) — and cost ~1 s of the pull.

Records, rows and tuples are freed by reference counting once a page is written (in the pull's
worker thread, see ``page_release``).  Reference cycles are not: the one that mattered, httpx's
response and its stream holding each other (and a page's 1.5 MB body), is broken where responses
arrive (``app.salesforce.session``).  What is left is
a handful of small objects per pull (measured: a dozen for 30,000 contacts), collected as soon as the
last pull ends.  (Collecting the young generations after every page instead cost ~10% of the pull
and a stall of its own.)
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

