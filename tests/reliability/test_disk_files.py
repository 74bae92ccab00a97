"""Disk and file faults while the advisor types: a full disk (a small tmpfs of our own, really full), a
read-only data folder (the same tmpfs remounted read-only), a workspace on a path with spaces and
non-ASCII letters, and a workspace locked by another program (another process holding SQLite's lock).

In each case: the note editor says the cause and the fix in plain words, what is typed during the
fault stays in the editor, the autosave's own retry saves it once the fault clears (nobody clicks),
and nothing saved before the fault is lost.  (Closing over unsaved text is tests/ui/editor/
test_close_unsaved.py; the open-time messages are test_workspace_open_problems.py.)
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtTest import QTest
from sqlmodel import Session

from app.store import Database, OpenProblem, WorkspaceOpenError, pragmas
from app.store import notes as notes_repo
from app.store.write_failure import WriteProblem
from app.ui import aio
from app.ui.editor.window import EditorLauncher, EditorWindow
from tests.reliability.fault_helpers import tmpfs
from tests.support.qt_loop import new_qt_loop, until
from tests.ui.editor.conftest import seed_workspace

BEFORE = "Already saved: Maria wants the 529 plan reviewed. "
DURING = "Typed while it could not be saved: move 40% into bonds. "
PASTED = "Portfolio review, quarter by quarter. " * 700  # ~26 KB (a note holds 32 KB): many new pages
OTHER_NOTE = "An older note nobody touches."
TECHNICAL = ("sqlalche", "sqlite", "operationalerror", "errno", "[sql", "ioerr", "background on this error")


def _run(scenario: Callable[[], Awaitable[None]]) -> None:
    """On the suite's qasync loop, as the app runs (Qt timers drive the autosave)."""
    loop = new_qt_loop()
    try:
        loop.run_until_complete(asyncio.wait_for(scenario(), 150))
        loop.run_until_complete(aio.cancel_all())
    finally:
        loop.close()


class Typing:
    """A workspace with one older note, and the note editor open on a new note for Maria."""

    def __init__(self, db: Database, launcher: EditorLauncher, window: EditorWindow, other_id: int) -> None:
        self.db, self.launcher, self.window, self.other_id = db, launcher, window, other_id
        self.editor = window.editor

    @classmethod
    async def open(cls, path: Path) -> Typing:
        db = await Database.open(path)
        connection_id, contact_id, _lead = await db.run(seed_workspace)
        other = await db.run(lambda s: notes_repo.create(s, connection_id, contact_id=contact_id,
                                                         title="Older", body_markdown=OTHER_NOTE))
        launcher = EditorLauncher(db, connection_id)
        window = await launcher.open_note_editor(contact_id)
        return cls(db, launcher, window, other.id)

    async def type(self, text: str) -> None:
        self.editor.body.setFocus()
        self.editor.body.moveCursor(self.editor.body.textCursor().MoveOperation.End)
        QTest.keyClicks(self.editor.body, text)
        await asyncio.sleep(0)

    async def saved(self) -> None:
        await until(lambda: not self.editor.autosave.dirty, "saved", timeout=40)

    async def stored(self, note_id: int | None = None) -> str:
        found = await self.db.run(lambda s: notes_repo.get(s, note_id or self.editor.note.id))
        assert found is not None
        return " ".join(found.body_markdown.split())

    def shown(self) -> str:
        return " ".join([self.editor.problems.message, self.editor.problems.fix])

    async def fails_with(self, problem: WriteProblem) -> None:
        await until(lambda: self.editor.autosave.last_failure is not None, "the save failed", timeout=30)
        failure = self.editor.autosave.last_failure
        assert failure is not None and failure.problem is problem, failure
        assert self.editor.autosave.dirty  # not on disk, and the editor knows it
        assert DURING.strip() in " ".join(self.editor.body.toPlainText().split())  # still in memory
        shown = self.shown()
        assert "What you typed is still here." in shown and "keeps trying by itself" in shown, shown
        assert not any(word in shown.lower() for word in TECHNICAL), shown

    async def recovered(self, *, pasted: bool = False) -> None:
        """The autosave's own retry saved everything, and nothing saved before is gone."""
        await self.saved()
        body = await self.stored()
        assert body.startswith(BEFORE.strip()) and DURING.strip() in body, body[:300]
        if pasted:
            assert body.count("Portfolio review, quarter by quarter.") == 700
        assert await self.stored(self.other_id) == OTHER_NOTE
        assert self.editor.autosave.last_failure is None and not self.editor.problems.message
        assert "saved" in self.editor.state_label.text()

    async def close(self) -> None:
        self.window.close()
        await until(lambda: self.window not in self.launcher.windows, "the editor closed")
        await self.db.close()


def _free_bytes(folder: Path) -> int:
    st = os.statvfs(folder)
    return st.f_bavail * st.f_frsize


