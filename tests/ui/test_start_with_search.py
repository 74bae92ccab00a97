"""`notebridge --search TEXT`: the workspace opens on what TEXT finds, and says so (with a count,
never the text) in the log — the line `benchmarks/startup.py` times the warm start of a big
workspace by."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app import paths
from app.store import Database
from app.store import contacts as contact_rows
from app.ui import aio
from app.ui.gui import gui_main
from app.ui.main_window import MainWindow
from app.ui.single_instance import SingleInstance
from app.ui.workspace import WorkspacePage
from tests.integration.salesforce.sf_org import make_org
from tests.support.qt_loop import new_qt_loop
from tests.ui.test_app_connected import _save_connection

NAME = "Quillfeather"


async def _seed(db_path: Path, connection_id: int) -> None:
    db = await Database.open(db_path)
    try:
        rows = [{"sf_id": f"003LOCAL{i:010d}", "first_name": first, "last_name": last, "name": f"{first} {last}"}
                for i, (first, last) in enumerate([("Ada", NAME), ("Bo", NAME), ("Cy", "Elsewhere")])]
        await db.run(lambda s: contact_rows.upsert_many(s, connection_id, rows))
    finally:
        await db.close()


def test_installer_startup_search_opens_on_what_it_finds(
    qapp: QApplication, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    paths.set_data_dir(tmp_path / "home")
    app_paths = paths.paths().ensure()
    caplog.set_level(logging.INFO, logger="app.ui.shell")
    with make_org(contacts=5) as org:
        connection_id = asyncio.run(_save_connection(app_paths.database, org))
        asyncio.run(_seed(app_paths.database, connection_id))
        instance = SingleInstance(app_paths.data)
        assert instance.acquire()
        seen: dict[str, object] = {}

        def probe(attempt: int = 0) -> None:
            main = next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()),
                        None)
            page = main.page("workspace") if main else None
            answered = any("start-up search answered" in r.getMessage() for r in caplog.records)
            # Closed once the first connection check is done too (as test_app_connected does), not in its middle.
            connected = main is not None and main.connection_badge.text() == "Connected"
            if main is None or not isinstance(page, WorkspacePage) or not answered or not connected:
                if attempt < 600:
                    QTimer.singleShot(50, lambda: probe(attempt + 1))
                else:
                    seen["timeout"] = True
                    if main is not None:
                        main.close()
                return
            seen["text"] = page.search.text()
            seen["names"] = sorted(page.model.index(r).data() for r in range(page.model.rowCount()))
            main.close()

        loop = new_qt_loop()
        try:
            QTimer.singleShot(50, probe)
            result = loop.run_until_complete(
                gui_main(qapp, instance, None, app_paths=app_paths, search=f"  {NAME} "))
            loop.run_until_complete(aio.cancel_all())
        finally:
            loop.close()
            instance.release()
            paths.set_data_dir(None)

    assert result == 0
    assert "timeout" not in seen, seen
    assert seen["text"] == NAME
    names = seen["names"]
    assert isinstance(names, list) and len(names) == 2 and all(NAME in str(name) for name in names), names
    lines = [r.getMessage() for r in caplog.records if "start-up search answered" in r.getMessage()]
    assert lines == ["start-up search answered: 2 clients"]
    assert not [r for r in caplog.records if NAME in r.getMessage()]  # a client's name never reaches the log
