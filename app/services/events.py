"""One way for use cases to say what changed, and for screens to hear it.

Before this, each part had its own listener style (the scheduler's ``progress_listeners`` lists,
``ConnectionManager.add_listener``, ``on_status`` callbacks, Qt signals between pages).  Use cases
now ``publish`` a frozen event; a screen ``subscribe``s to the event *type* it cares about and keeps
the returned ``Unsubscribe`` to call when it closes.

Delivery is synchronous, on the caller's thread (the one asyncio/Qt thread), in subscription order.
A subscriber that raises is logged and skipped: one broken screen must not stop the others hearing
that, say, the connection dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from app.store.kinds import ItemKind

if TYPE_CHECKING:
    from app.sync.connection import ConnectionStatus, OrgConnection
    from app.sync.progress import SyncProgress
    from app.sync.pull.history import HistoryReport
    from app.sync.pull.types import PullResult
    from app.sync.push.engine import PushReport
    from app.sync.push.loop import LoopStatus
    from app.sync.push.preferences import ProspectPreferences, PushPreferences

log = logging.getLogger(__name__)

E = TypeVar("E")
Unsubscribe = Callable[[], None]


# ------------------------------------------------------------------------------------------ events
@dataclass(frozen=True)
class ItemStateChanged:
    """A note or task moved in the outbox (saved, queued, released, sent …); ``item_id`` None: many."""

    connection_id: int
    kind: ItemKind
    item_id: int | None
    state: str


@dataclass(frozen=True)
class HeldItemsReleased:
    """Items the push had held (kind turned off, API reserve reached) are due again."""

    connection_id: int
    reason: str  # the hold code they carried
    count: int


@dataclass(frozen=True)
class PushSettingsChanged:
    connection_id: int
    preferences: PushPreferences


@dataclass(frozen=True)
class ProspectSettingsChanged:
    connection_id: int
    preferences: ProspectPreferences


@dataclass(frozen=True)
class SyncProgressed:
    progress: SyncProgress


@dataclass(frozen=True)
class SyncFinished:
    result: PullResult


@dataclass(frozen=True)
class HistoryFetched:
    """The meeting-prep history step after a pull ended (its sync-log entry is written)."""

    report: HistoryReport


@dataclass(frozen=True)
class PushStatusChanged:
    """The push loop's state changed ("3 waiting · sending 2…")."""

    connection_id: int
    status: LoopStatus


@dataclass(frozen=True)
class PushFinished:
    connection_id: int
    report: PushReport


@dataclass(frozen=True)
class ConnectionChanged:
    status: ConnectionStatus


@dataclass(frozen=True)
class SignedIn:
    connection: OrgConnection


# -------------------------------------------------------------------------------------------- bus
class Events:
    """A typed publish/subscribe bus: ``subscribe(EventType, callback) -> Unsubscribe``."""

    def __init__(self) -> None:
        self._subscribers: dict[type[Any], list[Callable[[Any], object]]] = {}

    def subscribe(self, kind: type[E], callback: Callable[[E], object]) -> Unsubscribe:
        """Call ``callback(event)`` for every published event of exactly ``kind``."""
        entries = self._subscribers.setdefault(kind, [])
        entry: Callable[[Any], object] = callback
        entries.append(entry)

        def unsubscribe() -> None:
            for i, existing in enumerate(entries):
                if existing is entry:
                    del entries[i]
                    return

        return unsubscribe

    def publish(self, event: object) -> None:
        """Deliver ``event`` to the subscribers of its type (a copy: they may unsubscribe meanwhile)."""
        for callback in list(self._subscribers.get(type(event), ())):
            try:
                callback(event)
            except Exception:
                log.exception("a subscriber to %s failed", type(event).__name__)

    def subscriber_count(self, kind: type[Any]) -> int:
        return len(self._subscribers.get(kind, ()))
