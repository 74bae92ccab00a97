"""The strip across the top of the demo workspace: what this is, and the two ways out of it.

It says in words that the clients are made up, so nobody mistakes the demo for their own book, and
offers "Connect your Salesforce…" (the wizard, for a real org, in the real workspace) and "Reset demo
data". Colours are the palette's roles only, so it reads the same in the light and dark themes.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

TITLE = "Demo org — made-up clients"
TEXT = "Everything here is sample data on this computer. Nothing you write reaches a real Salesforce."
CONNECT = "Connect your Salesforce…"
RESET = "Reset demo data"

STYLE = """
QFrame#demoBanner { background: palette(base); border: none; border-bottom: 1px solid palette(mid);
                    border-left: 4px solid palette(highlight); }
QFrame#demoBanner QLabel { color: palette(text); background: transparent; }
QLabel#demoBannerTitle { font-weight: 600; }
"""


class DemoBanner(QFrame):
    connect_requested = Signal()
    reset_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoBanner")
        self.setAccessibleName(TITLE)
        self.setStyleSheet(STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        self.title = QLabel(TITLE)
        self.title.setObjectName("demoBannerTitle")
        self.text = QLabel(TEXT)
        self.text.setObjectName("demoBannerText")
        self.text.setWordWrap(True)
        self.status = QLabel()  # "Opening the demo org…", or why it could not open
        self.status.setObjectName("demoBannerStatus")
        self.status.setWordWrap(True)
        self.status.hide()
        self.connect_button = QPushButton(CONNECT)
        self.connect_button.setObjectName("demoBannerConnect")
        self.connect_button.setToolTip("Set up Notebridge with your own org. The demo and its data stay apart.")
        self.connect_button.clicked.connect(self.connect_requested)
        self.reset_button = QPushButton(RESET)
        self.reset_button.setObjectName("demoBannerReset")
        self.reset_button.setToolTip("Delete what you made in the demo and start it again with fresh made-up clients.")
        self.reset_button.clicked.connect(self.reset_requested)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.reset_button)
        layout.addWidget(self.connect_button)

    def say(self, text: str) -> None:
        """A short state in place of the explanation (empty: back to the explanation)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.text.setVisible(not text)

    def set_busy(self, busy: bool) -> None:
        self.reset_button.setEnabled(not busy)
