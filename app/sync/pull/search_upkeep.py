"""After a big sync, the search index is tidied in small steps (see ``app.store.search_index``).

The sync itself is over (and its result shown) before this starts; each step is its own short
database job, so a search typed meanwhile waits for one step at most, never for the whole merge.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from app.store import Database, DatabaseClosedError, search_index
from app.store.models import SOURCE_OBJECTS

log = logging.getLogger(__name__)

TIDY_AFTER_ROWS = 5_000  # fewer new rows than this: FTS5's own merging keeps up
STEP_PAGES = 64  # per index and step: a few tens of milliseconds of database work
MAX_STEPS = 10_000  # a bound, should ``total_changes`` ever keep saying "more"


async def tidy_search_index(db: Database, *, cancel: asyncio.Event | None = None,
                            step_pages: int = STEP_PAGES) -> int:
    """Merge the search indexes' b-trees until done (or cancelled); returns the steps taken.

    Upkeep, run in the background: it never raises (a closed workspace or a database error just ends
    it, logged; search works the same without it, only slower)."""
    steps = 0
    try:
        while steps < MAX_STEPS and not (cancel is not None and cancel.is_set()):
            first = steps == 0
            more = await db.run(partial(search_index.merge_step, pages=step_pages, first=first))
            steps += 1
            if not more:
                break
    except DatabaseClosedError:
        log.info("search index tidy-up stopped: the workspace closed")
        return steps
    except Exception:
        log.exception("search index tidy-up failed after %d steps; search still works, only slower", steps)
        return steps
    log.info("search index tidied in %d steps", steps)
    return steps


def rows_written(counts: dict[str, int]) -> int:
    """People written by a pull (``Contact.written``, ``Lead.written``, ``Account.written``)."""
    return sum(counts.get(f"{sobject}.written", 0) for sobject in SOURCE_OBJECTS)
