"""The wizard's follow-up fixes, walked through the real pages against the demo org: a stale sign-in
result after going back, the window coming to the front when the sign-in returns, --demo preselecting
the demo org, no Cancel on the finished first sync (with true, singular counts), and Copy on an empty
Contact Email."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.demo_org import DemoOrg
from app.store import Database
from app.store import connections as connection_rows
from app.store import contacts as contact_rows
from app.ui.widgets.copy_field import COPIED_TEXT
from app.ui.wizard import PageId
from app.ui.wizard.first_sync import pull_first_sync
from app.ui.wizard.page_create_app import CreateAppPage
from app.ui.wizard.page_first_sync import FirstSyncPage, how_many
from app.ui.wizard.page_preferences import PreferencesPage
from app.ui.wizard.page_signin import SignInPage
from tests.integration.salesforce.sf_org import make_org
from tests.support.qt_loop import until
from tests.ui.wizard.helpers import (
    KEY,
    Browser,
    WizardFactory,
    click,
    demo_values,
    press,
    sign_in,
    walk_demo_to_sign_in,
)


async def test_wizard_stale_sign_in_failure_is_gone_after_choosing_another_org(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser
) -> None:
    with make_org(contacts=1) as gone:  # an org address nobody answers at (like an unreachable acme)
        dead_url = gone.login_url
    wizard = await make_wizard(demo=demo_values(demo_org))
    wizard.controller.update(path="key", org_kind="mydomain", org_address=dead_url, allow_custom_domain=True,
                             consumer_key=KEY)  # "My admin gave me a key", for that org
    wizard.next()
    assert wizard.currentId() == PageId.ORG
    wizard.next()
    assert wizard.currentId() == PageId.CREDENTIALS
    wizard.next()
    page = wizard.currentPage()
    assert isinstance(page, SignInPage)
    await sign_in(qtbot, page)
    assert page.state == "failed" and page.sign_in_button.text() == "Try again"
    assert page.result.kind == "error" and "Could not reach" in page.result.plain_text()

    # Back to the start, and the demo org instead.
    while wizard.currentId() != PageId.WELCOME:
        click(qtbot, wizard, QWizard.WizardButton.BackButton)
    page = await walk_demo_to_sign_in(qtbot, wizard)
    assert page.state == "idle"
    assert page.result.plain_text() == "" and page.result.isHidden()
    assert page.sign_in_button.text() == "Sign in with Salesforce"
    assert demo_org.login_url in page.summary.text()

    browser.sign_in_as = (demo_org.username, demo_org.password)
    await sign_in(qtbot, page)
    assert page.state == "done", page.result.plain_text()
    await until(lambda: page.usage.text(), "the org's facts are read (no request outlives the test)")


async def test_sign_in_brings_the_wizard_back_to_the_front(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser
) -> None:
    browser.sign_in_as = (demo_org.username, demo_org.password)
    wizard = await make_wizard(demo=demo_values(demo_org))
    page = await walk_demo_to_sign_in(qtbot, wizard)
    raised: list[bool] = []
    original = wizard.raise_

    def spy() -> None:  # offscreen Qt cannot show the stacking order; record the request instead
        raised.append(True)
        original()

    wizard.raise_ = spy  # type: ignore[method-assign]
    other = QWizard()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()  # the browser had the focus
    await sign_in(qtbot, page)
    assert page.state == "done"
    assert raised
    await until(lambda: QGuiApplication.focusWindow() is wizard.windowHandle(), "the wizard is active again")
    await until(lambda: page.usage.text(), "the org's facts are read (no request outlives the test)")


async def test_demo_flag_preselects_the_demo_org(qtbot: QtBot, make_wizard: WizardFactory,
                                                 demo_org: DemoOrg) -> None:
    wizard = await make_wizard(demo=demo_values(demo_org), prefer_demo=True)
    welcome = wizard.pages[PageId.WELCOME]
    assert welcome.buttons["demo"].isChecked()  # type: ignore[attr-defined]
    assert not welcome.buttons["admin"].isChecked()  # type: ignore[attr-defined]
    plain = await make_wizard(demo=demo_values(demo_org))  # without --demo: the admin path, as before
    assert plain.pages[PageId.WELCOME].buttons["admin"].isChecked()  # type: ignore[attr-defined]


def test_counts_agree_with_their_number() -> None:
    assert how_many(1, "Contact") == "1 contact"
    assert how_many(1, "Event") == "1 meeting"
    assert how_many(1_100, "Contact") == "1,100 contacts"
    assert how_many(0, "Lead") == "0 leads"


async def test_finished_first_sync_offers_no_cancel_and_counts_the_workspace(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser, db: Database, connections: Any
) -> None:
    browser.sign_in_as = (demo_org.username, demo_org.password)
    wizard = await make_wizard(demo=demo_values(demo_org), first_sync=pull_first_sync(db, connections))
    page = await walk_demo_to_sign_in(qtbot, wizard)
    await sign_in(qtbot, page)
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PageId.PREFERENCES
    await until(lambda: wizard.button(QWizard.WizardButton.CommitButton).isEnabled(), "preferences load")
    cancel = wizard.button(QWizard.WizardButton.CancelButton)
    assert cancel.isVisible()
    click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    sync = wizard.currentPage()
    assert isinstance(sync, FirstSyncPage)
    await until(lambda: sync.state == "done", "the first sync finishes")
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    connection = wizard.controller.connection
    assert connection is not None
    stored = await db.run(lambda s: contact_rows.count(s, connection.connection_id, source_objects=["Contact"]))
    assert stored > 0
    assert f"Your clients are on this computer ({stored:,} contacts" in sync.message.plain_text()


async def test_empty_contact_email_copy_says_what_to_type(qtbot: QtBot, make_wizard: WizardFactory) -> None:
    wizard = await make_wizard()
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    page = wizard.currentPage()
    assert isinstance(page, CreateAppPage)
    email = page.email_fields[0]
    QGuiApplication.clipboard().setText("kept on the clipboard")
    qtbot.mouseClick(email.button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "kept on the clipboard"
    assert not email.button.text().endswith(COPIED_TEXT)
    assert not email.empty_note.isHidden()
    assert "Type your email address" in email.empty_note.text()
    assert "Type your email address" in email.button.accessibleDescription()
    qtbot.keyClicks(email.edit, "jane@example.com")
    assert email.empty_note.isHidden()
    qtbot.mouseClick(email.button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "jane@example.com"
    assert email.button.text().endswith(COPIED_TEXT)


async def test_reconnect_reopened_wizard_keeps_the_saved_preferences(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser, connections: Any
) -> None:
    """The wizard reopened for a connection that exists (the sign-in dialog's "Check the app's settings")
    starts from its saved choices: Leads stay ticked, the interval stays."""
    browser.sign_in_as = (demo_org.username, demo_org.password)
    first = await make_wizard(demo=demo_values(demo_org))
    page = await walk_demo_to_sign_in(qtbot, first)
    await sign_in(qtbot, page)
    click(qtbot, first, QWizard.WizardButton.NextButton)
    prefs = first.currentPage()
    assert isinstance(prefs, PreferencesPage)
    await prefs.wait_ready()
    press(qtbot, prefs.include_leads)
    prefs.interval.setCurrentIndex(prefs.interval.findData(60))
    await first.controller.apply_preferences()
    await first.controller.discard()
    first.hide()

    again = await make_wizard(demo=demo_values(demo_org))
    assert again.controller.draft.path == "key"  # prefilled from the connection
    page = await walk_demo_to_sign_in(qtbot, again)  # the demo org's app has its own callback addresses
    await sign_in(qtbot, page)
    assert page.state == "done", page.result.plain_text()
    click(qtbot, again, QWizard.WizardButton.NextButton)
    prefs = again.currentPage()
    assert isinstance(prefs, PreferencesPage)
    await prefs.wait_ready()
    assert prefs.include_leads.isChecked()
    assert prefs.interval.currentData() == 60
    await again.controller.apply_preferences()
    assert connections.active is not None
    cid = connections.active.connection_id
    row = await again.controller.db.run(lambda s: connection_rows.get(s, cid))
    assert row is not None and row.include_leads
