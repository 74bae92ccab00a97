"""New opportunity from the client view, through the real editor and the real push loop, to the demo org:
the stage list is the org's active stages, and the Opportunity lands once on the client's account."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QDateEdit, QDoubleSpinBox, QLineEdit
from pytestqt.qtbot import QtBot

from tests.support.qt_loop import until
from tests.ui.activities.conftest import client_view


async def test_new_opportunity_from_the_client_view_offers_active_stages_and_pushes_once(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        assert view.detail.activity_buttons["opportunity"].text() == "New opportunity"
        editor = await view.open("opportunity", qtbot)
        stage, name, close, amount = (editor.inputs[n] for n in ("stage", "name", "close_date", "amount"))
        assert isinstance(stage, QComboBox) and isinstance(name, QLineEdit)
        assert isinstance(close, QDateEdit) and isinstance(amount, QDoubleSpinBox)
        await until(lambda: stage.count() > 1, "the org's stages arrive")
        offered = [stage.itemData(i) for i in range(stage.count())]
        assert offered[0] == "" and "Proposal" in offered and "Qualification" not in offered  # retired: inactive
        assert stage.itemText(0) == "The org's default (Prospecting)"
        qtbot.keyClicks(name, "IRA rollover")
        stage.setCurrentIndex(stage.findData("Proposal"))
        close.setDate(QDate(2027, 3, 31))
        amount.setValue(125_000)
        window = editor.window()
        window.activateWindow()
        await until(window.isActiveWindow, "the editor's window is active")
        qtbot.keyClick(name, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

        await until(lambda: editor.state_label.text() == "Pushed · saved", "the editor shows Pushed")
        [person] = [r for r in view.live("Contact") if r["Id"] == view.contact_sf_id]
        [account] = [r for r in view.live("Account") if r["Id"] == person["AccountId"]]
        # The demo org seeds its own pipeline (the client history shows it); ours is the one "IRA rollover".
        [deal] = [r for r in view.live("Opportunity") if str(r["Name"]).endswith(" - IRA rollover")]
        assert deal["AccountId"] == account["Id"]  # the client's household: where the history finds it
        assert (deal["StageName"], deal["CloseDate"], deal["Amount"]) == ("Proposal", "2027-03-31", 125_000)
        assert deal["Name"] == f"{account['Name']} - IRA rollover"  # the default template
        assert editor.pushed_label.isVisible() and not name.isEnabled()
