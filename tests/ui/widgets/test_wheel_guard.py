"""Scrolling Settings with the wheel never changes a choice that passes under the pointer.

Found walking Settings → Sync: the page scrolled until "Fields of:" was under the pointer, and the
next wheel notches changed it from Contacts to Accounts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QSpinBox, QVBoxLayout, QWidget

from app.ui.widgets.wheel_guard import WheelGuard, install_wheel_guard

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def guard(qapp: QApplication) -> Iterator[WheelGuard]:
    installed = install_wheel_guard(qapp)
    yield installed
    qapp.removeEventFilter(installed)
    installed.deleteLater()


def wheel_down(widget: QWidget, notches: int = 1) -> None:
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(QPoint(int(centre.x()), int(centre.y())))),
                        QPoint(0, 0), QPoint(0, -120 * notches), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def scrolling_page(qtbot) -> tuple[QScrollArea, QComboBox, QSpinBox]:  # type: ignore[no-untyped-def]  # qtbot is pytest-qt's untyped fixture
    area = QScrollArea()
    inner = QWidget()
    column = QVBoxLayout(inner)
    combo = QComboBox()
    combo.addItems(["Contacts", "Leads", "Accounts"])
    spin = QSpinBox()
    spin.setValue(5)
    column.addWidget(combo)
    column.addWidget(spin)
    for _ in range(40):
        column.addWidget(QComboBox())  # a long page, so there is something to scroll
    area.setWidget(inner)
    area.resize(300, 200)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    return area, combo, spin


def test_wheel_over_an_unfocused_choice_scrolls_the_page_and_keeps_the_choice(qtbot, guard) -> None:  # type: ignore[no-untyped-def]  # pytest-qt fixtures are untyped
    area, combo, spin = scrolling_page(qtbot)
    bar = area.verticalScrollBar()
    assert bar.value() == 0
    wheel_down(combo, 3)
    wheel_down(spin, 3)
    assert combo.currentText() == "Contacts"
    assert spin.value() == 5
    assert bar.value() > 0, "the wheel went to the page, which scrolled"
    assert not combo.hasFocus(), "the wheel does not take the focus either"


def test_wheel_changes_a_choice_the_advisor_has_clicked_into(qtbot, guard) -> None:  # type: ignore[no-untyped-def]  # pytest-qt fixtures are untyped
    _area, combo, _spin = scrolling_page(qtbot)
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    wheel_down(combo)
    assert combo.currentText() == "Leads"


def test_without_the_guard_qt_would_change_the_choice(qtbot) -> None:  # type: ignore[no-untyped-def]  # pytest-qt fixture is untyped
    """The defect the guard exists for, shown on plain Qt (so the tests above can fail)."""
    _area, combo, _spin = scrolling_page(qtbot)
    wheel_down(combo)
    assert combo.currentText() == "Leads"


def test_the_app_installs_the_guard() -> None:
    """The real application object (made in a fresh process: the test run already has its own) guards."""
    probe = (
        "from app.ui.application import create_qapplication\n"
        "from app.ui.widgets.wheel_guard import WheelGuard\n"
        "app = create_qapplication('light')\n"
        "print(sum(isinstance(child, WheelGuard) for child in app.children()))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
