"""The collector pause a pull takes: nested users, and the state it found."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from app.sync.gc_pause import collector_paused


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
