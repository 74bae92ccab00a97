"""The editor's document → Markdown that reads back as the same document, in Qt and in Salesforce.

Why not ``QTextDocument.toMarkdown``: it indents a list nested in a numbered item by too little, so
the nested list leaves its parent on the next load ("the Next steps bullet was indented far in"), it
writes a heading typed into a list item as ``- ## …`` (which Salesforce then showed as a bold heading
inside a list), and it wraps lines at 80 columns.  This writer walks the blocks itself: headings,
paragraphs, bulleted and numbered lists nested to any depth (each level indented by its parent's
marker width, as CommonMark requires: https://spec.commonmark.org/0.31.2/#list-items), bold, italic
and links, with every character that would be markup escaped
(https://spec.commonmark.org/0.31.2/#backslash-escapes).
"""

from __future__ import annotations

import re

from PySide6.QtGui import QFont, QTextBlock, QTextDocument, QTextFragment, QTextList, QTextListFormat

_ORDERED = {QTextListFormat.Style.ListDecimal, QTextListFormat.Style.ListLowerAlpha,
            QTextListFormat.Style.ListUpperAlpha, QTextListFormat.Style.ListLowerRoman,
            QTextListFormat.Style.ListUpperRoman}
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>&#!~|])")
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])")
_LINE_START_MARK = re.compile(r"^([-+=>])")
_LINE_SEPARATOR = "\u2028"  # Shift+Enter inside a block


def document_markdown(document: QTextDocument) -> str:
    """The whole document as Markdown; empty paragraphs are dropped, empty list items kept."""
    out: list[str] = []
    levels: list[tuple[int, int]] = []   # open list levels: (indent, marker width)
    previous_list: QTextList | None = None  # the list of the previous block, if any
    variant = 0                          # the marker set of the current list: "-"/"1." or "*"/"1)"
    after_list = False                   # the last line written is a list item (a new list must differ)
    block = document.begin()
    while block.isValid():
        text_list = block.textList()
        body = _inline(block)
        if text_list is None:
            levels.clear()
            previous_list = None
            if body.strip():
                level = block.blockFormat().headingLevel()
                prefix = "#" * min(level, 6) + " " if level > 0 else ""
                out.append("")
                out.append(prefix + _escape_line_start(body.strip(), heading=level > 0))
                after_list = False
        else:
            fmt = text_list.format()
            indent = max(1, fmt.indent())
            while levels and levels[-1][0] >= indent:
                levels.pop()
            if not levels and text_list is not previous_list and (previous_list is None or
                                                                  previous_list.format().indent() >= indent):
                # Two lists in a row would merge into one unless their markers differ
                # (https://spec.commonmark.org/0.31.2/#lists).
                variant = 1 - variant if after_list else 0
                out.append("")
            ordered = fmt.style() in _ORDERED
            if ordered:
                marker = f"{text_list.itemNumber(block) + 1}{')' if variant else '.'} "
            else:
                marker = "* " if variant else "- "
            pad = " " * sum(width for _, width in levels)
            line = _escape_line_start(body.strip()).replace("\n", "\n" + pad + " " * len(marker))
            # An empty first item cannot open a list nested under text (it would read as that
            # text's continuation: https://spec.commonmark.org/0.31.2/#list-items); it shows nothing.
            if body.strip() or not levels or text_list.itemNumber(block) > 0:
                out.append((pad + marker + line).rstrip())
            levels.append((indent, len(marker)))
            previous_list = text_list
            after_list = True
        block = block.next()
    text = "\n".join(out).strip("\n")
    return text + "\n" if text.strip() else ""


def _inline(block: QTextBlock) -> str:
    heading = block.blockFormat().headingLevel() > 0
    in_list = block.textList() is not None
    parts: list[str] = []
    it = block.begin()
    while not it.atEnd():
        # A heading's "##" carries its weight; a heading inside a list item has none, so it is bold.
        parts.append(_fragment(it.fragment(), skip_bold=heading and not in_list, force_bold=heading and in_list))
        it += 1
    return "".join(parts)


def _fragment(fragment: QTextFragment, *, skip_bold: bool, force_bold: bool) -> str:
    fmt = fragment.charFormat()
    raw = fragment.text().replace(_LINE_SEPARATOR, "\n").replace("\ufffc", "")
    core = raw.strip()
    if not core:
        return " " if raw else ""
    lead, tail = raw[: len(raw) - len(raw.lstrip())], raw[len(raw.rstrip()):]
    text = _escape(core)
    bold = force_bold or (not skip_bold and fmt.fontWeight() >= QFont.Weight.Bold)
    italic = fmt.fontItalic()
    if bold and italic:
        text = f"***{text}***"
    elif bold:
        text = f"**{text}**"
    elif italic:
        text = f"*{text}*"
    href = fmt.anchorHref() if fmt.isAnchor() else ""
    if href:
        text = f"[{text}](<{href.replace('<', '%3C').replace('>', '%3E')}>)"
    hard = "\\\n"
    return (lead + text + tail).replace("\n", hard) if "\n" in raw else lead + text + tail


def _escape(text: str) -> str:
    return _INLINE_MARKUP.sub(r"\\\1", text)


def _escape_line_start(text: str, *, heading: bool = False) -> str:
    """What would open a block at a line's start stays text (a "1." or "-" the advisor typed)."""
    if heading:
        return text
    number = _LINE_START_NUMBER.match(text)
    if number:
        return number.group(1) + "\\" + number.group(2) + text[number.end():]
    return _LINE_START_MARK.sub(r"\\\1", text, count=1)
