"""Load icons, illustrations and stylesheets from the `resources` package.

Monochrome icons are drawn in black in the SVG files and tinted here with the palette's text colour,
so the same file reads well in light and dark themes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources as importlib_resources

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer


@cache
def resource_bytes(relative: str) -> bytes:
    """Read a file shipped in `resources/` (e.g. "icons/app.svg")."""
    return importlib_resources.files("resources").joinpath(relative).read_bytes()


def stylesheet() -> str:
    return resource_bytes("styles/app.qss").decode("utf-8")


def svg_pixmap(relative: str, size: QSize, *, tint: QColor | None = None, ratio: float = 1.0) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(resource_bytes(relative)))
    if not renderer.isValid():
        raise ValueError(f"not a valid SVG resource: {relative}")
    pixmap = QPixmap(size * ratio)
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size.width(), size.height()))
    if tint is not None:
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(QRectF(0, 0, size.width(), size.height()), tint)
    painter.end()
    return pixmap


def icon(relative: str, *, tint: QColor | None = None) -> QIcon:
    result = QIcon()
    for edge in (16, 24, 32, 48):
        for ratio in (1.0, 2.0):
            result.addPixmap(svg_pixmap(relative, QSize(edge, edge), tint=tint, ratio=ratio))
    return result


def app_icon() -> QIcon:
    return icon("icons/app.svg")
