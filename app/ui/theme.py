"""Light, dark or follow-the-system, on the platform's own style.

We keep the native style (Windows 11, macOS, Fusion on Linux) and only ask Qt for a colour scheme;
every colour in our stylesheet comes from the palette, so both schemes stay legible.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

Theme = Literal["system", "light", "dark"]


def apply_theme(app: QGuiApplication, theme: Theme) -> None:
    hints = app.styleHints()
    scheme = {
        "system": Qt.ColorScheme.Unknown,
        "light": Qt.ColorScheme.Light,
        "dark": Qt.ColorScheme.Dark,
    }[theme]
    if hasattr(hints, "setColorScheme"):  # Qt >= 6.8
        hints.setColorScheme(scheme)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def accent(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Highlight)


def status_colors(palette: QPalette, kind: str) -> tuple[QColor, QColor]:
    """(background, text) for a status badge that stays readable in both schemes."""
    dark = is_dark(palette)
    table = {
        "ok": ("#1f5f3a", "#d5f5e3") if dark else ("#dff3e7", "#14532d"),
        "warn": ("#6b4a10", "#fde9c0") if dark else ("#fdf0d5", "#7a4a00"),
        "error": ("#6e1f1f", "#ffd8d8") if dark else ("#fde0e0", "#8a1414"),
        "idle": ("#3a3f47", "#dde2e8") if dark else ("#e8ebef", "#3a4048"),
    }
    background, text = table.get(kind, table["idle"])
    return QColor(background), QColor(text)