@contextmanager
def _filled(folder: Path) -> Iterator[Path]:
    """Fill the filesystem to the last byte (a real ENOSPC for the next page SQLite asks for)."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1):
            block = b"\0" * size
            try:
                while True:
                    os.write(fd, block)
            except OSError:
                pass
    finally:
        os.close(fd)
    try:
        yield filler
    finally:
        filler.unlink(missing_ok=True)


def _wal_checkpoint(path: Path) -> None:
    """Fold the WAL into the database and truncate it, so the next save must grow the WAL again."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_disk_full_typing_is_kept_and_saved_once_there_is_room(qapp: Any, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small disk", "6m") as disk:
        async def scenario() -> None:
            typing = await Typing.open(disk / "workspace.sqlite3")
            try:
                await typing.type(BEFORE)
                await typing.saved()
                _wal_checkpoint(typing.db.path)
                with _filled(disk):
                    assert _free_bytes(disk) == 0
                    await typing.type(DURING)
                    typing.editor.body.insertPlainText(PASTED)  # a paste
                    await typing.fails_with(WriteProblem.DISK_FULL)
                    shown = typing.shown()
                    assert "The disk is full." in shown and "Free up some space" in shown, shown
                    await asyncio.sleep(1.5)  # a retry while still full: still kept, still saying so
                    assert typing.editor.autosave.dirty and typing.editor.autosave.last_failure is not None
                assert await typing.stored() == BEFORE.strip()  # the saved text survived the full disk
                await typing.recovered(pasted=True)
            finally:
                await typing.close()

        _run(scenario)


def _remount(where: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(where)], check=True, capture_output=True)


class ReadOnlyAnswers:
    """``PRAGMA query_only`` on the app's own connection: SQLite then refuses every write with
    SQLITE_READONLY, as for a file it cannot write.  Turned off again on the database thread (the
    connection belongs to it) without a transaction, which query_only itself would refuse."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.raw: sqlite3.Connection | None = None

    async def on(self) -> None:
        def run(session: Session) -> None:
            self.raw = session.connection().connection.driver_connection
            assert self.raw is not None
            self.raw.execute("PRAGMA query_only = ON")

        await self.db.run(run)

    async def off(self) -> None:
        raw = self.raw
        assert raw is not None
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.db._executor, lambda: raw.execute("PRAGMA query_only = OFF"))


def test_read_only_data_folder_typing_is_kept_and_saved_once_writable(qapp: Any, tmp_path: Path) -> None:
    """The data folder's drive turns read-only (a write-protect switch, a share gone read-only), on a
    path with spaces and non-ASCII letters.  Under the running app the drive cannot be remounted
    read-only (the kernel refuses while SQLite has the file open for writing: EBUSY), so there SQLite
    is made to answer what it answers for a read-only file (SQLITE_READONLY, through
    ``PRAGMA query_only``); after the app closes, the drive really is remounted read-only."""
    with tmpfs(tmp_path / "Clé USB", "16m") as drive:
        folder = drive / "Données du conseiller ✓"
        folder.mkdir()
        path = folder / "workspace.sqlite3"

        async def scenario() -> None:
            typing = await Typing.open(path)
            try:
                await typing.type(BEFORE)
                await typing.saved()
                read_only = ReadOnlyAnswers(typing.db)
                await read_only.on()
                try:
                    await typing.type(DURING)
                    await typing.fails_with(WriteProblem.READ_ONLY)
                    shown = typing.shown()
                    assert "data folder is read-only" in shown and "Check the folder's permissions" in shown, shown
                finally:
                    await read_only.off()
                await typing.recovered()
                note_id = typing.editor.note.id
            finally:
                await typing.close()
            _remount(drive, "ro")  # now for real: the next start finds the drive read-only
            try:
                with pytest.raises(WorkspaceOpenError) as caught:
                    await Database.open(path)
            finally:
                _remount(drive, "rw")
            error = caught.value
            assert error.problem is OpenProblem.READ_ONLY and "read-only" in error.what, error
            assert "Données du conseiller ✓" in str(error) and "--data-dir" in error.fix, error
            db = await Database.open(path)  # writable again: everything typed is there
            try:
                note = await db.run(lambda s: notes_repo.get(s, note_id))
                assert note is not None and DURING.strip() in " ".join(note.body_markdown.split())
            finally:
                await db.close()

        _run(scenario)


def test_path_with_spaces_and_unicode_typing_saves_and_reopens(qapp: Any, tmp_path: Path) -> None:
    folder = tmp_path / "Mes Données" / "Zoë & Jürgen's clients 名前 (2026) %20"
    folder.mkdir(parents=True)
    path = folder / "workspace.sqlite3"

    async def scenario() -> None:
        typing = await Typing.open(path)
        await typing.type(BEFORE)
        await typing.saved()
        await typing.type(DURING)
        await typing.recovered()
        note_id = typing.editor.note.id
        await typing.close()
        db = await Database.open(path)  # and again after a restart, by its odd path
        try:
            note = await db.run(lambda s: notes_repo.get(s, note_id))
            assert note is not None and DURING.strip() in " ".join(note.body_markdown.split())
        finally:
            await db.close()

    _run(scenario)
    assert {p.name for p in folder.iterdir()} >= {"workspace.sqlite3"}


_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
conn.execute("ROLLBACK")
"""


def test_locked_by_another_program_typing_is_kept_and_saved_once_free(
        qapp: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program (a backup or sync tool: here a separate process) holds SQLite's lock."""
    monkeypatch.setattr(pragmas, "BUSY_TIMEOUT_MS", 200)  # the product waits 5 s for a lock; the test less
    path = tmp_path / "workspace.sqlite3"

    async def scenario() -> None:
        typing = await Typing.open(path)
        try:
            await typing.type(BEFORE)
            await typing.saved()
            other = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
            try:
                assert other.stdout is not None and other.stdin is not None
                assert await asyncio.to_thread(other.stdout.readline) == "locked\n"
                await typing.type(DURING)
                await typing.fails_with(WriteProblem.LOCKED)
                shown = typing.shown()
                assert "locked by another program" in shown and "Close the other program" in shown, shown
            finally:
                if other.stdin is not None:
                    other.stdin.close()
                await asyncio.to_thread(other.wait, 30)
            await typing.recovered()
        finally:
            await typing.close()

    _run(scenario)
