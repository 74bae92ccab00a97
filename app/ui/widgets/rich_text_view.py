"""A read-only rich-text block that is as tall as its text, for long lists of links (the client timeline).

Why not a word-wrapped ``QLabel``: a label lays its rich text out again for every height-for-width
question its layout asks, and opening a client asked several.  Measured offscreen on the timeline of
17 entries: set, lay out and paint took 9.2 ms (p50) as a label and 4.7 ms as a text browser, and the
timeline is redrawn on every client the advisor opens.

It keeps the label's small interface that the timeline and its tests use: ``setText``/``text`` (the
HTML as given, not Qt's re-serialised copy), ``linkActivated(str)``.  Links never navigate by
themselves and nothing is fetched: the owner decides what a link does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget


class RichTextView(QTextBrowser):
    """Rich text without its own scroll bar: its height follows its text (the page scrolls instead)."""

    linkActivated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source = ""
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)  # the page's background shows through, as a label's
        self.document().setDocumentMargin(0)
        self.anchorClicked.connect(self._clicked)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit())

    def setText(self, html: str) -> None:
        self._source = html
        self.setHtml(html)
        self._fit()

    def text(self) -> str:
        return self._source

    def _clicked(self, url: QUrl) -> None:
        self.linkActivated.emit(url.toString())

    def _fit(self) -> None:
        self.document().setTextWidth(self.viewport().width())
        height = int(self.document().size().height() + 0.5)
        if self.height() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._fit()
