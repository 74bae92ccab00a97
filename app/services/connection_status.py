""""Is Salesforce working?": the connection's status changes, as ``ConnectionChanged`` on the event bus.

``ConnectionManager`` keeps its own listener list (and has no way to leave it).  ``follow`` adds one
listener per bus that publishes every change; screens then ``subscribe_status`` and get an
``Unsubscribe`` to call when they close, instead of staying in the manager's list for good.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary, WeakSet

from app.services.events import ConnectionChanged, Events, Unsubscribe

if TYPE_CHECKING:
    from app.sync.connection import ConnectionManager, ConnectionStatus

__all__ = ["follow", "subscribe_status"]

_followed: WeakKeyDictionary[Events, WeakSet[ConnectionManager]] = WeakKeyDictionary()


def follow(connections: ConnectionManager, events: Events) -> None:
    """Publish ``connections``' status changes on ``events`` (once per pair, however often called)."""
    managers = _followed.setdefault(events, WeakSet())
    if connections in managers:
        return
    managers.add(connections)
    publishing = False  # add_listener reports the current status at once; that is not a change

    def publish(status: ConnectionStatus) -> None:
        if publishing:
            events.publish(ConnectionChanged(status))

    connections.add_listener(publish)
    publishing = True


def subscribe_status(connections: ConnectionManager, events: Events,
                     callback: Callable[[ConnectionStatus], object]) -> Unsubscribe:
    """Call ``callback`` with the current status now and with every change after it."""
    follow(connections, events)
    unsubscribe = events.subscribe(ConnectionChanged, lambda event: callback(event.status))
    callback(connections.status)
    return unsubscribe
