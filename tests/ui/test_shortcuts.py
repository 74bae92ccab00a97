"""Ctrl+Q (Cmd+Q on macOS) quits through the window's close path, from the main window and from any
other window of the app; ``?`` (and the Help menu) lists the keyboard shortcuts, but typing ``?`` in a
text field types it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from app.ui.main_window import MainWindow
from app.ui.shortcuts import ShortcutsDialog, shown_keys


def test_shortcuts_ctrl_q_quits_and_question_mark_lists_them(qtbot: Any) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    field = QLineEdit()
    window.set_page("workspace", field)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    window.sidebar.setFocus()
    qtbot.keyClick(window.sidebar, "?")
    dialog = window.findChild(ShortcutsDialog, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    rows = {dialog.table.item(r, 1).text(): dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())}
    assert rows["Quit Notebridge (your drafts are saved first)"] == shown_keys("Ctrl+Q")
    assert "Show this list" in rows
    dialog.close()

    window.show_section("workspace")
    field.setFocus()
    qtbot.keyClicks(field, "why?")
    assert field.text() == "why?" and not dialog.isVisible(), "a text field types ?, it does not open the list"

    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert window.shortcuts_action in help_menu.actions()

    with qtbot.waitSignal(window.close_requested, timeout=2000):
        qtbot.keyClick(window.sidebar, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    window.show()  # the shell quits on close_requested; here the window stays to be quit again
    other = QWidget()  # an editor window: Ctrl+Q there quits too
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    with qtbot.waitSignal(window.close_requested, timeout=2000):
        qtbot.keyClick(other, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
