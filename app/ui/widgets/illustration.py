"""An SVG illustration drawn in the current palette's colours, so one file suits light and dark.

Illustration files use four fixed colours as placeholders, replaced before rendering:

==========  =========  =============================================
placeholder  colour    becomes
==========  =========  =============================================
ink          #1d2127   the palette's text colour (lines, text bars)
accent       #2f6fd0   the palette's highlight (what to click)
paper        #ffffff   the palette's base (window and form surfaces)
shade        #dfe3e8   a mix of base and text (panels, inactive parts)
==========  =========  =============================================

Anything else in a file is drawn as is. Re-rendered when the palette or the screen's pixel ratio
changes, so switching theme or moving the window between monitors keeps it crisp and legible.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPixmap, QShowEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from app.ui.resources import resource_bytes

INK, ACCENT, PAPER, SHADE = "#1d2127", "#2f6fd0", "#ffffff", "#dfe3e8"


def _mix(a: QColor, b: QColor, weight: float) -> QColor:
    return QColor(
        round(a.red() * (1 - weight) + b.red() * weight),
        round(a.green() * (1 - weight) + b.green() * weight),
        round(a.blue() * (1 - weight) + b.blue() * weight),
    )


def themed_svg(relative: str, palette: QPalette) -> bytes:
    """The SVG text of ``relative`` with the placeholder colours replaced from ``palette``."""
    text = resource_bytes(relative).decode("utf-8")
    base = palette.color(QPalette.ColorRole.Base)
    ink = palette.color(QPalette.ColorRole.Text)
    replacements = {
        INK: ink.name(),
        ACCENT: palette.color(QPalette.ColorRole.Highlight).name(),
        PAPER: base.name(),
        SHADE: _mix(base, ink, 0.14).name(),
    }
    for placeholder, colour in replacements.items():
        text = text.replace(placeholder, colour).replace(placeholder.upper(), colour)
    return text.encode("utf-8")


def render_themed(relative: str, size: QSize, palette: QPalette, ratio: float = 1.0) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(themed_svg(relative, palette)))
    if not renderer.isValid():
        raise ValueError(f"not a valid SVG resource: {relative}")
    pixmap = QPixmap(size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
    painter.end()
    return pixmap


class Illustration(QLabel):
    """A fixed-size picture with an accessible description (pictures explain, text still decides)."""

    def __init__(
        self, relative: str, size: QSize, *, name: str, description: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(description)
        self.setToolTip(description)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._relative = relative
        self._size = size
        self._rendered_for: tuple[str, str, float] | None = None
        self.setFixedSize(size)
        self._render()

    @property
    def resource(self) -> str:
        return self._relative

    def _render(self) -> None:
        # The application's palette, not the widget's: a style sheet (``background: transparent``)
        # rewrites the widget's Base colour, and the picture must follow the theme, not the sheet.
        palette = QGuiApplication.palette()
        ratio = self.devicePixelRatioF()
        key = (self._relative, palette.color(QPalette.ColorRole.Text).name() +
               palette.color(QPalette.ColorRole.Base).name(), ratio)
        if key == self._rendered_for:
            return
        self._rendered_for = key
        self.setPixmap(render_themed(self._relative, self._size, palette, ratio))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange,
                            QEvent.Type.ApplicationPaletteChange):
            self._render()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        self._render()  # the pixel ratio is only known for sure once on a screen
        super().showEvent(event)
