"""A message next to the thing it is about: what is wrong (or right), and what to do.

Used under inputs for live validation and for sign-in results. The kind is stated in words as well
as colour ("Check this:", "Done:"), and changes are announced through the accessible description.
An optional link lets a message send the advisor to the step that fixes it.
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.ui.theme import status_colors

Kind = Literal["info", "ok", "warn", "error"]
_STATUS = {"info": "idle", "ok": "ok", "warn": "warn", "error": "error"}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class InlineMessage(QFrame):
    """Hidden while empty. ``show_message(kind, text, fix=..., link=(href, label))``."""

    link_activated = Signal(str)

    def __init__(self, *, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        self.text_label = QLabel()
        self.text_label.setObjectName(f"{name}Text")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.RichText)
        self.text_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.text_label.setOpenExternalLinks(False)
        self.text_label.linkActivated.connect(self.link_activated)
        layout.addWidget(self.text_label)
        self.kind: Kind = "info"
        self.message = ""
        self.fix = ""
        self.hide()

    def show_message(self, kind: Kind, text: str, *, fix: str = "", link: tuple[str, str] | None = None) -> None:
        self.kind, self.message, self.fix = kind, text, fix
        if not text:
            self.clear()
            return
        background, foreground = status_colors(self.palette(), _STATUS[kind])
        parts = [f"<b>{_escape(text)}</b>" if kind in ("error", "warn") else _escape(text)]
        if fix:
            parts.append(_escape(fix))
        if link:
            href, label = link
            # The link takes the message's own text colour: the palette's link blue can vanish on red.
            parts.append(f'<a href="{_escape(href)}" style="color:{foreground.name()}; font-weight:600">'
                         f"{_escape(label)} →</a>")
        self.text_label.setText("<br>".join(parts))
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ background: {background.name()}; border-radius: 6px; }}"
            f"QFrame#{self.objectName()} QLabel {{ color: {foreground.name()}; background: transparent; }}"
        )
        spoken = {"error": "Problem", "warn": "Check", "ok": "Done", "info": "Note"}[kind]
        self.setAccessibleName(f"{spoken}: {text}")
        self.setAccessibleDescription(fix)
        self.show()

    def clear(self) -> None:
        self.message = self.fix = ""
        self.text_label.clear()
        self.setAccessibleName("")
        self.hide()

    def plain_text(self) -> str:
        return " ".join(p for p in (self.message, self.fix) if p)
