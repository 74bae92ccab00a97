"""The wizard's default task assignee: a chosen colleague is kept even when the org's list of active
users no longer offers them — "Me" (the first item) must not stand in and be stored on the next change.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.demo_org import DemoOrg
from app.ui.wizard.page_preferences import PreferencesPage
from tests.ui.wizard.helpers import Browser, WizardFactory, click, demo_values, press, sign_in, walk_demo_to_sign_in


async def test_priority_kept_chosen_assignee_not_in_the_list_survives_other_changes(
    qtbot: QtBot, make_wizard: WizardFactory, demo_org: DemoOrg, browser: Browser
) -> None:
    browser.sign_in_as = (demo_org.username, demo_org.password)
    wizard = await make_wizard(demo=demo_values(demo_org))
    page = await walk_demo_to_sign_in(qtbot, wizard)
    await sign_in(qtbot, page)
    assert page.state == "done", page.result.plain_text()
    colleague = next(u for u in demo_org.records("User") if u["Id"] != demo_org.user_id)
    wizard.controller.update_preference("task_assignee_id", colleague["Id"])  # chosen on an earlier visit
    demo_org.update_record("User", colleague["Id"], {"IsActive": False})    # then deactivated by the admin
    try:
        click(qtbot, wizard, QWizard.WizardButton.NextButton)
        prefs = wizard.currentPage()
        assert isinstance(prefs, PreferencesPage)
        await prefs.wait_ready()
        assert prefs.state == "ready"
        assert prefs.assignee.currentData() == colleague["Id"]
        assert prefs.assignee.currentText() == "The colleague you chose earlier"
        press(qtbot, prefs.include_leads)  # an unrelated change stores the page
        assert wizard.controller.draft.preferences["include_leads"] is True
        assert wizard.controller.draft.preferences["task_assignee_id"] == colleague["Id"]
        assert prefs.current().task_assignee_id == colleague["Id"]
    finally:
        demo_org.update_record("User", colleague["Id"], {"IsActive": True})
