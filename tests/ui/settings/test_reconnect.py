"""Reconnect after an expired sign-in: one browser step, the same org, key and preferences — no wizard.

The composed shell (main window, workspace, outbox, settings, engines) on a real workspace file, signed
in to a demo org with leads included; the org then forgets every token (as a restarted org does), and
the advisor presses Reconnect. The only stand-in is the browser: an HTTP client that fills the demo
org's login form.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.context import AppContext
from app.demo_org import DemoOrg
from app.paths import AppPaths
from app.services.outbox import OutboxCounts
from app.services.outbox_sync import LoopStatus
from app.store import Database
from app.store import connections as connection_rows
from app.store import contacts as contact_rows
from app.sync.connection import ConnectionManager, OrgConnection
from app.ui import aio
from app.ui.demo import EmbeddedDemo
from app.ui.main_window import MainWindow
from app.ui.settings.reconnect_dialog import ReconnectDialog
from app.ui.shell import Shell
from app.ui.wizard import SetupWizard
from tests.integration.settings.settings_env import connect, make_org
from tests.support.qt_loop import until
from tests.ui.wizard.helpers import Browser


@dataclass
class Running:
    org: DemoOrg
    db: Database
    manager: ConnectionManager
    connection: OrgConnection
    shell: Shell
    window: MainWindow
    browser: Browser


async def _counts(db: Database, connection_id: int) -> tuple[int, int]:
    def read(session: Any) -> tuple[int, int]:
        return (contact_rows.count(session, connection_id),
                contact_rows.count(session, connection_id, source_objects=["Lead"]))

    return await db.run(read)


@contextlib.asynccontextmanager
async def running_shell(qtbot: Any, tmp_path: Path) -> AsyncIterator[Running]:
    """The shell, started and torn down inside the test (so no task of it outlives the running loop)."""
    with make_org(contacts=60, seed=8) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, connection = await connect(org, db)
        await manager.update_preferences(include_leads=True)  # the advisor ticked Leads in the wizard
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        home = tmp_path / "home"
        app_paths = AppPaths(data=home / "data", config=home / "config", logs=home / "logs",
                             cache=home / "cache", runtime=home / "run").ensure()
        demo = EmbeddedDemo()
        demo.org = org  # as `notebridge --demo` runs it (its own callback addresses)
        shell = Shell(window, AppContext(paths=app_paths, db=db), manager, demo)
        browser = Browser()
        browser.sign_in_as = (org.username, org.password)
        shell.open_url = browser
        await shell.start()
        try:
            yield Running(org, db, manager, connection, shell, window, browser)
        finally:
            await shell.detach()
            await shell.settings.aclose()
            for task in browser.results:
                if not task.done():
                    task.cancel()
            await aio.cancel_all()
            await manager.aclose()
            await db.close()
            window.close()
            await asyncio.sleep(0.05)


async def _synced(env: Running) -> tuple[int, int]:
    sync = env.shell.sync
    assert sync is not None
    await sync.sync_now()
    return await _counts(env.db, env.connection.connection_id)


async def _expire(env: Running) -> None:
    env.org.revoke_refresh_tokens()  # the org restarted: every token it issued is gone
    env.org.expire_access_tokens()
    status = await env.manager.test_connection()
    assert status.state == "needs_attention"


async def _press_reconnect(qtbot: Any, env: Running, *, via_banner: bool = False) -> ReconnectDialog:
    if via_banner:  # the workspace's "Reconnect Salesforce…" link
        env.window.show_section("workspace")
        workspace = env.shell.workspace
        assert workspace is not None
        await until(lambda: "Reconnect Salesforce" in workspace.banner.text_label.text(), "the banner offers it")
        workspace.banner.text_label.linkActivated.emit("connect")
    else:
        env.window.show_section("settings")
        button = env.shell.settings.card.reconnect_button
        await until(button.isEnabled, "the Reconnect button is ready")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    await until(lambda: env.shell._reconnect is not None, "the sign-in dialog opens")
    dialog = env.shell._reconnect
    assert dialog is not None
    return dialog


async def test_reconnect_is_one_browser_sign_in_keeping_org_key_and_preferences(qtbot: Any, tmp_path: Path) -> None:
    async with running_shell(qtbot, tmp_path) as env:
        await _reconnect_keeps_everything(qtbot, env)


async def _reconnect_keeps_everything(qtbot: Any, env: Running) -> None:
    total, leads = await _synced(env)
    assert leads > 0 and total > leads  # leads are part of the list before the sign-in expires
    await _expire(env)

    dialog = await _press_reconnect(qtbot, env, via_banner=True)
    # Readable: every sentence gets the height it needs at the width the dialog has (it opened 190 px wide).
    summary = dialog.summary
    assert summary.width() >= 400 and summary.height() >= summary.heightForWidth(summary.width())
    await until(lambda: env.shell._reconnect is None, "the sign-in finishes and the dialog closes")
    assert dialog.connection is not None, dialog.message.plain_text()
    assert env.manager.status.state == "connected"

    # One browser step, to the same org with the same app — and no wizard at any point.
    authorize = [url for url in env.browser.opened if "/services/oauth2/authorize" in url]
    assert len(authorize) == 1
    assert authorize[0].startswith(env.org.login_url) and f"client_id={env.org.consumer_key}" in authorize[0]
    assert env.shell._wizard is None
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, SetupWizard)]

    # The same connection row, preferences untouched, and the list as long as before.
    assert dialog.connection.connection_id == env.connection.connection_id
    row = await env.db.run(lambda s: connection_rows.get(s, env.connection.connection_id))
    assert row is not None and row.include_leads and row.status == "connected"
    assert await _synced(env) == (total, leads)


async def test_reconnect_crash_no_background_task_touches_a_replaced_outbox(qtbot: Any, tmp_path: Path) -> None:
    """Reconnecting keeps the pages (nothing deleted under a running task), and a page that *is* replaced
    while its refresh is reading does not touch its deleted list (the test fails on any task error)."""
    async with running_shell(qtbot, tmp_path) as env:
        await _reconnect_twice_then_replace_the_outbox(qtbot, env)


async def _reconnect_twice_then_replace_the_outbox(qtbot: Any, env: Running) -> None:
    await _synced(env)
    outbox = env.shell.outbox
    assert outbox is not None
    await _expire(env)
    for _ in range(2):  # it crashed both times it was tried
        await _press_reconnect(qtbot, env)
        await until(lambda: env.shell._reconnect is None, "the sign-in finishes")
        env.window.show_section("outbox")
        env.window.show_section("workspace")
        await asyncio.sleep(0.2)
        assert env.shell.outbox is outbox and shiboken6.isValid(outbox)
        await _expire(env)

    # A replaced page with refreshes and a push status in flight: they end quietly.
    refreshes = [aio.start(outbox.refresh(), name="outbox-refresh") for _ in range(3)]
    env.window.set_page("outbox", MainWindow().page("outbox"))  # deletes the page later, as attach does
    outbox.set_loop_status(LoopStatus(counts=OutboxCounts(queued=1), state="offline"))
    await until(lambda: not shiboken6.isValid(outbox), "the old page is deleted")
    await asyncio.wait(refreshes)
    assert all(task.exception() is None for task in refreshes)


async def test_reconnect_refused_in_the_browser_is_explained_and_can_be_tried_again(
    qtbot: Any, tmp_path: Path
) -> None:
    async with running_shell(qtbot, tmp_path) as env:
        await _expire(env)
        env.browser.approve = False  # the advisor chose Deny on Salesforce's page
        dialog = await _press_reconnect(qtbot, env)
        await until(lambda: dialog.state == "failed", "the refusal comes back")
        assert "Access wasn't allowed" in dialog.message.plain_text()
        assert dialog.retry_button.isVisible() and not dialog.setup_button.isVisible()
        assert env.manager.status.state == "needs_attention"
        env.browser.approve = True
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
        await until(lambda: env.shell._reconnect is None, "the second try signs in and closes the dialog")
        assert dialog.connection is not None and env.manager.status.state == "connected"
        assert env.shell._wizard is None
        total, _leads = await _synced(env)  # the sync that follows a reconnect runs to its end
        assert total > 0


async def test_reconnect_sends_what_waited_while_signed_out(qtbot: Any, tmp_path: Path) -> None:
    """A note queued while the sign-in had expired goes to Salesforce once the one-step reconnect is done
    (the loop is kept on a reconnect, and a sign-out leaves items with no retry time: found walking it)."""
    from app.services.drafts import Drafts, ItemKind
    from app.services.events import PushStatusChanged

    async with running_shell(qtbot, tmp_path) as env:
        await _synced(env)
        states: list[str] = []
        env.shell.events.subscribe(PushStatusChanged, lambda event: states.append(str(event.status.state)))
        await _expire(env)
        contact_id = await env.db.run(
            lambda s: contact_rows.page(s, env.connection.connection_id, 0, 1)[0].id)
        drafts = Drafts(env.db, env.shell.events)
        note = await drafts.new_note(env.connection.connection_id, contact_id)
        await drafts.save(ItemKind.NOTE, note.id, {"title": "Written while signed out", "body_markdown": "Hello"})
        await drafts.queue_for_push(ItemKind.NOTE, [note.id])

        def titles() -> list[str]:
            return [str(r.get("Title")) for r in env.org.records("ContentNote")]

        await until(lambda: "signed_out" in states, "the push meets the expired sign-in")
        assert "Written while signed out" not in titles()

        dialog = await _press_reconnect(qtbot, env)
        await until(lambda: env.shell._reconnect is None, "the sign-in finishes")
        assert dialog.connection is not None
        await until(lambda: "Written while signed out" in titles(), "the waiting note is sent after the reconnect")
        assert titles().count("Written while signed out") == 1
