"""A small coloured pill that states a status in words (colour is never the only signal)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.ui.theme import status_colors


class StatusBadge(QLabel):
    def __init__(self, text: str = "", kind: str = "idle", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBadge")
        self.set_status(text, kind)

    def set_status(self, text: str, kind: str, tooltip: str = "") -> None:
        self.kind = kind
        self.setText(text)
        self.setToolTip(tooltip)
        self.setAccessibleName(f"Status: {text}")
        background, foreground = status_colors(self.palette(), kind)
        self.setStyleSheet(
            f"QLabel#statusBadge {{ background: {background.name()}; color: {foreground.name()}; }}"
        )
