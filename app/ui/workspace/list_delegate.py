"""Paints a contact row: name on the first line, "title · account · city" under it (led by
"Similar name" for a search result one typo away from what was typed).

Painting (rather than a widget per row) is what lets the list hold 100,000 rows: only the rows on
screen cost anything, and every row has the same height (``uniformItemSizes``).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.services.clients import ContactSummary
from app.ui.workspace.list_model import SIMILAR_NOTE, SimilarRole, SummaryRole

_PAD_X = 12
_PAD_Y = 6
_GAP = 2


def secondary_text(summary: ContactSummary, *, similar: bool = False) -> str:
    kind = {"Lead": "Lead", "Account": "Household"}.get(summary.source_object)
    parts = [SIMILAR_NOTE if similar else None, kind if kind else None, summary.title, summary.account_name,
             summary.city]
    text = " · ".join(p for p in parts if p)
    if summary.read_only:
        text = ("Converted lead (read-only) · " + text) if text else "Converted lead (read-only)"
    return text


class ContactDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, _PAD_Y * 2 + metrics.height() * 2 + _GAP)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        self.initStyleOption(option, index)
        widget = option.widget
        style = widget.style() if widget is not None else None
        painter.save()
        option_text = option.text
        option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = option.palette
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect: QRect = option.rect.adjusted(_PAD_X, _PAD_Y, -_PAD_X, -_PAD_Y)
        summary = index.data(SummaryRole)
        bold = QFont(option.font)
        bold.setBold(True)
        line = QFontMetrics(bold).height()
        painter.setPen(palette.color(role))
        painter.setFont(bold)
        name = summary.name if isinstance(summary, ContactSummary) else option_text
        elided = QFontMetrics(bold).elidedText(name or "", Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), line), Qt.AlignmentFlag.AlignVCenter, elided)
        if isinstance(summary, ContactSummary):
            second = secondary_text(summary, similar=bool(index.data(SimilarRole)))
            font = QFont(option.font)
            painter.setFont(font)
            if not selected:
                painter.setPen(palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText))
            metrics = QFontMetrics(font)
            text = metrics.elidedText(second, Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(QRect(rect.left(), rect.top() + line + _GAP, rect.width(), metrics.height()),
                             Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()
