""""Sync now", "pause", "change sync settings" and "pick clients" for the pull, reported on the event bus.

The pull scheduler (``app.sync.pull.scheduler``) keeps its own listener lists; ``ClientSync`` is the
one subscriber that turns them into ``SyncProgressed``/``SyncFinished``/``HistoryFetched`` on
:class:`Events`, so a screen subscribes to the bus and never to the engine.  Whoever builds the
``ClientSync`` owns the scheduler (starts and closes it); ``detach()`` only stops the reporting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.services.events import Events, HistoryFetched, SyncFinished, SyncProgressed
from app.services.field_mappings import FieldMappingsChanged
from app.services.sync_choices import SyncChoicesChanged
from app.services.sync_filters import SyncFiltersChanged
from app.store.sync_state import PullSettings
from app.sync.progress import SyncProgress
from app.sync.pull.history import HistoryReport
from app.sync.pull.scheduler import PullScheduler
from app.sync.pull.types import Outcome as PullOutcome
from app.sync.pull.types import PullResult, RemoteMatch

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

__all__ = ["ClientSync", "PullOutcome", "PullResult", "PullScheduler", "PullSettings", "RemoteMatch", "SyncProgress"]


class ClientSync:
    def __init__(self, db: Database, connections: ConnectionManager, events: Events, *,
                 scheduler: PullScheduler | None = None) -> None:
        self.events = events
        self.scheduler = scheduler if scheduler is not None else PullScheduler(db, connections)
        self._progress: Callable[[SyncProgress], None] = lambda p: events.publish(SyncProgressed(p))
        self._result: Callable[[PullResult], None] = lambda r: events.publish(SyncFinished(r))
        self._history: Callable[[HistoryReport], None] = lambda r: events.publish(HistoryFetched(r))
        self.scheduler.progress_listeners.append(self._progress)
        self.scheduler.result_listeners.append(self._result)
        self.scheduler.history_listeners.append(self._history)
        # Settings → Sync (or the wizard, or the workspace's menu) changed what syncs: pull now with it.
        self._unsubscribe_choices = events.subscribe(SyncChoicesChanged, lambda _e: self.scheduler.wake())
        self._unsubscribe_filters = events.subscribe(SyncFiltersChanged, lambda _e: self.scheduler.wake())
        self._unsubscribe_fields = events.subscribe(FieldMappingsChanged, lambda _e: self.scheduler.wake())

    # -- the engine's life --------------------------------------------------------------------------
    def start(self) -> None:
        """Begin periodic pulls."""
        self.scheduler.start()

    def detach(self) -> None:
        """Stop reporting on the bus (the scheduler keeps running for its owner)."""
        self._unsubscribe_choices()
        self._unsubscribe_filters()
        self._unsubscribe_fields()
        for listeners, mine in ((self.scheduler.progress_listeners, self._progress),
                                (self.scheduler.result_listeners, self._result),
                                (self.scheduler.history_listeners, self._history)):
            if mine in listeners:
                listeners.remove(mine)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        self.detach()
        await self.scheduler.aclose()

    # -- use cases ----------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.scheduler.busy

    async def sync_now(self, *, full: bool = False) -> PullResult:
        """Pull now (or wait for the pull already running); progress and result go on the bus too."""
        return await self.scheduler.sync_now(full=full)

    def pause(self) -> None:
        """Stop the running pull after the page being written (nothing is lost)."""
        self.scheduler.cancel()

    async def change_settings(self, **changes: object) -> PullSettings:
        """Change the pull's settings for the active connection; takes effect now."""
        return await self.scheduler.change_settings(**changes)

    async def search_salesforce(self, text: str) -> list[RemoteMatch]:
        """Pick mode: people in Salesforce matching ``text`` (not yet in the workspace or not)."""
        return await self.scheduler.search_salesforce(text)

    async def import_picked(self, sf_ids: list[str]) -> PullResult:
        """Pick mode: bring these people into the workspace."""
        return await self.scheduler.import_picked(sf_ids)
