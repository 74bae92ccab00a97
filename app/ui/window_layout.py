"""Where the window was and how its splitters were set, remembered between launches.

Why a file of our own: QSettings' default (the registry, ~/.config/<org>/<app>.conf) would ignore
``--data-dir``/``NOTEBRIDGE_HOME``, so tests and portable installs would share one layout.  The INI
file lives in the app's config directory (app/paths.py).  Only layout goes here — never secrets,
client data or anything from Salesforce.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QWidget

from app.paths import AppPaths

FILE_NAME = "window.ini"


class WindowLayout:
    """``restore_window``/``save_window`` for the main window; splitters are kept by object name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    @classmethod
    def at(cls, app_paths: AppPaths) -> WindowLayout:
        app_paths.config.mkdir(parents=True, exist_ok=True)
        return cls(app_paths.config / FILE_NAME)

    def restore_window(self, window: QWidget) -> bool:
        """Put ``window`` where it was; False (and the window as it is) when nothing was saved or
        the saved value is unreadable (Qt keeps the window on a screen that still exists)."""
        value = self._settings.value("window/geometry")
        return isinstance(value, QByteArray) and window.restoreGeometry(value)

    def save_window(self, window: QWidget) -> None:
        self._settings.setValue("window/geometry", window.saveGeometry())
        self._settings.sync()

    def restore_splitters(self, root: QWidget) -> None:
        for splitter in _named_splitters(root):
            value = self._settings.value(f"splitters/{splitter.objectName()}")
            if isinstance(value, QByteArray):
                splitter.restoreState(value)

    def save_splitters(self, root: QWidget) -> None:
        for splitter in _named_splitters(root):
            self._settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        self._settings.sync()


def _named_splitters(root: QWidget) -> list[QSplitter]:
    return [s for s in root.findChildren(QSplitter) if s.objectName()]
