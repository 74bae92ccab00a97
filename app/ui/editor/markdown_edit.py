"""A rich-text box that stores Markdown, and its formatting toolbar.

Qt's own Markdown support (``QTextDocument.toMarkdown`` / ``setMarkdown``, CommonMark with GitHub
dialect) converts both ways, so the advisor edits formatted text and the store keeps plain Markdown
that any tool can read.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QKeySequence,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextListFormat,
)
from PySide6.QtWidgets import QTextEdit, QToolBar, QWidget


class MarkdownEdit(QTextEdit):
    focus_lost = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)  # pasted HTML would carry styles Markdown cannot keep
        self.setTabChangesFocus(True)

    def markdown(self) -> str:
        text = self.document().toMarkdown()
        return text.rstrip("\n") + ("\n" if text.strip() else "")

    def set_markdown(self, text: str) -> None:
        self.document().setMarkdown(text or "")
        self.moveCursor(QTextCursor.MoveOperation.End)

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
