"""The connection card in each state, the status-bar badge that mirrors it, and the actions: Test
connection, Reconnect, Disconnect (keeps the data) and Forget this org (exports drafts first)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from app import secrets
from app.store import Database
from app.store import contacts as contacts_repo
from app.store import notes as notes_repo
from app.sync.connection import REFRESH_TOKEN, ConnectionManager
from app.ui import aio
from app.ui.main_window import MainWindow
from app.ui.settings import SettingsPage, bind_status_badge
from app.ui.settings.confirm import ConfirmDialog
from tests.integration.settings.settings_env import ORG_NAME, drafts, first_contacts
from tests.support.qt_loop import until
from tests.ui.settings.conftest import Env, confirm_dialog, make_page


def _click(qtbot: Any, button: Any) -> None:
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


async def test_connected_shows_the_org_facts_and_the_status_bar_says_the_same(env: Env, qtbot: Any) -> None:
    card = env.page.card
    window = MainWindow()
    qtbot.addWidget(window)
    bind_status_badge(env.manager, window.set_connection_status)
    assert card.badge.text() == "Connected" and card.badge.kind == "ok"
    assert window.connection_badge.text() == "Connected"
    assert card.org.text() == ORG_NAME and card.org_id.text() == env.org.org_id
    assert env.org.username in card.user.text()
    assert card.instance.text() == env.connection.instance_url
    assert card.api_version.text() == env.connection.api_version
    assert card.note_type.text().startswith("Enhanced Notes") and card.clients.text() == "Contacts"
    assert all(b.isEnabled() for b in (card.test_button, card.reconnect_button, card.disconnect_button,
                                        card.forget_button))
    assert card.reconnect_button.text() == "Reconnect…"

    _click(qtbot, card.test_button)
    await until(lambda: "Everything is working" in card.message.plain_text(), "the check answers")
    assert card.checked.text().startswith("Last checked")
    await until(lambda: aio.running_tasks() == 0, "the check (and its usage sample) finishes")


async def test_revoked_access_turns_both_badges_to_needs_attention_with_the_reason(env: Env, qtbot: Any) -> None:
    card = env.page.card
    window = MainWindow()
    qtbot.addWidget(window)
    bind_status_badge(env.manager, window.set_connection_status)
    env.org.revoke_refresh_tokens()
    env.org.expire_access_tokens()
    _click(qtbot, card.test_button)
    await until(lambda: card.badge.text() == "Needs attention", "the card shows Needs attention")
    assert window.connection_badge.text() == "Needs attention" and window.connection_badge.kind == "warn"
    assert card.reason.isVisible() and card.reason.text()
    assert card.fix.isVisible() and card.fix.text() == env.manager.status.fix
    assert card.reconnect_button.text() == "Sign in again…"
    assert window.connection_badge.toolTip() == " ".join(p for p in (env.manager.status.reason,
                                                                     env.manager.status.fix) if p)
    assert card.reconnect_button.isDefault()


async def test_offline_shows_offline_and_recovers(env: Env, qtbot: Any) -> None:
    card = env.page.card
    env.org.faults.fail_next(20, status=503)
    await env.page.test_connection()
    assert card.badge.text() == "Offline" and card.badge.kind == "warn"
    assert "can reach your org" not in card.reason.text()  # the sentence never contradicts the badge
    env.org.faults.clear()
    await env.page.test_connection()
    assert card.badge.text() == "Connected"


async def test_reconnect_asks_the_shell_for_the_sign_in(env: Env, qtbot: Any) -> None:
    asked: list[bool] = []
    env.page.reconnect_requested.connect(lambda: asked.append(True))
    _click(qtbot, env.page.card.reconnect_button)
    assert asked == [True]


async def test_not_connected_offers_connect_and_nothing_else(qtbot: Any, tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "empty.db")
    manager = ConnectionManager(db)
    await manager.load_active()
    page = await make_page(db, manager, {}, tmp_path / "exports", qtbot)
    try:
        card = page.card
        assert card.badge.text() == "Not connected"
        assert card.reconnect_button.text() == "Connect Salesforce…" and card.reconnect_button.isEnabled()
        assert not any(b.isEnabled() for b in (card.test_button, card.disconnect_button, card.forget_button))
        assert card.org.text() == "—"
        assert not page.push_form.isEnabled() and not page.prospects.isEnabled()
        assert page.log_panel.model.rowCount() == 0
        assert "not reported" in page.usage.headline.text()
    finally:
        await page.aclose()
        await aio.cancel_all()
        await manager.aclose()
        await db.close()


async def test_disconnect_asks_first_then_signs_out_and_keeps_clients_and_drafts(env: Env, qtbot: Any) -> None:
    card = env.page.card
    people = await first_contacts(env.db, env.cid)
    written = await drafts(env.db, env.cid, people)
    clients_before = await env.db.run(lambda s: contacts_repo.count(s, env.cid))
    disconnected: list[bool] = []
    env.page.disconnected.connect(lambda: disconnected.append(True))

    _click(qtbot, card.disconnect_button)
    await confirm_dialog(env.page, "disconnectDialog", accept=False)
    assert card.badge.text() == "Connected" and not disconnected

    _click(qtbot, card.disconnect_button)
    await confirm_dialog(env.page, "disconnectDialog")
    await until(lambda: disconnected, "the disconnect finishes")
    assert card.badge.text() == "Not connected"
    assert "clients and drafts are kept" in card.reason.text()
    assert "kept" in card.message.plain_text()
    assert await secrets.aload_secret(env.connection.secret_key, REFRESH_TOKEN) is None
    assert await env.db.run(lambda s: contacts_repo.count(s, env.cid)) == clients_before
    note = await env.db.run(lambda s: notes_repo.get(s, written.draft_note.id))
    assert note is not None and note.body_markdown == written.draft_note.body_markdown
    assert not card.disconnect_button.isEnabled() and not card.test_button.isEnabled()
    assert card.reconnect_button.isEnabled() and card.forget_button.isEnabled()
    assert card.org.text() == ORG_NAME  # the workspace is still this org's


async def test_forget_names_what_goes_exports_drafts_then_deletes(env: Env, qtbot: Any) -> None:
    card = env.page.card
    people = await first_contacts(env.db, env.cid)
    await drafts(env.db, env.cid, people)
    forgotten: list[Any] = []
    env.page.forgotten.connect(forgotten.append)

    _click(qtbot, card.forget_button)
    dialog = await confirm_dialog(env.page, "forgetDialog", accept=False)
    text = dialog.findChild(type(card.reason), "forgetDialogText").text()
    for words in ("12 clients", "3 notes and 1 task", "3 notes and tasks not yet in Salesforce",
                  "saved to a file", env.org.username, "Nothing is deleted in Salesforce"):
        assert words in text, words
    assert not dialog.action_button.autoDefault()  # Enter never confirms a forget
    assert env.manager.active is not None and not env.exports.exists()

    _click(qtbot, card.forget_button)
    await confirm_dialog(env.page, "forgetDialog")
    await until(lambda: forgotten, "the forget finishes")
    result = forgotten[0]
    assert result.export_path is not None and result.export_path.parent == env.exports
    assert "Estate planning" in result.export_path.read_text(encoding="utf-8")
    assert env.before_forget_calls == 1
    assert card.badge.text() == "Not connected" and card.reconnect_button.text() == "Connect Salesforce…"
    assert str(result.export_path) in card.message.plain_text()
    assert card.org.text() == "—" and not card.forget_button.isEnabled()
    with sqlite3.connect(env.db.path) as raw:
        assert raw.execute("SELECT count(*) FROM contact").fetchone()[0] == 0
    card.message.link_activated.emit(result.export_path.parent.as_uri())
    assert env.opened_urls == [result.export_path.parent.as_uri()]
    assert not [d for d in env.page.findChildren(ConfirmDialog) if d.isVisible()]


async def test_the_page_follows_a_reconnect_done_elsewhere(env: Env, qtbot: Any) -> None:
    """The wizard signs in again: the same manager's listeners bring the card back to Connected."""
    from tests.integration.salesforce.sf_org import signed_in

    await env.page.disconnect_org(confirm=False)
    assert env.page.card.badge.text() == "Not connected"
    result = await signed_in(env.org)
    await env.manager.save_sign_in(result, login_url=result.login_url, consumer_key=env.org.consumer_key,
                                   consumer_secret=None)
    await until(lambda: env.page.card.badge.text() == "Connected", "the card follows the new sign-in")
    assert env.page.card.disconnect_button.isEnabled()
    assert isinstance(env.page, SettingsPage)


def test_offline_without_a_reason_says_salesforce_cannot_be_reached(qtbot: Any) -> None:
    """Offline found at start-up carries no reason of its own: the card still must not say "can reach"."""
    from app.sync.connection import ConnectionStatus
    from app.ui.settings.connection_card import ConnectionCard

    card = ConnectionCard()
    qtbot.addWidget(card)
    card.show_state(ConnectionStatus("connected", offline=True), None)
    assert card.badge.text() == "Offline"
    assert card.reason.text().startswith("Salesforce can't be reached right now")
    card.show_state(ConnectionStatus("connected"), None)
    assert card.reason.text() == "Notebridge can reach your org."
