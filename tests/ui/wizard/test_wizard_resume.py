"""Quit at any step, start again: the wizard is back on that step with everything typed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.store import Database
from app.store.wizard_state import aload_draft
from app.ui.wizard import PageId
from app.ui.wizard.page_create_app import CreateAppPage
from app.ui.wizard.page_credentials import CredentialsPage
from app.ui.wizard.page_org import OrgPage
from app.ui.wizard.page_welcome import WelcomePage
from tests.support.qt_loop import until
from tests.ui.wizard.helpers import WizardFactory, press

KEY = "3MVG9IKwB5abcdEFGHijklMNOPqrstUVWXyz0123456789abcdEFGHijklMNOPqrstUVWXyz.0123456789_ab"
SECRET = "0123456789ABCDEF" * 4


async def test_resume_after_restart_at_the_same_step_with_values_intact(
    qtbot: QtBot, make_wizard: WizardFactory, db: Database, tmp_path: Path
) -> None:
    from app.sync.connection import ConnectionManager

    first = await make_wizard()
    press(qtbot, first.pages[PageId.WELCOME].buttons["admin"])  # type: ignore[attr-defined]
    first.next()
    org = first.currentPage()
    assert isinstance(org, OrgPage)
    press(qtbot, org.buttons["mydomain"])
    qtbot.keyClicks(org.address, "acme.my.salesforce.com")
    first.next()
    create = first.currentPage()
    assert isinstance(create, CreateAppPage)
    press(qtbot, create.kind_buttons["connected"])
    qtbot.keyClicks(create.email_fields[1].edit, "jane@acme.com")
    first.next()
    creds = first.currentPage()
    assert isinstance(creds, CredentialsPage)
    saves: list[int] = []
    first.controller.draft_saved.connect(lambda: saves.append(1))
    qtbot.keyClicks(creds.key, KEY)
    qtbot.keyClicks(creds.secret.edit, SECRET)
    # Saved as typed (debounced), without leaving the page or closing anything.
    await until(lambda: saves, "the draft autosaves")
    saved = await aload_draft(db)
    assert saved is not None and saved.consumer_key == KEY and saved.page == "credentials"
    first.close()
    assert first.finished_work is not None
    await first.finished_work
    await db.close()

    # A new process: the workspace file opened again, a new connection manager, a new wizard.
    reopened = await Database.open(db.path)
    manager = ConnectionManager(reopened)
    try:
        second = await make_wizard(db=reopened, connections=manager)
        assert second.currentId() == PageId.CREDENTIALS
        again = second.currentPage()
        assert isinstance(again, CredentialsPage)
        assert again.key.text() == KEY
        assert again.secret.text() == SECRET  # from the keyring
        assert second.button(QWizard.WizardButton.NextButton).isEnabled()

        # Back goes through the pages as they were left.
        qtbot.mouseClick(second.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
        create_again = second.currentPage()
        assert isinstance(create_again, CreateAppPage)
        assert create_again.kind_buttons["connected"].isChecked()
        assert create_again.email_fields[0].value() == "jane@acme.com"
        second.back()
        org_again = second.currentPage()
        assert isinstance(org_again, OrgPage)
        assert org_again.buttons["mydomain"].isChecked()
        assert org_again.address.text() == "acme.my.salesforce.com"
        second.back()
        welcome = second.currentPage()
        assert isinstance(welcome, WelcomePage)
        assert welcome.buttons["admin"].isChecked()
        second.reject()
        assert second.finished_work is not None
        await second.finished_work
    finally:
        await manager.aclose()
        await reopened.close()


async def test_resume_stops_at_the_first_page_that_is_no_longer_complete(
    qtbot: QtBot, make_wizard: WizardFactory, db: Database
) -> None:
    first = await make_wizard()
    press(qtbot, first.pages[PageId.WELCOME].buttons["key"])  # type: ignore[attr-defined]
    first.next()
    org = first.currentPage()
    assert isinstance(org, OrgPage)
    press(qtbot, org.buttons["mydomain"])
    qtbot.keyClicks(org.address, "acme.my.salesforce.com")
    first.next()
    assert first.currentId() == PageId.CREDENTIALS
    # The address is damaged while the wizard is closed (an older draft, a hand edit …).
    first.controller.update(org_address="http://acme.my.salesforce.com")
    first.reject()
    assert first.finished_work is not None
    await first.finished_work

    second = await make_wizard()
    assert second.currentId() == PageId.ORG
    assert second.currentPage().message.kind == "error"  # type: ignore[attr-defined]


async def test_finishing_forgets_the_draft(qtbot: QtBot, make_wizard: WizardFactory, db: Database) -> None:
    wizard = await make_wizard()
    wizard.next()
    await wizard.controller.flush()
    assert await aload_draft(db) is not None
    wizard.accept()  # as "Open workspace" does
    assert wizard.finished_work is not None
    await wizard.finished_work
    assert await aload_draft(db) is None
