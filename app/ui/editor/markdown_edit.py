"""A rich-text box that stores Markdown, and its formatting toolbar.

Qt's own Markdown support (``QTextDocument.toMarkdown`` / ``setMarkdown``, CommonMark with GitHub
dialect) converts both ways, so the advisor edits formatted text and the store keeps plain Markdown
that any tool can read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QKeyEvent,
    QKeySequence,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextListFormat,
)
from PySide6.QtWidgets import QTextEdit, QToolBar, QWidget

from app.ui.editor.markdown_writer import document_markdown

_PLACEHOLDER = "\u2063"  # INVISIBLE SEPARATOR: never typed, removed right after loading
_EMPTY_ITEM = re.compile(r"^([ \t]*(?:[-*+]|\d+[.)])[ \t]*)$", re.MULTILINE)


class MarkdownEdit(QTextEdit):
    focus_lost = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)  # pasted HTML would carry styles Markdown cannot keep
        self.setTabChangesFocus(True)

    def markdown(self) -> str:
        """What is shown, as Markdown that loads back as the same thing (``markdown_writer``)."""
        return document_markdown(self.document())

    def set_markdown(self, text: str) -> None:
        # Qt's reader turns an empty list item ("- ") into a heading list or a far-indented one (the
        # meeting template's "Action items"); give each a placeholder and take it out after loading.
        self.document().setMarkdown(_EMPTY_ITEM.sub(lambda m: m.group(1).rstrip() + " " + _PLACEHOLDER, text or ""))
        if _PLACEHOLDER in self.document().toRawText():
            cursor = QTextCursor(self.document())
            while True:
                cursor = self.document().find(_PLACEHOLDER, cursor)
                if cursor.isNull():
                    break
                cursor.removeSelectedText()
        self.moveCursor(QTextCursor.MoveOperation.End)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter at the end of a heading starts plain text, as in any word processor (Qt would carry
        the heading on, and a list made there became a heading inside a list)."""
        cursor = self.textCursor()
        at_heading_end = cursor.block().blockFormat().headingLevel() > 0 and cursor.atBlockEnd()
        super().keyPressEvent(event)
        if at_heading_end and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self._plain_block()

    def _plain_block(self) -> None:
        cursor = self.textCursor()
        block = QTextBlockFormat()
        block.setHeadingLevel(0)
        cursor.mergeBlockFormat(block)
        char = QTextCharFormat()
        char.setProperty(QTextCharFormat.Property.FontSizeAdjustment, 0)
        char.setFontWeight(QFont.Weight.Normal)
        cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(char)
        self.mergeCurrentCharFormat(char)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.focus_lost.emit()

    # -- formatting -----------------------------------------------------------------------------------
    def toggle_bold(self) -> None:
        fmt = QTextCharFormat()
        bold = self.fontWeight() < QFont.Weight.Bold
        fmt.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        self.mergeCurrentCharFormat(fmt)

    def toggle_italic(self) -> None:
        fmt = QTextCharFormat()
        fmt.setFontItalic(not self.fontItalic())
        self.mergeCurrentCharFormat(fmt)

    def set_heading(self, level: int) -> None:
        cursor = self.textCursor()
        block = QTextBlockFormat()
        block.setHeadingLevel(level)
        cursor.mergeBlockFormat(block)
        char = QTextCharFormat()
        sizes = {0: 0, 1: 6, 2: 4, 3: 2}
        char.setProperty(QTextCharFormat.Property.FontSizeAdjustment, sizes.get(level, 0) // 2)
        char.setFontWeight(QFont.Weight.Bold if level else QFont.Weight.Normal)
        cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
        cursor.mergeCharFormat(char)

    def toggle_list(self, style: QTextListFormat.Style) -> None:
        cursor = self.textCursor()
        current = cursor.currentList()
        if current is not None and current.format().style() == style:
            block = QTextBlockFormat()
            block.setObjectIndex(-1)
            current.remove(cursor.block())
            cursor.setBlockFormat(block)
            return
        if cursor.block().blockFormat().headingLevel() > 0:
            self._plain_block()  # a list item is never a heading (Salesforce's notes have none)
            cursor = self.textCursor()
        fmt = QTextListFormat()
        fmt.setStyle(style)
        cursor.createList(fmt)


def format_toolbar(edit: MarkdownEdit, parent: QWidget | None = None) -> QToolBar:
    """B, I, H1, H2, •, 1. — with their usual shortcuts, which work while typing in ``edit``."""
    bar = QToolBar(parent)
    bar.setObjectName("formatToolbar")
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    actions: list[tuple[str, str, QKeySequence | QKeySequence.StandardKey, Callable[[], object]]] = [
        ("B", "Bold (Ctrl+B)", QKeySequence.StandardKey.Bold, edit.toggle_bold),
        ("I", "Italic (Ctrl+I)", QKeySequence.StandardKey.Italic, edit.toggle_italic),
        ("H1", "Heading (Ctrl+Alt+1)", QKeySequence("Ctrl+Alt+1"), lambda: edit.set_heading(1)),
        ("H2", "Subheading (Ctrl+Alt+2)", QKeySequence("Ctrl+Alt+2"), lambda: edit.set_heading(2)),
        ("¶", "Normal text (Ctrl+Alt+0)", QKeySequence("Ctrl+Alt+0"), lambda: edit.set_heading(0)),
        ("• List", "Bulleted list (Ctrl+Shift+8)", QKeySequence("Ctrl+Shift+8"),
         lambda: edit.toggle_list(QTextListFormat.Style.ListDisc)),
        ("1. List", "Numbered list (Ctrl+Shift+7)", QKeySequence("Ctrl+Shift+7"),
         lambda: edit.toggle_list(QTextListFormat.Style.ListDecimal)),
    ]
    for text, tip, shortcut, handler in actions:
        action = bar.addAction(text)
        action.setToolTip(tip)
        action.setShortcut(shortcut)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(handler)
        action.setObjectName(f"format{text.replace('•', 'Bullets').replace('.', '').replace(' ', '')}")
        edit.addAction(action)
    bold = bar.actions()[0]
    font = bold.font()
    font.setBold(True)
    bold.setFont(font)
    return bar
