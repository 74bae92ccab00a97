"""A damaged workspace file never stops Notebridge in silence: the damaged file is kept aside, every
draft and unsent outbox item that can be read is salvaged into a fresh workspace, the advisor is told
how many drafts were saved, and sync runs again (each queued note reaches Salesforce exactly once).
``notebridge doctor`` reports the damage without touching the file; ``doctor --repair`` salvages."""

from __future__ import annotations

import asyncio
import io
import random
from pathlib import Path
from typing import Any

from app import paths
from app.store import Database, notes, outbox, prospects, tasks
from app.store import contacts as contact_rows
from app.store.kinds import ItemKind
from app.store.recovery import open_salvaging
from tests.integration.salesforce.sf_org import make_org
from tests.ui.test_app_connected import _save_connection
from tests.unit.store.test_store_contacts import person

QUEUED, DRAFTS_ONLY = 4, 2


async def _fill(db_path: Path, org_contacts: list[dict[str, Any]], connection_id: int) -> None:
    """Real contacts from the org plus enough local ones to span many pages, queued notes, drafts, a
    task and a new person — then the file is closed, as the app would leave it."""
    db = await Database.open(db_path)
    try:
        rows = [person(c["Id"], c.get("FirstName"), c.get("LastName"), email=f"real{n}@example.com")
                for n, c in enumerate(org_contacts)]
        rows += [person(f"003{n:012d}ZZZ", f"First{n}", f"Filler{n}", email=f"p{n}@example.com",
                        mailing_city="Boston") for n in range(3000)]
        await db.run(lambda s: contact_rows.upsert_many(s, connection_id, rows))

        def drafts(session: Any) -> None:
            for n in range(QUEUED + DRAFTS_ONLY):
                note = notes.create(session, connection_id, parent_sf_id=org_contacts[n]["Id"],
                                    title=f"Salvage me {n}", body_markdown=f"Review meeting {n}")
                if n < QUEUED:
                    outbox.enqueue(session, ItemKind.NOTE, note.id)
            tasks.create(session, connection_id, subject="Call back about the salvage")

        await db.run(drafts)
        await db.run(lambda s: prospects.create(s, connection_id, prospects.NewPerson(
            first_name="Nora", last_name="New", email="nora.new@example.net", account_name="New Household"), "Contact"))
    finally:
        await db.close()


