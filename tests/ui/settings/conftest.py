"""Settings page tests: Qt and asyncio on one qasync loop, a real demo org, a real workspace file.

As in tests/ui/wizard, every ``async def`` test runs on a qasync ``QEventLoop`` so the page's timers,
signals and coroutines run while a test awaits.  ``env`` signs in to a fresh demo org through its real
OAuth flow (``ConnectionManager`` + keyring backend from tests/conftest.py), pulls its clients with
the real pull engine, and shows a ``SettingsPage`` on that workspace.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication

from app.demo_org import DemoOrg
from app.store import Database
from app.sync.connection import ConnectionManager, OrgConnection
from app.ui import aio
from app.ui.settings import SettingsPage
from app.ui.settings.confirm import ConfirmDialog
from tests.integration.settings.settings_env import connect, make_org, pull
from tests.support.qt_loop import until


@dataclass
class Env:
    org: DemoOrg
    db: Database
    manager: ConnectionManager
    connection: OrgConnection
    page: SettingsPage
    exports: Path
    calls: dict[str, Any] = field(default_factory=dict)

    @property
    def cid(self) -> int:
        return self.connection.connection_id

    @property
    def opened_items(self) -> list[tuple[str, int]]:
        return self.calls.setdefault("items", [])

    @property
    def opened_urls(self) -> list[str]:
        return self.calls.setdefault("urls", [])

    @property
    def before_forget_calls(self) -> int:
        return int(self.calls.get("before_forget", 0))


async def confirm_dialog(page: SettingsPage, name: str, *, accept: bool = True) -> ConfirmDialog:
    """Wait for the confirmation the page opened, then press its action (or Cancel)."""
    found: list[ConfirmDialog] = []

    def visible() -> bool:
        found[:] = [d for d in page.findChildren(ConfirmDialog) if d.objectName() == name and d.isVisible()]
        return bool(found)

    await until(visible, f"the {name} opens")
    dialog = found[0]
    (dialog.action_button if accept else dialog.cancel_button).click()
    await until(lambda: not dialog.isVisible(), f"the {name} closes")
    return dialog


async def make_page(db: Database, manager: ConnectionManager, env_holder: dict[str, Any], exports: Path,
                    qtbot: Any) -> SettingsPage:
    async def before_forget() -> None:
        env_holder["before_forget"] = env_holder.get("before_forget", 0) + 1

    page = SettingsPage(
        db, manager, open_item=lambda kind, item: env_holder.setdefault("items", []).append((kind, item)),
        open_url=lambda url: env_holder.setdefault("urls", []).append(url), before_forget=before_forget,
        exports_dir=exports)
    qtbot.addWidget(page)
    page.resize(1100, 760)
    page.show()
    await page.start()
    return page


@pytest.fixture
async def env(qtbot: Any, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Env]:
    options = getattr(request, "param", {}) or {}
    with make_org(contacts=12, seed=8, **options) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, connection = await connect(org, db)
        await pull(manager, db)
        holder: dict[str, Any] = {}
        page = await make_page(db, manager, holder, tmp_path / "exports", qtbot)
        made = Env(org, db, manager, connection, page, tmp_path / "exports", holder)
        try:
            yield made
        finally:
            if shiboken6.isValid(page):
                await page.aclose()
            await aio.cancel_all()
            await manager.aclose()
            await db.close()
            QApplication.processEvents()
            await asyncio.sleep(0)
