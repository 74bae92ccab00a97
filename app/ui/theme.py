"""Light, dark or follow-the-system, on the platform's own style.

We keep the native style (Windows 11, macOS, Fusion on Linux) and ask Qt for a colour scheme. Where the
platform cannot switch schemes (plain X11 without a desktop theme, Qt < 6.8), we fall back to Fusion
with an explicit palette so "dark" still means dark. Every colour in our stylesheet comes from the
palette, so both schemes stay legible.
"""

from __future__ import annotations

from typing import Literal, cast

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

Theme = Literal["system", "light", "dark"]


def _palette(dark: bool) -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    if dark:
        colours = {
            role.Window: "#202225", role.WindowText: "#e6e8eb", role.Base: "#17191c",
            role.AlternateBase: "#24272b", role.ToolTipBase: "#2b2e33", role.ToolTipText: "#e6e8eb",
            role.Text: "#e6e8eb", role.Button: "#2b2e33", role.ButtonText: "#e6e8eb",
            role.BrightText: "#ffffff", role.Highlight: "#3d7fe0", role.HighlightedText: "#ffffff",
            role.Link: "#7fb0ff", role.PlaceholderText: "#8a9099", role.Mid: "#3a3e44",
            role.Midlight: "#33363b", role.Dark: "#111214", role.Light: "#3f434a", role.Shadow: "#000000",
        }
    else:
        colours = {
            role.Window: "#f3f4f6", role.WindowText: "#1d2127", role.Base: "#ffffff",
            role.AlternateBase: "#f6f7f9", role.ToolTipBase: "#ffffff", role.ToolTipText: "#1d2127",
            role.Text: "#1d2127", role.Button: "#f7f8fa", role.ButtonText: "#1d2127",
            role.BrightText: "#ffffff", role.Highlight: "#2f6fd0", role.HighlightedText: "#ffffff",
            role.Link: "#1a5fc4", role.PlaceholderText: "#7a818b", role.Mid: "#c4c9d0",
            role.Midlight: "#e3e6ea", role.Dark: "#9aa1aa", role.Light: "#ffffff", role.Shadow: "#6b7078",
        }
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QColor(value))
    disabled = QColor("#6d737b") if dark else QColor("#9aa0a8")
    for colour_role in (role.Text, role.WindowText, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, colour_role, disabled)
    return palette


def apply_theme(app: QApplication, theme: Theme) -> None:
    hints = app.styleHints()
    scheme = {
        "system": Qt.ColorScheme.Unknown,
        "light": Qt.ColorScheme.Light,
        "dark": Qt.ColorScheme.Dark,
    }[theme]
    if hasattr(hints, "setColorScheme"):  # Qt >= 6.8
        hints.setColorScheme(scheme)
    if hasattr(hints, "colorSchemeChanged") and not app.property("notebridgeTunesIndicators"):
        app.setProperty("notebridgeTunesIndicators", True)  # connect once per application
        hints.colorSchemeChanged.connect(lambda _scheme: tune_indicators(app))
    if theme != "system":
        want_dark = theme == "dark"
        if is_dark(app.palette()) != want_dark:
            # The platform could not switch; Fusion honours an explicit palette everywhere.
            app.setStyle("Fusion")
            app.setPalette(_palette(want_dark))
    tune_indicators(app)


# WCAG 2.1 1.4.11 (non-text contrast): a control's boundary needs 3:1 against what is next to it.
# https://www.w3.org/WAI/WCAG21/Understanding/non-text-contrast.html — a little over, for rounding.
INDICATOR_CONTRAST = 3.2
_INDICATOR_CLASSES = ("QRadioButton", "QCheckBox")
_LIST_CLASS = "QListView"


def _luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else float(((v + 0.055) / 1.055) ** 2.4)

    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + 0.0722 * channel(colour.blue())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor(round(a.red() + (b.red() - a.red()) * t), round(a.green() + (b.green() - a.green()) * t),
                  round(a.blue() + (b.blue() - a.blue()) * t))


def indicator_palette(palette: QPalette, behind: QPalette.ColorRole = QPalette.ColorRole.Window) -> QPalette:
    """``palette`` for radio buttons and check boxes, with their ring visible.

    Fusion draws the indicator's ring in the widget's Window colour made 40% darker
    (``QFusionStylePrivate::outline``; a check box's ring 10% lighter again) on top of the *parent's*
    background — on a dark window that ring is darker than the dark window (contrast 1.1:1: the
    "invisible radio buttons"), and on the light one it is 2:1.  A radio button paints no background of
    its own, so giving it a Window colour moved towards the text colour only moves the ring to 3:1 or
    more, nothing else.  ``behind`` is what the indicator sits on: the window for check boxes, the
    list's Base colour for the check boxes inside a list (the Fields panel's extra fields)."""
    window, text = palette.color(behind), palette.color(QPalette.ColorRole.WindowText)
    tuned = QPalette(palette)
    for step in range(1, 21):
        candidate = _mix(window, text, step / 20)
        ring = candidate.darker(140)  # Fusion's radio ring; its check box ring is that, 10% lighter
        if min(contrast_ratio(ring, window), contrast_ratio(ring.lighter(110), window)) >= INDICATOR_CONTRAST:
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
                tuned.setColor(group, QPalette.ColorRole.Window, candidate)
            break
    return tuned


def tune_indicators(app: QApplication) -> None:
    """Give radio buttons and check boxes a visible ring under Fusion (both schemes); native styles
    (Windows 11, macOS) draw their own and are left alone."""
    if app.style().name().lower() != "fusion":
        return
    tuned = indicator_palette(app.palette())
    for name in _INDICATOR_CLASSES:
        # PySide6's stub types className as bytes, but the binding only accepts str (bytes: ValueError).
        app.setPalette(tuned, cast("bytes", name))
    # Check boxes inside lists are drawn with the list's palette, on its Base colour.
    app.setPalette(indicator_palette(app.palette(), QPalette.ColorRole.Base), cast("bytes", _LIST_CLASS))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def accent(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Highlight)


def status_colors(palette: QPalette, kind: str) -> tuple[QColor, QColor]:
    """(background, text) for a status badge that stays readable in both schemes."""
    dark = is_dark(palette)
    table = {
        "ok": ("#1f5f3a", "#d5f5e3") if dark else ("#dff3e7", "#14532d"),
        "warn": ("#6b4a10", "#fde9c0") if dark else ("#fdf0d5", "#7a4a00"),
        "error": ("#6e1f1f", "#ffd8d8") if dark else ("#fde0e0", "#8a1414"),
        "idle": ("#3a3f47", "#dde2e8") if dark else ("#e8ebef", "#3a4048"),
    }
    background, text = table.get(kind, table["idle"])
    return QColor(background), QColor(text)
