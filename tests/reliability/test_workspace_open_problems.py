"""Why the workspace would not open, told apart: a read-only folder, a full disk, a file another
program holds, and a damaged file (found at start-up by quick_check, kept aside, never deleted) —
each on a real workspace file and a real fault, and what the advisor sees in the window."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.store import Database, OpenProblem, WorkspaceOpenError, contacts
from tests.reliability.fault_helpers import tmpfs
from tests.unit.store.store_helpers import add_connection
from tests.unit.store.test_store_contacts import person

# ------------------------------------------------------------------- workspace open problems


async def _new_workspace(path: Path, people: int = 0) -> None:
    db = await Database.open(path)
    try:
        if people:
            cid = await add_connection(db)
            rows = [person(f"003{n:012d}AAA", f"First{n}", f"Last{n}", email=f"p{n}@example.com",
                           phone=f"(555) {n % 1000:03d}-{n % 10000:04d}", mailing_city="Boston")
                    for n in range(people)]
            await db.run(lambda s: contacts.upsert_many(s, cid, rows))
    finally:
        await db.close()


def _assert_no_move_aside_advice(error: WorkspaceOpenError, path: Path) -> None:
    assert "aside" not in str(error) and "damaged" not in str(error)
    assert path.exists() and not list(path.parent.glob("*.damaged-*")), "a healthy file is never moved"


async def test_workspace_read_only_folder_says_read_only_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "data" / "workspace.db"
    if os.geteuid() != 0:
        await _new_workspace(path)
        path.parent.chmod(0o500)
        try:
            with pytest.raises(WorkspaceOpenError) as caught:
                await Database.open(path)
        finally:
            path.parent.chmod(0o700)
    else:  # root writes through chmod: a read-only filesystem is the fault root cannot write through
        with tmpfs(tmp_path / "mnt", "8m") as mnt:
            path = mnt / "workspace.db"
            await _new_workspace(path)
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            with pytest.raises(WorkspaceOpenError) as caught:
                await Database.open(path)
            _assert_no_move_aside_advice(caught.value, path)
    assert caught.value.problem is OpenProblem.READ_ONLY
    assert "read-only" in caught.value.what and "--data-dir" in caught.value.fix


async def test_workspace_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "mnt", "4m") as mnt:
        path = mnt / "workspace.db"
        await _new_workspace(path)
        with contextlib.suppress(OSError), (mnt / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        with pytest.raises(WorkspaceOpenError) as caught:
            await Database.open(path)
        _assert_no_move_aside_advice(caught.value, path)
    assert caught.value.problem is OpenProblem.DISK_FULL
    assert "disk" in caught.value.what and "full" in caught.value.what and "Free some space" in caught.value.fix


async def test_workspace_held_by_another_program_says_locked(tmp_path: Path) -> None:
    path = tmp_path / "workspace.db"
    await _new_workspace(path)
    holder = sqlite3.connect(path)  # like a database viewer that took the file for itself
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("COMMIT")
        with pytest.raises(WorkspaceOpenError) as caught:
            await Database.open(path)
        _assert_no_move_aside_advice(caught.value, path)
    finally:
        holder.close()
    assert caught.value.problem is OpenProblem.LOCKED
    assert "Another program" in caught.value.what and "Close the other program" in caught.value.fix
    db = await Database.open(path)  # once the other program lets go, it opens as it was
    await db.close()


async def test_workspace_four_problems_get_four_different_messages(tmp_path: Path) -> None:
    from app.store.open_checks import explain

    messages = {problem: explain(problem, tmp_path / "w.db", "detail", tmp_path / "kept")
                for problem in OpenProblem}
    assert len({str(m) for m in messages.values()}) == len(OpenProblem)
    assert all(m.problem is p for p, m in messages.items())
    assert [p for p, m in messages.items() if "aside" in str(m)] == [OpenProblem.DAMAGED]


def _btree_page_in_the_middle(path: Path) -> int:
    """A b-tree page (not a free page, whose content nobody reads) near the middle of the file."""
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size
    for number in sorted(range(2, pages + 1), key=lambda n: abs(n - pages // 2)):
        if data[(number - 1) * page_size] in (0x02, 0x05, 0x0A, 0x0D):
            return number
    raise AssertionError("no b-tree page found")


async def test_workspace_scribbled_middle_page_is_found_at_open_and_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "workspace.db"
    await _new_workspace(path, people=3000)
    page_size = int.from_bytes(path.read_bytes()[16:18], "big")
    number = _btree_page_in_the_middle(path)
    assert number > 10 and number < path.stat().st_size // page_size - 10, "really a middle page"
    with path.open("r+b") as f:
        f.seek((number - 1) * page_size)
        f.write(random.Random(7).randbytes(page_size))
    scribbled = path.read_bytes()

    with pytest.raises(WorkspaceOpenError) as caught:
        await Database.open(path)
    error = caught.value
    assert error.problem is OpenProblem.DAMAGED
    assert "damaged" in error.what and error.kept_at is not None and str(error.kept_at) in error.fix
    assert error.kept_at.read_bytes() == scribbled, "the damaged file is kept byte for byte, never deleted"
    assert not path.exists()

    db = await Database.open(path)  # next start: a new, empty workspace
    try:
        assert await db.read(lambda c: c.execute("SELECT count(*) FROM contact").fetchone()[0]) == 0
    finally:
        await db.close()
    assert error.kept_at.exists()


async def test_workspace_sound_file_passes_the_start_up_check_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "workspace.db"
    await _new_workspace(path, people=500)
    db = await Database.open(path)
    try:
        assert await db.read(lambda c: c.execute("SELECT count(*) FROM contact").fetchone()[0]) == 500
    finally:
        await db.close()
    assert not list(tmp_path.glob("*.damaged-*"))



def test_workspace_damaged_at_start_up_the_advisor_is_told_in_a_window(qapp: Any, tmp_path: Path) -> None:
    """Nothing readable in the file: the window still opens, on a fresh workspace, and says so (item 23:
    never a silent stop); the damaged file is kept aside."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app import paths
    from app.ui import aio
    from app.ui.gui import gui_main
    from app.ui.main_window import MainWindow
    from app.ui.single_instance import SingleInstance
    from tests.support.qt_loop import new_qt_loop

    paths.set_data_dir(tmp_path / "home")
    app_paths = paths.paths().ensure()
    app_paths.database.write_bytes(b"SQLite format 3\x00" + random.Random(3).randbytes(40_000))
    instance = SingleInstance(app_paths.data)
    assert instance.acquire()
    seen: dict[str, object] = {}

    def answer_the_message(attempt: int = 0) -> None:
        main = next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)
        box = main.findChild(QMessageBox, "workspaceSalvaged") if main is not None else None
        if main is None or box is None or not box.isVisible():
            if attempt < 1200:
                QTimer.singleShot(20, lambda: answer_the_message(attempt + 1))
            elif main is not None:
                main.close()
            return
        seen["text"], seen["fix"] = box.text(), box.informativeText()
        box.button(QMessageBox.StandardButton.Ok).click()
        main.close()

    loop = new_qt_loop()  # the suite's one qasync loop, freed safely on close
    try:
        QTimer.singleShot(20, answer_the_message)
        result = loop.run_until_complete(asyncio.wait_for(gui_main(qapp, instance, None, app_paths=app_paths), 60))
        loop.run_until_complete(aio.cancel_all())
    finally:
        loop.close()
        instance.release()
        paths.set_data_dir(None)
    assert result == 0
    assert "damaged" in str(seen["text"]) and "Nothing could be read" in str(seen["fix"])
    kept = [k for k in app_paths.data.glob("workspace.sqlite3.damaged-*") if not k.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and str(kept[0]) in str(seen["fix"]), "kept aside, not deleted, and the advisor is told where"
