"""The whole wizard against the demo org over real HTTP: sign-in, preferences, the real first sync.

The browser is the only stand-in: ``Browser`` hands the authorize URL to an HTTP client that fills
the demo org's login form and presses Allow, exactly what the advisor does in their browser.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot
from sqlmodel import Session, func, select

from app.demo_org import DemoOrg
from app.store import Database, sync_state
from app.store.models import Connection, Contact, Setting
from app.store.wizard_state import aload_draft
from app.ui.wizard import PageId
from app.ui.wizard.first_sync import pull_first_sync
from app.ui.wizard.page_first_sync import FirstSyncPage
from app.ui.wizard.page_preferences import PreferencesPage
from app.ui.wizard.page_signin import SignInPage
from app.ui.wizard.preferences import SETTING_SCOPE, SETTING_TASK_ASSIGNEE
from tests.support.qt_loop import until
from tests.ui.wizard.helpers import (
    Browser,
    WizardFactory,
    click,
    demo_values,
    free_callback_urls,
    press,
    sign_in,
    walk_demo_to_sign_in,
)


async def test_full_demo_run_signs_in_and_syncs(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser, db: Database, connections: Any
) -> None:
    browser.sign_in_as = (demo_org.username, demo_org.password)
    wizard = await make_wizard(demo=demo_values(demo_org), first_sync=pull_first_sync(db, connections))
    connected: list[Any] = []
    wizard.connected.connect(connected.append)

    page = await walk_demo_to_sign_in(qtbot, wizard)
    assert demo_org.username in page.demo_username.value()
    await sign_in(qtbot, page)
    assert page.state == "done", page.result.plain_text()
    assert len(browser.opened) == 1 and browser.opened[0].startswith(demo_org.login_url)
    assert await browser.results[0]  # the loopback answered the "browser"
    assert page.result.kind == "ok"
    assert demo_org.username in page.result.plain_text()
    await until(lambda: page.usage.text(), "API usage is shown")
    assert page.usage.text().startswith("API use today:")

    row = await db.run(lambda s: s.exec(select(Connection)).one())
    assert row.org_id == demo_org.org_id and row.consumer_key == demo_org.consumer_key
    assert row.login_url == demo_org.login_url

    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    prefs = wizard.currentPage()
    assert isinstance(prefs, PreferencesPage)
    await prefs.wait_ready()
    assert prefs.state == "ready"
    assert prefs.note_buttons["ContentNote"].isEnabled() and prefs.note_buttons["ContentNote"].isChecked()
    assert prefs.assignee.itemText(0).startswith("Me — ")
    assert prefs.assignee.count() > 1  # colleagues, for assigning
    colleague_id = prefs.assignee.itemData(1)
    prefs.assignee.setCurrentIndex(1)
    press(qtbot, prefs.include_leads)
    prefs.interval.setCurrentIndex(prefs.interval.findData(60))

    click(qtbot, wizard, QWizard.WizardButton.CommitButton)  # "Start first sync"
    sync = wizard.currentPage()
    assert isinstance(sync, FirstSyncPage)
    await until(lambda: sync.state in ("done", "failed", "paused"), "the first sync finishes")
    assert sync.state == "done", sync.message.plain_text()
    assert sync.reports > 0
    assert "contacts" in sync.message.plain_text()
    assert sync.api_calls.text().startswith("API calls used:")

    def facts(session: Session) -> tuple[int, Any, Any, Any, Any]:
        contacts = session.exec(select(func.count()).select_from(Contact)).one()
        connection = session.exec(select(Connection)).one()
        settings = sync_state.pull_settings(session, connection.id)
        scope = session.exec(select(Setting).where(Setting.key == SETTING_SCOPE)).one().value
        owner = session.exec(select(Setting).where(Setting.key == SETTING_TASK_ASSIGNEE)).one().value
        return contacts, connection, settings, scope, owner

    contacts, connection, settings, scope, owner = await db.run(facts)
    assert contacts > 0
    assert connection.include_leads and connection.note_type == "ContentNote"
    assert settings.interval_minutes == 60 and settings.contacts_enabled and not settings.pick_mode
    assert scope == "all" and owner == colleague_id

    click(qtbot, wizard, QWizard.WizardButton.FinishButton)  # "Open workspace"
    assert wizard.finished_work is not None
    await wizard.finished_work
    assert [c.connection_id for c in connected] == [connection.id]
    assert await aload_draft(db) is None  # finished: nothing left to resume


async def test_resume_after_sign_in_lands_on_preferences_still_signed_in(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser, db: Database
) -> None:
    from app.sync.connection import ConnectionManager

    browser.sign_in_as = (demo_org.username, demo_org.password)
    values = demo_values(demo_org)
    first = await make_wizard(demo=values)
    page = await walk_demo_to_sign_in(qtbot, first)
    await sign_in(qtbot, page)
    assert page.state == "done"
    click(qtbot, first, QWizard.WizardButton.NextButton)
    assert first.currentId() == PageId.PREFERENCES
    first.reject()
    assert first.finished_work is not None
    await first.finished_work

    manager = ConnectionManager(db)  # a fresh process: the access token is gone, the refresh token is not
    try:
        second = await make_wizard(demo=values, connections=manager)
        assert second.currentId() == PageId.PREFERENCES
        prefs = second.currentPage()
        assert isinstance(prefs, PreferencesPage)
        await prefs.wait_ready()
        assert prefs.state == "ready"  # it talked to the org with the stored refresh token
        second.back()
        assert second.currentId() == PageId.SIGN_IN
        assert second.currentPage().state == "done"  # type: ignore[attr-defined]
    finally:
        await manager.aclose()


async def test_a_wrong_consumer_key_is_explained_and_links_to_the_key(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser
) -> None:
    browser.sign_in_as = (demo_org.username, demo_org.password)
    values = demo_values(demo_org) | {"consumer_key": "3MVG9" + "x" * 80}
    wizard = await make_wizard(demo=values)
    page = await walk_demo_to_sign_in(qtbot, wizard)
    await sign_in(qtbot, page)
    assert page.state == "failed"
    assert "doesn't recognise this consumer key" in page.result.plain_text()
    assert "Copy the Consumer Key again" in page.result.fix
    assert browser.opened == []  # caught before sending the advisor to an error page
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.result.text_label.linkActivated.emit("page:3")
    assert wizard.currentId() == PageId.CREDENTIALS


@pytest.fixture
def strict_org() -> Iterator[DemoOrg]:
    """A demo org whose app lists other callback addresses and has Enhanced Notes off."""
    with DemoOrg(contacts=20, seed=5, enhanced_notes=False, callback_urls=free_callback_urls()) as org:
        yield org


async def test_a_callback_mismatch_links_to_the_app_settings(
    qtbot: QtBot, make_wizard: WizardFactory, strict_org: DemoOrg, browser: Browser
) -> None:
    browser.sign_in_as = (strict_org.username, strict_org.password)
    values = demo_values(strict_org)
    strict_org.set_callback_urls(free_callback_urls(1))  # the admin registered a different address
    wizard = await make_wizard(demo=values)
    page = await walk_demo_to_sign_in(qtbot, wizard)
    await sign_in(qtbot, page)
    assert page.state == "failed"
    assert "callback address" in page.result.plain_text()
    assert values["callback_urls"][0] in page.result.fix
    page.result.text_label.linkActivated.emit("page:2")
    assert wizard.currentId() == PageId.CREATE_APP


async def test_enhanced_notes_off_disables_that_choice_with_the_reason(
    qtbot: QtBot, make_wizard: WizardFactory, strict_org: DemoOrg, browser: Browser
) -> None:
    browser.sign_in_as = (strict_org.username, strict_org.password)
    wizard = await make_wizard(demo=demo_values(strict_org))
    page = await walk_demo_to_sign_in(qtbot, wizard)
    await sign_in(qtbot, page)
    assert page.state == "done", page.result.plain_text()
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    prefs = wizard.currentPage()
    assert isinstance(prefs, PreferencesPage)
    await prefs.wait_ready()
    assert not prefs.note_buttons["ContentNote"].isEnabled()
    assert prefs.note_buttons["Note"].isChecked()
    assert "Enhanced Notes" in prefs.note_reason.plain_text()


async def test_sign_in_can_be_cancelled_and_offers_the_link_to_copy(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser
) -> None:
    wizard = await make_wizard(demo=demo_values(demo_org))  # the "browser" opens but nobody signs in
    page = await walk_demo_to_sign_in(qtbot, wizard)
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    await until(lambda: browser.opened, "the browser is asked to open the sign-in page")
    assert page.state == "waiting"
    assert not page.waiting.isHidden() and not page.link.isHidden()
    assert page.link.value() == browser.opened[0]
    assert "code_challenge_method=S256" in page.link.value()
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    await until(lambda: page.state == "idle", "the sign-in stops")
    assert "cancelled" in page.result.plain_text()
    assert page.sign_in_button.isEnabled()
    await asyncio.sleep(0)


async def test_denying_access_in_the_browser_is_explained(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser
) -> None:
    browser.sign_in_as = (demo_org.username, demo_org.password)
    browser.approve = False
    wizard = await make_wizard(demo=demo_values(demo_org))
    page = await walk_demo_to_sign_in(qtbot, wizard)
    await sign_in(qtbot, page)
    assert page.state == "failed"
    assert "Access wasn't allowed" in page.result.plain_text()
    assert page.sign_in_button.text() == "Try again"


async def test_key_path_sign_in_problem_with_the_app_shows_the_admin_steps(
    qtbot: QtBot, make_wizard: WizardFactory, strict_org: DemoOrg, browser: Browser
) -> None:
    """"My admin gave me a key" skipped the app steps; a callback problem needs them, so go there."""
    values = demo_values(strict_org)
    strict_org.set_callback_urls(free_callback_urls(1))
    wizard = await make_wizard(demo=values)
    wizard.controller.fill_demo()
    wizard.controller.update(path="key")
    wizard.next()
    assert wizard.currentId() == PageId.ORG
    wizard.next()
    assert wizard.currentId() == PageId.CREDENTIALS
    wizard.next()
    page = wizard.currentPage()
    assert isinstance(page, SignInPage)
    await sign_in(qtbot, page)
    assert page.state == "failed" and "callback address" in page.result.plain_text()
    page.result.text_label.linkActivated.emit("page:2")
    assert wizard.currentId() == PageId.CREATE_APP
    assert wizard.controller.draft.path == "admin"
    assert wizard.pages[PageId.WELCOME].buttons["admin"].isChecked()  # type: ignore[attr-defined]


async def test_the_demo_org_can_be_started_on_request(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg
) -> None:
    started: list[int] = []

    async def start_demo() -> dict[str, Any]:
        started.append(1)
        await asyncio.sleep(0)
        return demo_values(demo_org)

    wizard = await make_wizard(start_demo=start_demo)
    welcome = wizard.currentPage()
    assert welcome.buttons["demo"].isEnabled()  # type: ignore[attr-defined]
    press(qtbot, welcome.buttons["demo"])  # type: ignore[attr-defined]
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    await until(lambda: wizard.currentId() == PageId.ORG, "the wizard moves on once the demo org runs")
    assert started == [1]
    assert wizard.controller.login_url == demo_org.login_url
    assert wizard.controller.draft.consumer_key == demo_org.consumer_key


async def test_open_restores_then_shows_and_run_dialog_returns(
    make_wizard: WizardFactory, db: Database
) -> None:
    from app.ui import aio

    wizard = await make_wizard(restore=False, show=False)
    shown = aio.start(aio.run_dialog(wizard))
    await until(wizard.isVisible, "open() shows the wizard after restoring")
    assert wizard.controller.restored and wizard.currentId() == PageId.WELCOME
    assert wizard.isModal() or wizard.windowModality() != Qt.WindowModality.NonModal
    wizard.reject()
    assert await shown == int(QWizard.DialogCode.Rejected)


async def test_reopened_from_settings_it_starts_from_the_saved_connection(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser, db: Database
) -> None:
    browser.sign_in_as = (demo_org.username, demo_org.password)
    first = await make_wizard(demo=demo_values(demo_org))
    page = await walk_demo_to_sign_in(qtbot, first)
    await sign_in(qtbot, page)
    assert page.state == "done"
    await first.controller.discard()  # as when the wizard was finished
    first.hide()

    again = await make_wizard()  # Settings → Reconnect: no draft, but a connection exists
    controller = again.controller
    assert again.currentId() == PageId.WELCOME
    assert controller.draft.path == "key"
    assert controller.draft.consumer_key == demo_org.consumer_key
    assert controller.login_url == demo_org.login_url
    assert again.pages[PageId.WELCOME].buttons["key"].isChecked()  # type: ignore[attr-defined]


async def test_leaving_the_demo_for_a_real_org_forgets_the_demo_values(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg
) -> None:
    wizard = await make_wizard(demo=demo_values(demo_org))
    welcome = wizard.pages[PageId.WELCOME]
    press(qtbot, welcome.buttons["demo"])  # type: ignore[attr-defined]
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.controller.login_url == demo_org.login_url
    assert wizard.controller.secret == demo_org.consumer_secret
    click(qtbot, wizard, QWizard.WizardButton.BackButton)
    press(qtbot, welcome.buttons["admin"])  # type: ignore[attr-defined]
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    draft = wizard.controller.draft
    assert (draft.org_kind, draft.org_address, draft.consumer_key) == ("production", "", "")
    assert wizard.controller.secret == ""
