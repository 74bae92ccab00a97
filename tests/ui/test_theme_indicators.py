"""Radio buttons and check boxes are visible in both themes: on the real settings forms, the ring of
each indicator (unchecked, where only the ring shows) has at least WCAG's 3:1 non-text contrast against
the window behind it.  Under plain Fusion the dark theme's ring was 1.1:1 (nearly invisible)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from app.ui.settings.prospects import ProspectsForm
from app.ui.settings.push_form import PushSettingsForm
from app.ui.theme import _palette, contrast_ratio, tune_indicators


@contextmanager
def _theme(app: QApplication, dark: bool) -> Iterator[QPalette]:
    before = QPalette(app.palette())
    palette = _palette(dark)
    app.setPalette(palette)
    tune_indicators(app)
    try:
        yield palette
    finally:
        app.setPalette(before)
        for name in ("QRadioButton", "QCheckBox", "QListView"):
            app.setPalette(before, cast("bytes", name))  # the binding takes str, its stub says bytes


def _ring_contrast(widget: QRadioButton | QCheckBox, background: QColor) -> float:
    """The strongest contrast any pixel of the (unchecked) indicator has against ``background``."""
    option = QStyleOptionButton()
    option.initFrom(widget)
    element = (QStyle.SubElement.SE_RadioButtonIndicator if isinstance(widget, QRadioButton)
               else QStyle.SubElement.SE_CheckBoxIndicator)
    rect = widget.style().subElementRect(element, option, widget)
    image = widget.grab().toImage()
    return max(contrast_ratio(QColor(image.pixel(x, y)), background)
               for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1))
               for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1)))


@pytest.mark.parametrize("dark", [True, False], ids=["dark", "light"])
def test_theme_indicators_are_visible_on_every_settings_form(qapp: Any, qtbot: Any, dark: bool) -> None:
    if qapp.style().name().lower() != "fusion":
        pytest.skip("the tuning is for Fusion; native styles draw their own indicators")
    with _theme(qapp, dark) as palette:
        host = QWidget()
        host.setAutoFillBackground(True)
        qtbot.addWidget(host)
        forms = [PushSettingsForm(host), ProspectsForm(host)]
        extra = QRadioButton("A choice", host)  # the wizard's choices are radio buttons
        host.show()
        qtbot.waitExposed(host)
        indicators = [w for form in forms for w in form.findChildren(QCheckBox) + form.findChildren(QRadioButton)]
        indicators.append(extra)
        assert len(indicators) >= 4
        background = palette.color(QPalette.ColorRole.Window)
        for widget in indicators:
            widget.setChecked(False)
            assert contrast_ratio(widget.palette().color(QPalette.ColorRole.WindowText), background) >= 4.5
            ring = _ring_contrast(widget, background)
            assert ring >= 3.0, f"{type(widget).__name__} {widget.text()!r}: ring contrast {ring:.2f}"


def test_theme_indicators_plain_fusion_dark_ring_is_what_was_invisible(qapp: Any, qtbot: Any) -> None:
    """The measurement itself tells the defect apart: without the tuning, the dark ring is ~1:1."""
    if qapp.style().name().lower() != "fusion":
        pytest.skip("Fusion only")
    dark = _palette(True)
    host = QWidget()
    host.setPalette(dark)
    host.setAutoFillBackground(True)
    qtbot.addWidget(host)
    radio = QRadioButton("Plain", host)
    radio.setPalette(dark)
    host.show()
    qtbot.waitExposed(host)
    assert _ring_contrast(radio, dark.color(QPalette.ColorRole.Window)) < 2.0


@pytest.mark.parametrize("dark", [True, False], ids=["dark", "light"])
def test_theme_indicators_are_visible_in_lists(qapp: Any, qtbot: Any, dark: bool) -> None:
    """The Fields panel's extra fields are check boxes inside a list: in the dark theme their boxes
    were invisible (seen walking Settings → Sync)."""
    if qapp.style().name().lower() != "fusion":
        pytest.skip("the tuning is for Fusion; native styles draw their own indicators")
    with _theme(qapp, dark):
        fields = QListWidget()
        qtbot.addWidget(fields)
        item = QListWidgetItem("Assets Under Management")
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        fields.addItem(item)
        fields.show()
        qtbot.waitExposed(fields)
        background = fields.palette().color(QPalette.ColorRole.Base)
        rect = fields.visualItemRect(item)
        image = fields.viewport().grab().toImage()
        box = [QColor(image.pixel(x, y)) for x in range(rect.left(), rect.left() + 22)
               for y in range(rect.top(), rect.bottom() + 1)]
        ring = max(contrast_ratio(colour, background) for colour in box)
        assert ring >= 3.0, f"the unticked box's ring contrast is {ring:.2f}"
