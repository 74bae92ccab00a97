"""What a reader sees in a note, as comparable values: from the editor's document and from the
HTML Salesforce returns.

A block is ``(kind, depth, runs)``: kind ``"p"`` (a paragraph; a heading reads as a bold one — the
Notes editor has no headings), ``"ul"``/``"ol"`` (an item of a bulleted/numbered list, ``depth`` its
nesting from 1).  Runs are ``(text, bold, italic, href)`` with whitespace collapsed and neighbours of
the same look merged; an empty block is not shown and is left out.
"""

from __future__ import annotations

from html.parser import HTMLParser

from PySide6.QtGui import QFont, QTextDocument, QTextListFormat

Run = tuple[str, bool, bool, str | None]
Block = tuple[str, int, tuple[Run, ...]]

_ORDERED = {QTextListFormat.Style.ListDecimal, QTextListFormat.Style.ListLowerAlpha,
            QTextListFormat.Style.ListUpperAlpha, QTextListFormat.Style.ListLowerRoman,
            QTextListFormat.Style.ListUpperRoman}


def _tidy(runs: list[Run]) -> tuple[Run, ...]:
    """Whitespace collapsed (a space takes the look of the text before it: it reads the same), the
    ends stripped, and neighbouring runs of one look merged."""
    chars: list[tuple[str, tuple[bool, bool, str | None]]] = []
    for text, bold, italic, href in runs:
        for ch in text:
            if ch.isspace():
                if chars and chars[-1][0] != " ":
                    chars.append((" ", chars[-1][1]))
            else:
                chars.append((ch, (bold, italic, href)))
    while chars and chars[-1][0] == " ":
        chars.pop()
    merged: list[Run] = []
    for ch, look in chars:
        if merged and merged[-1][1:] == look:
            merged[-1] = (merged[-1][0] + ch, *look)
        else:
            merged.append((ch, *look))
    return tuple(merged)


def editor_shape(document: QTextDocument) -> list[Block]:
    blocks: list[Block] = []
    block = document.begin()
    while block.isValid():
        heading = block.blockFormat().headingLevel() > 0
        runs: list[Run] = []
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            href = fmt.anchorHref() if fmt.isAnchor() and fmt.anchorHref() else None
            runs.append((fragment.text().replace("\u2028", " "), heading or fmt.fontWeight() >= QFont.Weight.Bold,
                         fmt.fontItalic(), href))
            it += 1
        text_list = block.textList()
        if text_list is not None:
            style = text_list.format().style()
            kind, depth = ("ol" if style in _ORDERED else "ul"), max(1, text_list.format().indent())
        else:
            kind, depth = "p", 0
        tidy = _tidy(runs)
        if tidy:
            blocks.append((kind, depth, tidy))
        block = block.next()
    return blocks


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.lists: list[str] = []
        self.runs: list[Run] = []
        self.bold = self.italic = 0
        self.href: str | None = None
        self.where: tuple[str, int] = ("p", 0)

    def flush(self) -> None:
        tidy = _tidy(self.runs)
        if tidy:
            self.blocks.append((*self.where, tidy))
        self.runs = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "p":
            self.flush()
            if not self.lists:
                self.where = ("p", 0)
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.append(tag)
        elif tag == "li":
            self.flush()
            self.where = (self.lists[-1], len(self.lists))
        elif tag in ("b", "strong"):
            self.bold += 1
        elif tag in ("i", "em"):
            self.italic += 1
        elif tag == "a":
            self.href = dict(attrs).get("href")
        elif tag == "br":
            self.runs.append((" ", bool(self.bold), bool(self.italic), self.href))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li"):
            self.flush()
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.pop()
            self.where = (self.lists[-1], len(self.lists)) if self.lists else ("p", 0)
        elif tag in ("b", "strong"):
            self.bold -= 1
        elif tag in ("i", "em"):
            self.italic -= 1
        elif tag == "a":
            self.href = None

    def handle_data(self, data: str) -> None:
        self.runs.append((data, bool(self.bold), bool(self.italic), self.href))


def html_shape(markup: str) -> list[Block]:
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    reader.flush()
    return reader.blocks
