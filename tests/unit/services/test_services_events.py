"""The one event bus: typed delivery, unsubscribe, and a failing subscriber isolated from the rest."""

from __future__ import annotations

import logging

import pytest

from app.services.events import ConnectionChanged, Events, HeldItemsReleased, ItemStateChanged


def test_services_events_reach_only_subscribers_of_their_type() -> None:
    bus = Events()
    items: list[ItemStateChanged] = []
    held: list[HeldItemsReleased] = []
    bus.subscribe(ItemStateChanged, items.append)
    bus.subscribe(HeldItemsReleased, held.append)
    bus.publish(ItemStateChanged(1, "note", 7, "queued"))
    assert items == [ItemStateChanged(1, "note", 7, "queued")] and held == []
    bus.publish(HeldItemsReleased(1, "API_BUDGET", 2))
    assert held == [HeldItemsReleased(1, "API_BUDGET", 2)] and len(items) == 1


def test_services_events_unsubscribe_stops_delivery_and_is_idempotent() -> None:
    bus = Events()
    seen: list[object] = []
    first = bus.subscribe(ItemStateChanged, seen.append)
    bus.subscribe(ItemStateChanged, lambda e: seen.append(("second", e)))
    first()
    first()  # twice is harmless and does not remove the other subscriber
    assert bus.subscriber_count(ItemStateChanged) == 1
    bus.publish(ItemStateChanged(1, "task", None, "queued"))
    assert seen == [("second", ItemStateChanged(1, "task", None, "queued"))]


def test_services_events_a_failing_subscriber_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    bus = Events()
    seen: list[object] = []

    def broken(_event: object) -> None:
        raise RuntimeError("screen gone")

    bus.subscribe(ConnectionChanged, broken)
    bus.subscribe(ConnectionChanged, seen.append)
    with caplog.at_level(logging.ERROR, logger="app.services.events"):
        bus.publish(ConnectionChanged(status="offline"))  # type: ignore[arg-type]
    assert seen == [ConnectionChanged(status="offline")]  # type: ignore[arg-type]
    assert "ConnectionChanged" in caplog.text


def test_services_events_a_subscriber_may_unsubscribe_while_being_called() -> None:
    bus = Events()
    seen: list[str] = []
    unsubscribe = None

    def once(_event: object) -> None:
        seen.append("once")
        assert unsubscribe is not None
        unsubscribe()

    unsubscribe = bus.subscribe(ItemStateChanged, once)
    bus.subscribe(ItemStateChanged, lambda _e: seen.append("always"))
    bus.publish(ItemStateChanged(1, "note", 1, "draft"))
    bus.publish(ItemStateChanged(1, "note", 1, "queued"))
    assert seen == ["once", "always", "always"]
