"""The workspace writer lock (app.store.workspace_lock) and the store functions that require it.

In-process checks of the lock's rules; tests/reliability/test_two_processes.py runs them across real
processes (simultaneous starts, kill -9, different TMPDIRs).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.store import Database, NotWorkspaceWriterError, WorkspaceBusyError, outbox_bulk, prospects, workspace_lock
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store.types import utcnow


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "workspace.sqlite3"


def test_two_processes_lock_refuses_a_second_holder_even_within_one_process(database: Path) -> None:
    first = workspace_lock.acquire(database)
    try:
        assert workspace_lock.try_acquire(database) is None
        with pytest.raises(WorkspaceBusyError) as refused:
            workspace_lock.acquire(database)
        assert f"Notebridge is already open on this workspace (process {os.getpid()})" in str(refused.value)
        assert workspace_lock.held_here(database) is first
    finally:
        first.release()


def test_two_processes_released_lock_is_taken_at_once_and_names_nobody(database: Path) -> None:
    first = workspace_lock.acquire(database)
    assert workspace_lock.holder_pid(database) == os.getpid()
    first.release()
    first.release()  # idempotent
    assert not first.held
    assert workspace_lock.held_here(database) is None
    assert workspace_lock.holder_pid(database) is None
    second = workspace_lock.try_acquire(database)
    assert second is not None and second.held
    second.release()


@pytest.mark.skipif(os.name == "nt", reason="flock: POSIX")
def test_two_processes_refused_in_the_instant_before_the_holder_wrote_its_pid_still_names_it(
        database: Path) -> None:
    """CI once refused a second engine between the winner's flock and its pid write: no pid named."""
    import fcntl
    import threading

    path = workspace_lock.lock_path(database)
    path.parent.mkdir(parents=True)
    holder = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # another open file: locks like another process
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # locked, pid not yet written
        assert workspace_lock.try_acquire(database) is None
        late_pid = 4242
        writer = threading.Timer(0.05, lambda: os.pwrite(holder, f"{late_pid}\n".encode(), 16))
        writer.start()
        message = workspace_lock.busy_message(database)
        writer.join()
        assert f"(process {late_pid})" in message
    finally:
        os.close(holder)


def test_two_processes_refusal_without_any_recorded_holder_says_so_without_a_pid(database: Path) -> None:
    database.parent.mkdir(parents=True)
    message = workspace_lock.busy_message(database)  # waits its bounded moment, then gives up
    assert "already open on this workspace." in message and "process" not in message.split(".")[0]


def test_two_processes_stale_lock_file_of_a_dead_process_never_blocks(database: Path) -> None:
    path = workspace_lock.lock_path(database)
    path.parent.mkdir(parents=True)
    dead = 2**22 + 12345  # above Linux's default pid_max: no live process has it
    path.write_bytes(b"\0" * 16 + f"{dead}\n".encode())  # what a killed holder leaves behind
    assert workspace_lock.holder_pid(database) == dead
    assert workspace_lock.open_elsewhere(database) is None  # doctor: nobody has it open
    lock = workspace_lock.try_acquire(database)
    assert lock is not None
    assert workspace_lock.holder_pid(database) == os.getpid()
    lock.release()


def test_two_processes_lock_follows_the_workspace_not_how_its_path_is_spelled(tmp_path: Path,
                                                                             database: Path) -> None:
    database.parent.mkdir(parents=True)
    alias = tmp_path / "alias"
    alias.symlink_to(database.parent, target_is_directory=True)
    lock = workspace_lock.acquire(database)
    try:
        assert workspace_lock.try_acquire(alias / database.name) is None
        assert workspace_lock.held_here(alias / database.name) is lock
        assert workspace_lock.try_acquire(tmp_path / "other" / database.name) is not None  # another workspace
    finally:
        lock.release()


def test_two_processes_lock_file_is_private_and_not_sqlites_own_lock_name(database: Path) -> None:
    lock = workspace_lock.acquire(database)
    try:
        path = workspace_lock.lock_path(database)
        assert path.parent == database.parent
        assert path.name != database.name + ".lock"  # SQLite's unix-dotfile VFS uses that name
        if os.name == "posix":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        lock.release()


async def test_two_processes_database_shares_the_launch_lock_and_leaves_it_to_its_owner(database: Path) -> None:
    launch = workspace_lock.acquire(database)  # what the GUI takes before opening anything
    try:
        db = await Database.open(database)
        assert db.is_writer
        db.claim_writer()
        await db.close()
        assert launch.held and workspace_lock.held_here(database) is launch
    finally:
        launch.release()


async def test_two_processes_database_claims_the_lock_for_its_lifetime(database: Path) -> None:
    db = await Database.open(database)
    try:
        assert not db.is_writer  # opening only reads: doctor may open while the app runs
        db.claim_writer()
        assert db.is_writer
        assert workspace_lock.try_acquire(database) is None
    finally:
        await db.close()
    assert workspace_lock.held_here(database) is None
    again = workspace_lock.try_acquire(database)
    assert again is not None
    again.release()


async def test_two_processes_store_refuses_to_take_outbox_rows_without_the_lock(db: Database, cid: int) -> None:
    note = await db.run(lambda s: notes_repo.create(s, cid, title="Review", body_markdown="Body"))
    rows = await db.run(lambda s: outbox_repo.enqueue_many(s, "note", [note.id]))
    now = utcnow()
    takes = [
        lambda s: outbox_repo.due(s, cid, now),
        lambda s: outbox_bulk.mark_sending(s, [(rows[0].id, {"record": {}})]),
        lambda s: prospects.due(s, cid, now),
        lambda s: prospects.mark_sending(s, rows[0].id, {"records": []}),
    ]
    for take in takes:
        with pytest.raises(NotWorkspaceWriterError, match="not the one sending for this workspace"):
            await db.run(take)
    assert (await db.run(lambda s: outbox_repo.get(s, rows[0].id))).state == "queued"  # type: ignore[union-attr]

    db.claim_writer()
    work = await db.run(takes[0])
    assert [w.outbox.id for w in work] == [rows[0].id]
    await db.run(takes[1])
    assert (await db.run(lambda s: outbox_repo.get(s, rows[0].id))).state == "sending"  # type: ignore[union-attr]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["take", "release"]), st.integers(0, 2)), max_size=25))
def test_two_processes_at_most_one_holder_whatever_the_order(tmp_path_factory: pytest.TempPathFactory,
                                                              steps: list[tuple[str, int]]) -> None:
    database = tmp_path_factory.mktemp("ws") / "workspace.sqlite3"
    handles: dict[int, workspace_lock.WorkspaceLock] = {}
    try:
        for op, who in steps:
            holder = next((k for k, v in handles.items() if v.held), None)
            if op == "take":
                got = workspace_lock.try_acquire(database)
                assert (got is not None) == (holder is None)
                if got is not None:
                    handles[who] = got
            elif who in handles:
                handles[who].release()
            holder = next((k for k, v in handles.items() if v.held), None)
            here = workspace_lock.held_here(database)
            assert (here is None) == (holder is None)
            assert here is None or here is handles[holder]  # type: ignore[index]
    finally:
        for handle in handles.values():
            handle.release()
