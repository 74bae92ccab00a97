"""The app icon for the frozen bundle, rendered from ``resources/icons/app.svg`` at build time.

The window icon at run time comes from the same SVG (``app.ui.resources.app_icon``); the executable
and the macOS bundle need it in their own formats — ``.ico`` for Windows, ``.icns`` for macOS — which
Qt writes itself, so the build needs no image tool and the icon can never drift from the SVG.
Linux executables carry no icon: the desktop entry names it (``packaging/linux/notebridge.desktop``).
"""

from __future__ import annotations

import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "resources" / "icons" / "app.svg"
SIZE = 256  # the largest size Windows shows; macOS scales from it

FORMATS = {"win32": "ico", "darwin": "icns"}


def render_icon(out_dir: Path, fmt: str, size: int = SIZE) -> Path:
    """Render the app icon as ``out_dir/notebridge.<fmt>`` (png, ico or icns) and return its path."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise RuntimeError(f"cannot read the app icon {SOURCE}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"notebridge.{fmt}"
    if not image.save(str(target), fmt):
        raise RuntimeError(f"Qt cannot write a .{fmt} icon to {target}")
    return target


def icon_for_this_platform(out_dir: Path) -> str | None:
    """What build.spec passes as ``icon=``: the platform's icon file, or None on Linux."""
    fmt = FORMATS.get(sys.platform)
    return str(render_icon(out_dir, fmt)) if fmt else None
