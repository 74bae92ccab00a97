"""End to end: the wizard's sign-in done in a real browser (headless Chromium) against the demo org.

The wizard runs as in the app (qasync loop, real workspace, real keyring backend, real loopback
listener); the only difference is that "open the system browser" navigates a headless Chromium.
The browser is the suite's one Chromium driver (tests/support/chromium.py): it types the demo user's
name and password and presses Allow, as a person would; Chromium then follows Salesforce's redirect to
``http://localhost:PORT/callback`` itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.demo_org import DemoOrg
from app.store import Database
from app.store.models import Connection
from app.sync.connection import ConnectionManager
from app.ui.wizard import SetupWizard
from tests.support.chromium import Chromium, chromium_path
from tests.support.qt_loop import until
from tests.ui.wizard.helpers import demo_values, free_callback_urls, walk_demo_to_sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="needs the chromium package"),
]


async def test_sign_in_through_headless_chromium(qtbot: QtBot, tmp_path: Path) -> None:
    with DemoOrg(contacts=30, seed=11, callback_urls=free_callback_urls()) as org:
        db = await Database.open(tmp_path / "workspace.db")
        manager = ConnectionManager(db)
        wizard: SetupWizard | None = None
        try:
            async with Chromium() as browser:
                wizard = SetupWizard(db, manager, demo=demo_values(org), open_url=browser.open)
                qtbot.addWidget(wizard)
                await wizard.restore()
                wizard.show()
                page = await walk_demo_to_sign_in(qtbot, wizard)
                qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
                await until(lambda: browser.navigations, "the wizard opens the browser")
                assert browser.navigations[0].startswith(org.login_url + "/services/oauth2/authorize?")

                steps = await browser.sign_in(org.username, org.password, done=lambda: page.state != "waiting")

                assert page.state == "done", f"{page.result.plain_text()} | browser steps: {steps}"
                assert "login" in steps and "allow" in steps
                connection = page.controller.connection
                assert connection is not None and connection.username == org.username
                row = await db.run(lambda s: s.exec(select(Connection)).one())
                assert row.org_id == org.org_id
                final = await browser.evaluate("document.title")
                assert final == "Signed in to Salesforce"  # Chromium landed on Notebridge's loopback page
        finally:
            if wizard is not None:
                wizard.reject()
                if wizard.finished_work is not None:
                    await wizard.finished_work
            await manager.aclose()
            await db.close()
