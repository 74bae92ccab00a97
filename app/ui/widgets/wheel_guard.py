"""Scrolling a page never changes a setting by accident.

Qt gives combo boxes and spin boxes the wheel as soon as the pointer is over them, even when they do not
have the keyboard focus: an advisor scrolling down Settings → Sync with the wheel changed "Fields of:"
from Contacts to Accounts without noticing (seen walking the page).  Once a page scrolls under a
stationary pointer, every choice that passes under it is one wheel notch from changing.

``WheelGuard`` is installed once on the application.  A choice widget takes the wheel only once the
advisor has clicked or tabbed into it; otherwise the wheel goes to the page that holds it, so the page
scrolls on as the advisor meant.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QWidget

# The widgets whose value a wheel notch changes.  (Sliders and scroll bars are left alone: the wheel is
# what they are for.)
GUARDED = (QComboBox, QAbstractSpinBox)


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


class WheelGuard(QObject):
    """Application-wide event filter: choices take the wheel only when they have the focus."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, GUARDED):
            return False
        if event.type() == QEvent.Type.Polish and watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
            # WheelFocus would give the widget the focus on the very wheel event we mean to pass on.
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        area = _scroll_area_of(watched)
        if area is not None:
            bar = area.verticalScrollBar()
            if bar is not None and bar.isVisible():
                QCoreApplication.sendEvent(bar, event)
        return True  # never changes the value: the advisor did not choose this widget


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Install the guard on ``app`` (kept as the application's child, so it lives as long as the app)."""
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    return guard
