"""The collector pause a pull takes: nested users, the state it found, and young collections."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app.sync.gc_pause import YOUNG_EVERY, collector_paused, page_written


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_comes_back_only_after_the_outermost_pause() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pull is still running
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_it_comes_back_even_when_the_pull_fails() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("network gone")
    assert gc.isenabled()


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle, like httpx's Response and its stream


def test_young_cycles_are_collected_every_few_pages_while_paused_and_left_alone_otherwise() -> None:
    gc.collect()
    with collector_paused():
        Node()
        assert any(type(o) is Node for o in gc.get_objects(generation=0))
        for _ in range(YOUNG_EVERY):
            assert any(type(o) is Node for o in gc.get_objects())  # not yet: pages are written fast
            page_written()
        assert not any(type(o) is Node for o in gc.get_objects())
    gc.disable()
    try:
        Node()
        for _ in range(YOUNG_EVERY):
            page_written()  # not paused by a pull: not ours to run
        assert any(type(o) is Node for o in gc.get_objects())
    finally:
        gc.collect()
        gc.enable()
