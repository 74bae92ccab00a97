"""The small widgets the wizard is built from: copy fields, secret field, messages, illustrations."""

from __future__ import annotations

from importlib import resources

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.ui.theme import _palette
from app.ui.widgets.copy_field import COPIED_TEXT, COPY_TEXT, FEEDBACK_MS, CopyField
from app.ui.widgets.illustration import ACCENT, INK, PAPER, SHADE, render_themed, themed_svg
from app.ui.widgets.inline_message import InlineMessage
from app.ui.widgets.secret_field import SecretField


def test_copy_field_copies_the_whole_value_and_says_copied_then_resets(qtbot: QtBot) -> None:
    field = CopyField("Callback URL", "http://localhost:18347/callback", name="cb")
    qtbot.addWidget(field)
    assert field.edit.isReadOnly()
    assert field.edit.objectName() == "cbValue" and field.button.objectName() == "cbCopy"
    assert field.button.accessibleName() == "Copy Callback URL"
    QGuiApplication.clipboard().setText("something else")
    with qtbot.waitSignal(field.copied, timeout=1000) as signal:
        qtbot.mouseClick(field.button, Qt.MouseButton.LeftButton)
    assert signal.args == ["http://localhost:18347/callback"]
    assert QGuiApplication.clipboard().text() == "http://localhost:18347/callback"
    assert field.button.text().endswith(COPIED_TEXT)
    assert "copied" in field.button.accessibleDescription()
    qtbot.waitUntil(lambda: field.button.text() == COPY_TEXT, timeout=FEEDBACK_MS + 2000)


def test_editable_copy_field_copies_what_was_typed(qtbot: QtBot) -> None:
    field = CopyField("Contact Email", "", name="mail", editable=True)
    qtbot.addWidget(field)
    qtbot.keyClicks(field.edit, "jane@example.com")
    field.copy()
    assert QGuiApplication.clipboard().text() == "jane@example.com"


def test_copy_button_never_changes_width_when_its_text_changes(qtbot: QtBot) -> None:
    field = CopyField("API Name", "Notebridge", name="api")
    qtbot.addWidget(field)
    field.show()
    before = field.button.width()
    field.copy()
    qtbot.wait(10)
    assert field.button.width() == before


def test_secret_field_is_masked_until_shown(qtbot: QtBot) -> None:
    field = SecretField(name="sec", accessible_name="Consumer Secret")
    qtbot.addWidget(field)
    assert field.edit.echoMode() == QLineEdit.EchoMode.Password
    qtbot.mouseClick(field.toggle, Qt.MouseButton.LeftButton)
    assert field.is_revealed() and field.toggle.text() == "Hide"
    qtbot.mouseClick(field.toggle, Qt.MouseButton.LeftButton)
    assert not field.is_revealed() and field.toggle.text() == "Show"
    assert field.toggle.objectName() == "secShow"


def test_inline_message_states_the_kind_in_words_and_offers_a_link(qtbot: QtBot) -> None:
    message = InlineMessage(name="msg")
    qtbot.addWidget(message)
    assert message.isHidden()
    message.show_message("error", "Salesforce doesn't recognise this consumer key.", fix="Copy it again.",
                         link=("page:3", "Check the key"))
    assert not message.isHidden()
    assert message.accessibleName().startswith("Problem:")
    assert "Copy it again." in message.plain_text()
    with qtbot.waitSignal(message.link_activated, timeout=1000) as signal:
        message.text_label.linkActivated.emit("page:3")
    assert signal.args == ["page:3"]
    message.show_message("ok", "")
    assert message.isHidden()


def _wizard_pictures() -> list[str]:
    folder = resources.files("resources").joinpath("illustrations")
    return sorted(f"illustrations/{p.name}" for p in folder.iterdir() if p.name.startswith("wizard-"))


def test_there_is_a_picture_for_every_page_and_app_step() -> None:
    from app.ui.wizard.create_app_steps import STEPS

    pictures = set(_wizard_pictures())
    for steps in STEPS.values():
        for step in steps:
            assert step.illustration in pictures
    for name in ("welcome", "org", "credentials", "signin", "preferences", "sync"):
        assert f"illustrations/wizard-{name}.svg" in pictures


@pytest.mark.parametrize("picture", _wizard_pictures())
def test_illustrations_follow_the_theme_and_render(qapp: object, picture: str) -> None:
    dark_text = themed_svg(picture, _palette(True)).decode().lower()
    for placeholder in (INK, ACCENT, PAPER, SHADE):  # every placeholder follows the dark palette
        assert placeholder not in dark_text
    for dark in (False, True):
        palette = _palette(dark)
        image = render_themed(picture, QSize(120, 75), palette).toImage()
        assert image.format() in (QImage.Format.Format_ARGB32_Premultiplied, QImage.Format.Format_ARGB32)
        painted = sum(1 for x in range(0, 120, 4) for y in range(0, 75, 4) if image.pixelColor(x, y).alpha() > 0)
        assert painted > 20, "the picture drew (almost) nothing"
