"""Item 25: window size, position and the workspace splitter are remembered between launches — in an
INI file under the app's config directory, holding layout only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QLabel, QSplitter, QWidget

from app.paths import paths as app_paths
from app.paths import set_data_dir
from app.ui.main_window import MainWindow
from app.ui.window_layout import FILE_NAME, WindowLayout


def _page_with_splitter() -> tuple[QWidget, QSplitter]:
    page = QWidget()
    splitter = QSplitter(page)
    splitter.setObjectName("workspaceSplitter")  # as the workspace page names its splitter
    splitter.addWidget(QLabel("list"))
    splitter.addWidget(QLabel("detail"))
    splitter.resize(900, 400)
    return page, splitter


def _launch(path: Path, qtbot: Any) -> tuple[MainWindow, QSplitter]:
    window = MainWindow(WindowLayout(path))
    qtbot.addWidget(window)
    page, splitter = _page_with_splitter()
    window.set_page("workspace", page)
    window.show()
    qtbot.waitExposed(window)
    return window, splitter


def test_window_layout_survives_a_relaunch(tmp_path: Path, qtbot: Any) -> None:
    path = tmp_path / "config" / FILE_NAME
    first, splitter = _launch(path, qtbot)
    first.resize(771, 533)  # fits the offscreen screen (restoreGeometry keeps windows on it)
    splitter.setSizes([200, 700])
    chosen = splitter.sizes()
    first.close()
    assert path.exists()
    saved = path.read_text(encoding="latin-1").lower()
    assert "secret" not in saved and "token" not in saved and "geometry" in saved

    second, splitter2 = _launch(path, qtbot)
    assert (second.width(), second.height()) == (771, 533)
    assert splitter2.sizes() == chosen
    second.close()


def test_window_layout_default_when_nothing_was_saved_or_it_is_damaged(tmp_path: Path, qtbot: Any) -> None:
    path = tmp_path / FILE_NAME
    path.write_text("[window]\ngeometry=not a geometry\n", encoding="utf-8")
    window = MainWindow(WindowLayout(path))
    qtbot.addWidget(window)
    assert (window.width(), window.height()) == (1100, 720)


def test_window_layout_file_is_in_the_config_dir(tmp_path: Path) -> None:
    set_data_dir(tmp_path)
    try:
        layout = WindowLayout.at(app_paths())
        assert layout.path.parent == app_paths().config
    finally:
        set_data_dir(None)
