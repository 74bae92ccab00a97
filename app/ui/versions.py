"""Qt version facts for `doctor` and the self-test (kept here: only app.ui imports PySide6)."""

from __future__ import annotations


def qt_versions() -> str:
    import PySide6
    from PySide6.QtCore import qVersion

    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}"
