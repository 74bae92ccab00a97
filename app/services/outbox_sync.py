"""The push of one connection, running: start, wake, apply new settings, close — reported on the bus.

The push loop (``app.sync.push.loop``) calls one ``on_status`` and one ``on_report``; ``OutboxSync``
is what it calls, and it publishes ``PushStatusChanged``/``PushFinished`` on :class:`Events`, so the
outbox page, the status bar and the usage readout each subscribe instead of being wired in by hand.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from app.salesforce.errors import DeadlineExceeded, NetworkError
from app.services.connection_status import follow
from app.services.events import ConnectionChanged, Events, ItemStateChanged, PushFinished, PushStatusChanged
from app.sync.connection import DEADLINE_CODE
from app.sync.push import preferences as push_preferences
from app.sync.push.engine import PushReport
from app.sync.push.loop import LoopStatus, PushLoop, status_text

if TYPE_CHECKING:
    from app.salesforce.client import SalesforceClient
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

__all__ = ["LoopStatus", "OutboxSync", "PushFinished", "PushReport", "PushStatusChanged", "status_text"]


_UNREACHABLE_CODES = frozenset({"NETWORK_ERROR", "OUTCOME_UNKNOWN"})


class OutboxSync:
    def __init__(self, db: Database, connection_id: int, client: Callable[[], Awaitable[SalesforceClient]],
                 events: Events, connections: ConnectionManager | None = None, **options: Any) -> None:
        self.db = db
        self.connections = connections
        self.connection_id = connection_id
        self.events = events
        self.loop = PushLoop(db, connection_id, client, on_status=self._status, on_report=self._report,
                              on_connectivity=self._connectivity, **options)
        # Anything queued (a note, a task, a new person) or released for this org: look at the outbox now.
        self._unsubscribe = events.subscribe(ItemStateChanged, self._item_changed)
        # Signed in again (a reconnect keeps this loop) or back online: what waited goes now, not at the
        # next edit.  Items a sign-out held have no retry time, so nothing else would wake the loop.
        self._unsubscribe_connection: Callable[[], None] = lambda: None
        if connections is not None:
            follow(connections, events)
            self._unsubscribe_connection = events.subscribe(ConnectionChanged, self._connection_changed)

    @classmethod
    async def for_connection(cls, db: Database, connection_id: int,
                             client: Callable[[], Awaitable[SalesforceClient]], events: Events,
                             connections: ConnectionManager | None = None) -> OutboxSync:
        """With the connection's saved push settings (note type, templates, reserve, auto-push)."""
        options = await push_preferences.loop_options(db, connection_id)
        return cls(db, connection_id, client, events, connections, **options)

    def _item_changed(self, event: ItemStateChanged) -> None:
        if event.connection_id == self.connection_id and event.state == "queued":
            self.loop.wake()

    def _connection_changed(self, event: ConnectionChanged) -> None:
        if event.status.state == "connected" and not event.status.offline:
            self.loop.wake()

    def _status(self, status: LoopStatus) -> None:
        self.events.publish(PushStatusChanged(self.connection_id, status))

    def _connectivity(self, code: str | None) -> None:
        """What the push saw of Salesforce goes to the connection status (status bar, banner): a push
        that got no answer in time says "Salesforce isn't answering" everywhere, not just in the outbox."""
        if self.connections is None:
            return
        if code is None:
            self.connections.report_success()
        elif code == DEADLINE_CODE:
            self.connections.report_failure(DeadlineExceeded("Salesforce did not answer in time."))
        elif code in _UNREACHABLE_CODES:  # other codes mean Salesforce answered (a refusal, a bad answer)
            self.connections.report_failure(NetworkError("Salesforce cannot be reached.", error_code=code))

    def _report(self, report: PushReport) -> None:
        # Every item the run settled, as it now is on disk: open editors and the client view follow it.
        for kind, item_id, state in report.settled:
            self.events.publish(ItemStateChanged(self.connection_id, kind, item_id, state))
        self.events.publish(PushFinished(self.connection_id, report))

    def start(self) -> None:
        self.loop.start()

    def wake(self) -> None:
        """Look at the outbox now (something was queued or released)."""
        self.loop.wake()

    async def apply_saved_preferences(self) -> None:
        """Use the connection's saved push and new-people settings from the loop's next run."""
        prefs = await push_preferences.load(self.db, self.connection_id)
        prospects = await push_preferences.load_prospects(self.db, self.connection_id)
        push_preferences.apply_to_loop(self.loop, prefs, prospects)
        self.loop.wake()

    async def aclose(self) -> None:
        self._unsubscribe()
        self._unsubscribe_connection()
        await self.loop.aclose()
