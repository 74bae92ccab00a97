"""A small chart of the org's API usage over the last 24 hours, drawn with QPainter.

Top: the org's usage as a share of its daily allowance (all apps together), with a dashed line where
Notebridge pauses to leave the reserve for other apps.  Bottom strip: Notebridge's own calls per hour,
on its own scale — they are usually a sliver of the org's total and would vanish on the same axis.
Colours come from the palette, so the chart reads in light and dark.  (QtCharts is not part of
pyside6-essentials, and a dozen lines of painting is all this needs.)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.services.usage import UsageSample
from app.ui.theme import is_dark
from app.wording import counted

SPAN = timedelta(hours=24)


def hourly_own_calls(samples: Sequence[UsageSample], now: datetime) -> list[int]:
    """Notebridge's calls in each of the last 24 hours (oldest first)."""
    hours = [0] * 24
    start = now - SPAN
    for sample in samples:
        offset = (sample.taken_at - start).total_seconds()
        if 0 <= offset <= SPAN.total_seconds():
            hours[min(23, int(offset // 3600))] += sample.own_calls
    return hours


class UsageChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("usageChart")
        self.setMinimumHeight(210)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.samples: list[UsageSample] = []
        self.limit: int | None = None
        self.pause_at: int | None = None
        self.now: datetime | None = None
        self.setAccessibleName("API usage over the last 24 hours")

    def sizeHint(self) -> QSize:
        return QSize(560, 210)

    def set_data(self, samples: Sequence[UsageSample], limit: int | None, pause_at: int | None,
                 now: datetime) -> None:
        self.samples, self.limit, self.pause_at, self.now = list(samples), limit, pause_at, now
        if self.samples and limit:
            last = self.samples[-1]
            own = sum(s.own_calls for s in self.samples)
            self.setAccessibleDescription(
                f"Latest: {last.used:,} of {counted(limit, 'call')} used. "
                f"Notebridge made {counted(own, 'call')} in 24 hours.")
        else:
            self.setAccessibleDescription("No usage reported yet.")
        self.update()

    # -- painting ---------------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        fm = QFontMetrics(self.font())
        left = fm.horizontalAdvance("100%") + 10
        right = 8
        top = 6
        strip = 30 + fm.height()  # Notebridge's own calls, under a one-line caption
        axis = fm.height() + 4
        width = self.width() - left - right
        main = QRectF(left, top, width, self.height() - top - strip - axis - 10)
        bars = QRectF(left, main.bottom() + 8, width, strip)
        painter.fillRect(main, palette.color(QPalette.ColorRole.Base))
        painter.fillRect(bars, palette.color(QPalette.ColorRole.Base))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawRect(main)
        painter.drawRect(bars)

        now = self.now or datetime.now().astimezone()
        self._draw_time_axis(painter, fm, bars, now, muted)
        painter.setPen(muted)
        for share in (0.0, 0.5, 1.0):
            y = main.bottom() - share * main.height()
            label = f"{share:.0%}"
            painter.drawText(QRectF(0, y - fm.height() / 2, left - 6, fm.height()),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
            if 0 < share < 1:
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Midlight), 1, Qt.PenStyle.DotLine))
                painter.drawLine(QPointF(main.left(), y), QPointF(main.right(), y))
                painter.setPen(muted)

        if not self.samples or not self.limit:
            painter.setPen(text)
            painter.drawText(main, int(Qt.AlignmentFlag.AlignCenter),
                             "No usage reported yet. It appears after Notebridge first talks to Salesforce.")
            painter.end()
            return
        self._draw_usage(painter, main, now)
        self._draw_pause_line(painter, fm, main, text)
        self._draw_own_bars(painter, fm, bars, now, muted)
        painter.end()

    def _x(self, rect: QRectF, at: datetime, now: datetime) -> float:
        offset = (at - (now - SPAN)).total_seconds() / SPAN.total_seconds()
        return rect.left() + max(0.0, min(1.0, offset)) * rect.width()

    def _y(self, rect: QRectF, used: int) -> float:
        share = min(1.0, used / self.limit) if self.limit else 0.0
        return rect.bottom() - share * rect.height()

    def _draw_usage(self, painter: QPainter, rect: QRectF, now: datetime) -> None:
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        path = QPainterPath()
        points = [QPointF(self._x(rect, s.taken_at, now), self._y(rect, s.used)) for s in self.samples]
        path.moveTo(points[0].x(), rect.bottom())
        for point in points:
            path.lineTo(point)
        path.lineTo(points[-1].x(), rect.bottom())
        path.closeSubpath()
        fill = QColor(accent)
        fill.setAlpha(70 if is_dark(self.palette()) else 45)
        painter.fillPath(path, fill)
        painter.setPen(QPen(accent, 2))
        for a, b in itertools.pairwise(points):
            painter.drawLine(a, b)
        painter.setBrush(accent)
        painter.drawEllipse(points[-1], 3, 3)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _draw_pause_line(self, painter: QPainter, fm: QFontMetrics, rect: QRectF, text: QColor) -> None:
        if self.pause_at is None or not self.limit:
            return
        y = self._y(rect, self.pause_at)
        warn = QColor("#e0a030") if is_dark(self.palette()) else QColor("#a05a00")
        painter.setPen(QPen(warn, 1.5, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        label = "Notebridge pauses here"
        box = QRectF(rect.left() + 6, y + 2, fm.horizontalAdvance(label) + 8, fm.height())
        if box.bottom() > rect.bottom():
            box.moveBottom(y - 2)
        painter.setPen(warn)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), label)

    def _draw_own_bars(self, painter: QPainter, fm: QFontMetrics, rect: QRectF, now: datetime,
                       muted: QColor) -> None:
        hours = hourly_own_calls(self.samples, now)
        peak = max(hours)
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        slot = rect.width() / 24
        caption_box = QRectF(rect.left() + 6, rect.top() + 1, rect.width() - 12, fm.height())
        rect = rect.adjusted(0, fm.height() + 2, 0, 0)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(accent)
        for n, calls in enumerate(hours):
            if not calls:
                continue
            height = max(2.0, (rect.height() - 4) * calls / peak)
            painter.drawRect(QRectF(rect.left() + n * slot + 1, rect.bottom() - height, max(1.0, slot - 2), height))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(muted)
        caption = (f"Notebridge's own calls per hour (up to {peak:,})" if peak
                   else "Notebridge made no calls in the last 24 hours")
        painter.drawText(caption_box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), caption)

    def _draw_time_axis(self, painter: QPainter, fm: QFontMetrics, rect: QRectF, now: datetime,
                        muted: QColor) -> None:
        painter.setPen(muted)
        local_now = now.astimezone()
        for hours_ago in (24, 18, 12, 6, 0):
            at = local_now - timedelta(hours=hours_ago)
            x = rect.left() + (24 - hours_ago) / 24 * rect.width()
            label = "now" if hours_ago == 0 else at.strftime("%H:%M")
            w = fm.horizontalAdvance(label) + 4
            box = QRectF(x - w / 2, rect.bottom() + 3, w, fm.height())
            if box.left() < rect.left():
                box.moveLeft(rect.left())
            if box.right() > rect.right():
                box.moveRight(rect.right())
            painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter), label)
