"""The composed app with a saved connection: pages attach, the first pull fills the workspace, the
badge says Connected, Ctrl+K finds a client, and quitting closes everything cleanly."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import paths
from app.store import Database
from app.store import contacts as contact_rows
from app.sync.connection import ConnectionManager
from app.ui import aio
from app.ui.gui import gui_main
from app.ui.main_window import MainWindow
from app.ui.outbox import OutboxPage
from app.ui.settings import SettingsPage
from app.ui.single_instance import SingleInstance
from app.ui.workspace import WorkspacePage
from tests.integration.salesforce.sf_org import make_org, signed_in
from tests.support.qt_loop import new_qt_loop


async def _save_connection(db_path: Path, org: object) -> int:
    db = await Database.open(db_path)
    manager = ConnectionManager(db)
    result = await signed_in(org)  # type: ignore[arg-type]
    saved = await manager.save_sign_in(result, login_url=result.login_url,
                                       consumer_key=org.consumer_key, consumer_secret=None)  # type: ignore[attr-defined]
    await manager.aclose()
    await db.close()
    return saved.connection_id


def test_saved_connection_syncs_and_is_searchable(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> None:
    paths.set_data_dir(tmp_path / "home")
    app_paths = paths.paths().ensure()
    with make_org(contacts=40) as org:
        connection_id = asyncio.run(_save_connection(app_paths.database, org))
        instance = SingleInstance(app_paths.data)
        assert instance.acquire()
        seen: dict[str, object] = {}

        def window() -> MainWindow | None:
            return next((w for w in QApplication.topLevelWidgets()
                         if isinstance(w, MainWindow) and w.isVisible()), None)

        def probe(attempt: int = 0) -> None:
            main = window()
            page = main.page("workspace") if main else None
            synced = isinstance(page, WorkspacePage) and page.model.rowCount() > 0
            if main is None or not synced or main.connection_badge.text() != "Connected":
                if attempt < 600:
                    QTimer.singleShot(50, lambda: probe(attempt + 1))
                else:
                    seen["timeout"] = True
                    if main is not None:
                        main.close()
                return
            assert isinstance(page, WorkspacePage)
            seen["rows"] = page.model.rowCount()
            seen["outbox"] = isinstance(main.page("outbox"), OutboxPage)
            seen["settings"] = isinstance(main.page("settings"), SettingsPage)
            main.sidebar.setFocus()
            qtbot.keyClick(main.sidebar, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
            seen["search_focused"] = main.current_section() == "workspace" and page.search.hasFocus()
            main.close()

        loop = new_qt_loop()  # the suite's one qasync loop, freed safely on close
        try:
            QTimer.singleShot(50, probe)
            result = loop.run_until_complete(gui_main(qapp, instance, None, app_paths=app_paths))
            loop.run_until_complete(aio.cancel_all())
        finally:
            loop.close()
            instance.release()
            paths.set_data_dir(None)

    assert result == 0
    assert "timeout" not in seen, seen
    assert seen["outbox"] and seen["settings"]
    assert seen["search_focused"]

    async def count() -> int:
        db = await Database.open(app_paths.database)
        try:
            return await db.run(lambda s: contact_rows.count(s, connection_id))
        finally:
            await db.close()

    assert asyncio.run(count()) >= 40
