"""Each page's validation and the navigation between them, driven like an advisor would."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from app.salesforce.auth import DEFAULT_CALLBACK_URLS
from app.store import Database
from app.store.wizard_state import aload_draft
from app.ui.wizard import PageId, SetupWizard
from app.ui.wizard.create_app_steps import SCOPES
from app.ui.wizard.page_create_app import CreateAppPage
from app.ui.wizard.page_credentials import CredentialsPage
from app.ui.wizard.page_org import OrgPage
from app.ui.wizard.page_welcome import WelcomePage
from tests.support.qt_loop import until
from tests.ui.wizard.helpers import Browser, WizardFactory, press

KEY = "3MVG9IKwB5abcdEFGHijklMNOPqrstUVWXyz0123456789abcdEFGHijklMNOPqrstUVWXyz.0123456789_ab"
SECRET = "0123456789ABCDEF" * 4


def next_button(wizard: SetupWizard) -> QAbstractButton:
    return wizard.button(QWizard.WizardButton.NextButton)


def click_next(qtbot: QtBot, wizard: SetupWizard) -> None:
    button = next_button(wizard)
    assert button.isEnabled(), f"Next is disabled on {wizard.currentPage().objectName()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def page(wizard: SetupWizard) -> QWidget:
    return wizard.currentPage()


async def test_welcome_offers_three_paths_and_the_demo_needs_a_demo_org(make_wizard: WizardFactory) -> None:
    wizard = await make_wizard()
    welcome = page(wizard)
    assert isinstance(welcome, WelcomePage)
    assert wizard.currentId() == PageId.WELCOME
    assert set(welcome.buttons) == {"admin", "key", "demo"}
    assert welcome.buttons["admin"].isChecked()
    assert not welcome.buttons["demo"].isEnabled()
    assert "notebridge --demo" in welcome.demo_note.plain_text()
    text = welcome.findChild(QWidget, "wizardWelcomeNeeds").text()  # type: ignore[union-attr]
    for edition in ("Enterprise", "Unlimited", "Performance", "Developer", "Professional with the API add-on"):
        assert edition in text
    assert "10 minutes" in text


async def test_admin_path_visits_every_step_in_order(qtbot: QtBot, make_wizard: WizardFactory) -> None:
    wizard = await make_wizard()
    click_next(qtbot, wizard)
    assert wizard.currentId() == PageId.ORG
    click_next(qtbot, wizard)  # production is the default
    assert wizard.currentId() == PageId.CREATE_APP
    click_next(qtbot, wizard)  # the contact email is optional here
    assert wizard.currentId() == PageId.CREDENTIALS
    assert not next_button(wizard).isEnabled()  # a key is required
    qtbot.keyClicks(page(wizard).findChild(QLineEdit, "wizardConsumerKey"), KEY)
    click_next(qtbot, wizard)
    assert wizard.currentId() == PageId.SIGN_IN
    assert not next_button(wizard).isEnabled()  # nothing past sign-in without signing in
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.BackButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == PageId.CREDENTIALS


async def test_key_path_skips_creating_the_app(qtbot: QtBot, make_wizard: WizardFactory) -> None:
    wizard = await make_wizard()
    welcome = page(wizard)
    assert isinstance(welcome, WelcomePage)
    press(qtbot, welcome.buttons["key"])
    click_next(qtbot, wizard)
    assert wizard.currentId() == PageId.ORG
    click_next(qtbot, wizard)
    assert wizard.currentId() == PageId.CREDENTIALS
    assert wizard.steps.labels[PageId.CREATE_APP].property("step") == "skipped"
    assert "skipped" in wizard.steps.labels[PageId.CREATE_APP].accessibleName()


async def test_org_page_validates_as_you_type(qtbot: QtBot, make_wizard: WizardFactory) -> None:
    wizard = await make_wizard()
    click_next(qtbot, wizard)
    org = page(wizard)
    assert isinstance(org, OrgPage)
    assert org.message.plain_text() == "We'll use https://login.salesforce.com"
    press(qtbot, org.buttons["sandbox"])
    assert org.message.plain_text() == "We'll use https://test.salesforce.com"
    press(qtbot, org.buttons["mydomain"])
    assert not next_button(wizard).isEnabled()
    assert org.message.kind == "info"

    qtbot.keyClicks(org.address, "http://acme.my.salesforce.com")
    assert org.message.kind == "error" and "https://" in org.message.plain_text()
    assert not next_button(wizard).isEnabled()

    org.address.clear()
    qtbot.keyClicks(org.address, "  https://acme.lightning.force.com/lightning/page/home  ")
    assert org.message.plain_text() == "We'll use https://acme.my.salesforce.com"
    assert next_button(wizard).isEnabled()

    org.address.clear()
    qtbot.keyClicks(org.address, "crm.acme-wealth.com")
    assert org.message.kind == "warn" and not org.use_anyway.isHidden()
    assert not next_button(wizard).isEnabled()
    press(qtbot, org.use_anyway)
    assert org.message.kind == "ok" and "own domain" in org.message.plain_text()
    assert next_button(wizard).isEnabled()
    assert wizard.controller.login_url == "https://crm.acme-wealth.com"


async def test_typing_an_address_selects_my_domain(qtbot: QtBot, make_wizard: WizardFactory) -> None:
    wizard = await make_wizard()
    click_next(qtbot, wizard)
    org = page(wizard)
    assert isinstance(org, OrgPage)
    press(qtbot, org.buttons["mydomain"])
    qtbot.keyClicks(org.address, "acme.my.salesforce.com")
    assert org.buttons["mydomain"].isChecked()
    assert wizard.controller.draft.org_kind == "mydomain"


async def test_create_app_page_gives_every_value_to_copy(qtbot: QtBot, make_wizard: WizardFactory,
                                                          browser: Browser) -> None:
    wizard = await make_wizard()
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    create = page(wizard)
    assert isinstance(create, CreateAppPage)
    assert create.kind_buttons["external"].isChecked()
    assert not create.variants["external"].isHidden() and create.variants["connected"].isHidden()
    external = create.variants["external"]

    def value(name: str) -> str:
        edit = external.findChild(QLineEdit, f"wizardCopy_external_{name}Value")
        assert edit is not None, name
        return edit.text()

    assert value("appName") == "Notebridge" and value("apiName") == "Notebridge"
    assert [value(f"callback{i + 1}") for i in range(len(DEFAULT_CALLBACK_URLS))] == list(DEFAULT_CALLBACK_URLS)
    assert all(url.startswith("http://localhost:") for url in DEFAULT_CALLBACK_URLS)
    assert [value(f"scope_{scope}") for _label, scope in SCOPES] == [label for label, _scope in SCOPES]
    assert value("scope_api") == "Manage user data via APIs (api)"
    assert value("scope_refresh_token") == "Perform requests at any time (refresh_token, offline_access)"

    copy = external.findChild(QPushButton, "wizardCopy_external_callback1Copy")
    qtbot.mouseClick(copy, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == DEFAULT_CALLBACK_URLS[0]
    assert copy.text().endswith("Copied")
    copy_all = external.findChild(QPushButton, "wizardCopy_external_callbackAll")
    qtbot.mouseClick(copy_all, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "\n".join(DEFAULT_CALLBACK_URLS)

    qtbot.mouseClick(create.open_setup, Qt.MouseButton.LeftButton)
    assert browser.opened[-1] == "https://login.salesforce.com/?startURL=%2Flightning%2Fsetup%2FSetupOneHome%2Fhome"

    text = " ".join(label.text() for label in external.findChildren(QWidget) if hasattr(label, "text")
                    and isinstance(label.text(), str))
    for words in ("External Client App Manager", "Local", "Enable OAuth", "Require Proof Key for Code Exchange",
                  "Admin approved users are pre-authorized", "Refresh token is valid until revoked",
                  "Consumer Key"):
        assert words in text, words

    press(qtbot, create.kind_buttons["connected"])
    assert create.variants["external"].isHidden() and not create.variants["connected"].isHidden()
    assert wizard.controller.draft.app_kind == "connected"


async def test_contact_email_is_validated_and_shared_by_both_app_kinds(qtbot: QtBot,
                                                                       make_wizard: WizardFactory) -> None:
    wizard = await make_wizard()
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    create = page(wizard)
    assert isinstance(create, CreateAppPage)
    email = create.email_fields[0]
    qtbot.keyClicks(email.edit, "jane@acme")
    assert not next_button(wizard).isEnabled()
    assert "not an email address" in create.email_messages[0].plain_text()
    qtbot.keyClicks(email.edit, ".com")
    assert next_button(wizard).isEnabled()
    assert create.email_messages[0].isHidden()
    assert create.email_fields[1].value() == "jane@acme.com"  # the Connected App steps show it too
    assert wizard.controller.draft.contact_email == "jane@acme.com"


async def test_credentials_page_explains_paste_mistakes(qtbot: QtBot, make_wizard: WizardFactory) -> None:
    wizard = await make_wizard()
    welcome = page(wizard)
    assert isinstance(welcome, WelcomePage)
    press(qtbot, welcome.buttons["key"])
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    creds = page(wizard)
    assert isinstance(creds, CredentialsPage)

    qtbot.keyClicks(creds.key, KEY[:30] + " " + KEY[30:])
    assert "space or line break" in creds.key_message.plain_text()
    assert not next_button(wizard).isEnabled()

    creds.key.clear()
    qtbot.keyClicks(creds.key, SECRET)
    qtbot.keyClicks(creds.secret.edit, KEY)
    assert "swapped" in creds.key_message.plain_text()
    assert not next_button(wizard).isEnabled()

    creds.key.clear()
    creds.secret.edit.clear()
    qtbot.keyClicks(creds.key, f'  "{KEY}"  ')
    qtbot.keyClicks(creds.secret.edit, SECRET)
    assert creds.key_message.isHidden()
    assert next_button(wizard).isEnabled()
    assert wizard.controller.draft.consumer_key == KEY  # saved cleaned
    assert creds.secret.edit.echoMode() == QLineEdit.EchoMode.Password


async def test_the_secret_goes_to_the_keyring_and_never_to_the_workspace(
    qtbot: QtBot, make_wizard: WizardFactory, db: Database
) -> None:
    from app import secrets

    wizard = await make_wizard()
    press(qtbot, page(wizard).buttons["key"])  # type: ignore[attr-defined]
    click_next(qtbot, wizard)
    click_next(qtbot, wizard)
    creds = page(wizard)
    assert isinstance(creds, CredentialsPage)
    qtbot.keyClicks(creds.key, KEY)
    qtbot.keyClicks(creds.secret.edit, SECRET)
    await wizard.controller.flush()
    draft = await aload_draft(db)
    assert draft is not None and draft.has_secret and draft.consumer_key == KEY
    stored = await secrets.aload_secret(f"wizard-draft-{draft.draft_id}", "consumer_secret")
    assert stored == SECRET
    for path in db.path.parent.glob(db.path.name + "*"):
        assert SECRET.encode() not in path.read_bytes()
    creds.secret.edit.selectAll()
    qtbot.keyClick(creds.secret.edit, Qt.Key.Key_Backspace)  # clearing the field forgets the secret
    await wizard.controller.flush()
    assert await secrets.aload_secret(f"wizard-draft-{draft.draft_id}", "consumer_secret") is None


async def test_enter_means_next_and_escape_closes_keeping_the_answers(
    qtbot: QtBot, make_wizard: WizardFactory, db: Database
) -> None:
    wizard = await make_wizard()
    wizard.activateWindow()
    await until(wizard.isActiveWindow, "the wizard has focus")
    qtbot.keyClick(wizard.focusWidget() or wizard, Qt.Key.Key_Return)
    assert wizard.currentId() == PageId.ORG
    org = page(wizard)
    assert isinstance(org, OrgPage)
    press(qtbot, org.buttons["mydomain"])
    qtbot.keyClicks(org.address, "acme.my.salesforce.com")
    qtbot.keyClick(org.address, Qt.Key.Key_Enter)
    assert wizard.currentId() == PageId.CREATE_APP
    with qtbot.waitSignal(wizard.finished, timeout=2000) as closed:
        qtbot.keyClick(wizard.focusWidget() or wizard, Qt.Key.Key_Escape)
    assert closed.args == [int(QWizard.DialogCode.Rejected)]
    assert wizard.finished_work is not None
    await wizard.finished_work
    draft = await aload_draft(db)
    assert draft is not None
    assert (draft.page, draft.org_kind, draft.org_address) == ("create_app", "mydomain", "acme.my.salesforce.com")


async def test_enter_does_nothing_while_the_page_is_incomplete(qtbot: QtBot, make_wizard: WizardFactory) -> None:
    wizard = await make_wizard()
    click_next(qtbot, wizard)
    org = page(wizard)
    assert isinstance(org, OrgPage)
    press(qtbot, org.buttons["mydomain"])
    qtbot.keyClicks(org.address, "not an address")
    qtbot.keyClick(org.address, Qt.Key.Key_Return)
    assert wizard.currentId() == PageId.ORG


INPUT_TYPES = (QLineEdit, QAbstractButton, QComboBox)


def inputs_of(widget: QWidget) -> list[QWidget]:
    """Our inputs and buttons (not Qt's own parts, like a line edit's clear button)."""
    found: list[QWidget] = []
    for kind in INPUT_TYPES:
        found.extend(w for w in widget.findChildren(kind)
                     if not w.objectName().startswith("qt_") and not isinstance(w.parent(), QLineEdit))
    return found


async def test_every_input_and_button_has_a_stable_name_and_an_accessible_name(
    qtbot: QtBot, make_wizard: WizardFactory
) -> None:
    wizard = await make_wizard()
    names: dict[str, QWidget] = {}
    widgets = [w for p in wizard.pages.values() for w in inputs_of(p)]
    widgets += [wizard.button(b) for b in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                                           QWizard.WizardButton.CommitButton, QWizard.WizardButton.FinishButton,
                                           QWizard.WizardButton.CancelButton)]
    assert len(widgets) > 60
    for widget in widgets:
        name = widget.objectName()
        assert name, f"{type(widget).__name__} without objectName ({getattr(widget, 'text', lambda: '')()})"
        assert name not in names or names[name] is widget, f"duplicate objectName {name}"
        names[name] = widget
        spoken = widget.accessibleName() or (widget.text() if isinstance(widget, QAbstractButton) else "")
        assert spoken, f"{name} has no accessible name"
    for kind, expected in ((QRadioButton, "wizardPath_admin"), (QCheckBox, "wizardOrgUseAnyway"),
                           (QComboBox, "wizardTaskAssignee"), (QLineEdit, "wizardConsumerKey")):
        assert isinstance(names[expected], kind)