def _scribble_a_contact_page(path: Path) -> None:
    """Overwrite one leaf page of the contact table in the middle of the file (the drafts' pages stay)."""
    data = path.read_bytes()
    size = int.from_bytes(data[16:18], "big")
    pages = len(data) // size
    for number in sorted(range(2, pages + 1), key=lambda n: abs(n - pages // 2)):
        page = data[(number - 1) * size: number * size]
        if page[0] == 0x0D and b"Filler" in page and b"@example.com" in page and b"Salvage me" not in page:
            with path.open("r+b") as f:
                f.seek((number - 1) * size)
                f.write(random.Random(11).randbytes(size))
            return
    raise AssertionError("no contact leaf page found")


def test_damaged_workspace_is_salvaged_told_and_synced_again(qapp: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.ui import aio
    from app.ui.gui import gui_main
    from app.ui.main_window import MainWindow
    from app.ui.single_instance import SingleInstance
    from app.ui.workspace import WorkspacePage
    from tests.support.qt_loop import new_qt_loop

    paths.set_data_dir(tmp_path / "home")
    app_paths = paths.paths().ensure()
    with make_org(contacts=20) as org:
        connection_id = asyncio.run(_save_connection(app_paths.database, org))
        asyncio.run(_fill(app_paths.database, org.records("Contact"), connection_id))
        _scribble_a_contact_page(app_paths.database)
        damaged = app_paths.database.read_bytes()
        instance = SingleInstance(app_paths.data)
        assert instance.acquire()
        seen: dict[str, Any] = {}

        def pushed() -> list[str]:
            return [n["Title"] for n in org.records("ContentNote") if str(n.get("Title", "")).startswith("Salvage")]

        def probe(attempt: int = 0) -> None:
            main = next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()),
                        None)
            box = main.findChild(QMessageBox, "workspaceSalvaged") if main else None
            if box is not None and box.isVisible() and "text" not in seen:
                seen["text"], seen["fix"] = box.text(), box.informativeText()
                box.button(QMessageBox.StandardButton.Ok).click()
            page = main.page("workspace") if main else None
            synced = isinstance(page, WorkspacePage) and page.model.rowCount() > 0
            done = (main is not None and "text" in seen and synced and main.connection_badge.text() == "Connected"
                    and len(pushed()) >= QUEUED)
            if not done:
                if attempt < 1200:
                    QTimer.singleShot(50, lambda: probe(attempt + 1))
                else:
                    seen["timeout"] = True
                    if main is not None:
                        main.close()
                return
            main.close()

        loop = new_qt_loop()
        try:
            QTimer.singleShot(50, probe)
            result = loop.run_until_complete(asyncio.wait_for(gui_main(qapp, instance, None, app_paths=app_paths), 120))
            loop.run_until_complete(aio.cancel_all())
        finally:
            loop.close()
            instance.release()
            paths.set_data_dir(None)
        titles = pushed()
    assert result == 0 and "timeout" not in seen, seen
    assert "damaged" in seen["text"]
    drafts = QUEUED + DRAFTS_ONLY + 1
    assert f"saved {drafts} drafts and 1 new person" in seen["fix"], seen["fix"]
    kept = [k for k in app_paths.data.glob("workspace.sqlite3.damaged-*") if not k.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged, "the damaged file is kept aside byte for byte"
    assert str(kept[0]) in seen["fix"]
    assert sorted(titles) == [f"Salvage me {n}" for n in range(QUEUED)], "each queued note sent exactly once"

    async def fresh() -> tuple[list[str], int]:
        db = await Database.open(app_paths.database)
        try:
            return (await db.read(lambda c: [r[0] for r in c.execute("SELECT title FROM note ORDER BY title")]),
                    await db.read(lambda c: c.execute("SELECT count(*) FROM task").fetchone()[0]))
        finally:
            await db.close()

    note_titles, task_count = asyncio.run(fresh())
    assert note_titles == [f"Salvage me {n}" for n in range(QUEUED + DRAFTS_ONLY)] and task_count == 1


def test_damaged_workspace_doctor_reports_then_repair_salvages(tmp_path: Path) -> None:
    from app.doctor import doctor, repair

    paths.set_data_dir(tmp_path / "home")
    try:
        app_paths = paths.paths().ensure()
        with make_org(contacts=10) as org:
            connection_id = asyncio.run(_save_connection(app_paths.database, org))
            asyncio.run(_fill(app_paths.database, org.records("Contact"), connection_id))
        _scribble_a_contact_page(app_paths.database)
        damaged = app_paths.database.read_bytes()

        out = io.StringIO()
        assert doctor(app_paths, out) == 1
        assert "damaged" in out.getvalue() and "notebridge doctor --repair" in out.getvalue()
        assert app_paths.database.read_bytes() == damaged, "doctor only looks; --repair changes things"

        out = io.StringIO()
        assert repair(app_paths, out) == 0
        text = out.getvalue()
        assert f"saved {QUEUED + DRAFTS_ONLY + 1} drafts and 1 new person" in text, text
        assert [k for k in app_paths.data.glob("workspace.sqlite3.damaged-*") if k.read_bytes() == damaged]

        out = io.StringIO()
        assert repair(app_paths, out) == 0 and "not damaged" in out.getvalue()
    finally:
        paths.set_data_dir(None)


async def test_damaged_workspace_with_nothing_readable_opens_fresh_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "workspace.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + random.Random(3).randbytes(40_000))
    db, report = await open_salvaging(path)
    try:
        assert report is not None and report.rows == 0 and report.drafts == 0
        assert report.kept_at.exists() and report.kept_at.name.startswith("workspace.sqlite3.damaged-")
    finally:
        await db.close()
