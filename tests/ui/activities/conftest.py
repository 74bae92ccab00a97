"""Calls and meetings through the real widgets: the client view's actions open the generic editor in
its window, the real push loop sends to the demo org over HTTP (``tests/ui/live``'s signed-in parts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from pytestqt.qtbot import QtBot

from app.store import contacts
from app.ui import aio
from app.ui.editor.activity_editor import ActivityEditor
from app.ui.editor.window import EditorLauncher
from app.ui.workspace.detail import ContactDetail
from tests.support.qt_loop import qasync_loop_factories as pytest_asyncio_loop_factories
from tests.support.qt_loop import until
from tests.ui.live.conftest import LiveApp, live_app

__all__ = ["ClientView", "client_view", "pytest_asyncio_loop_factories"]


@dataclass
class ClientView:
    app: LiveApp
    detail: ContactDetail
    launcher: EditorLauncher
    contact_sf_id: str

    async def open(self, kind: str, qtbot: QtBot) -> ActivityEditor:
        """Click the client view's action for ``kind`` and wait for its editor window."""
        before = len(self.launcher.windows)
        qtbot.mouseClick(self.detail.activity_buttons[kind], _left())
        await until(lambda: len(self.launcher.windows) > before, f"the {kind} editor opened")
        window = self.launcher.windows[-1]
        qtbot.addWidget(window)
        assert isinstance(window.editor, ActivityEditor)
        return window.editor

    def live(self, sobject: str) -> list[dict[str, Any]]:
        return [r for r in self.app.org.records(sobject) if not r.get("IsDeleted")]


def _left() -> Any:
    from PySide6.QtCore import Qt
    return Qt.MouseButton.LeftButton


@asynccontextmanager
async def client_view(tmp_path: Path, qtbot: QtBot, **org_options: Any) -> AsyncIterator[ClientView]:
    """``org_options``: the demo org's settings (``shared_activities=True`` …)."""
    async with live_app(tmp_path, **org_options) as app:
        cid = app.connection_id
        people = await app.db.run(lambda s: contacts.page(s, cid, 0, 20))
        contact = next(p for p in people if p.source_object == "Contact")
        detail = ContactDetail(app.db, events=app.events)
        detail.set_connection(cid, app.org.base_url)
        assert await detail.show_contact(contact.id) is not None
        launcher = EditorLauncher(app.db, cid, events=app.events, client=app.manager.client)  # as the shell
        detail.new_activity_requested.connect(aio.slot(launcher.open_activity_editor))
        detail.open_activity_requested.connect(aio.slot(launcher.open_activity))
        try:
            yield ClientView(app, detail, launcher, contact.sf_id)
        finally:
            await launcher.close_all()
            for window in list(launcher.windows):
                window.close()
            # The client view follows the bus until it is gone: gone (and its last read done) before the
            # workspace closes, as the shell does on detach.
            refreshing = detail._refreshing
            shiboken6.delete(detail)
            if refreshing is not None:
                await refreshing
