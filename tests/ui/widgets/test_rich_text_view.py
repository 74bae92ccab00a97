"""The timeline's rich-text block: as tall as its text (no scroll bar of its own), its links reported
and never followed, and ``text()`` the HTML as given (the tests of the timeline read it)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.ui.widgets.rich_text_view import RichTextView


def test_rich_text_view_grows_with_its_text_and_reports_links(qtbot: Any) -> None:
    host = QWidget()
    column = QVBoxLayout(host)
    view = RichTextView()
    column.addWidget(view)
    column.addStretch(1)
    qtbot.addWidget(host)
    host.resize(400, 800)
    host.show()
    qtbot.waitExposed(host)

    view.setText("<p>One line</p>")
    short = view.height()
    many = "".join(f"<li><a href='hist:{i}'>Entry {i}</a> — Beneficiary &lt;b&gt;review&lt;/b&gt;</li>"
                   for i in range(30))
    view.setText(f"<ul>{many}</ul>")
    assert view.height() > 5 * short, "the block grows with its text instead of scrolling inside"
    assert view.document().size().height() <= view.height() + 1
    assert view.text() == f"<ul>{many}</ul>"

    heard: list[str] = []
    view.linkActivated.connect(heard.append)
    view.anchorClicked.emit(QUrl("hist:7"))
    assert heard == ["hist:7"]
    assert view.source().isEmpty(), "a link is reported, never followed"
