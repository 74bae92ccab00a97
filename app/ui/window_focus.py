"""Bring a window back to the front after the browser had the focus (the sign-in's callback arrived)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget


def bring_to_front(widget: QWidget) -> None:
    """Raise and activate ``widget``'s window (un-minimising it) so the advisor sees the next step.

    Window managers may refuse to hand over the focus; then the window at least asks for attention.
    """
    window = widget.window()
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.raise_()
    window.activateWindow()
    if not window.isActiveWindow():
        QApplication.alert(window)
