"""Qt's notes about the session that are not problems are not logged as warnings (issue 21)."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import QtMsgType

from app.ui.application import _qt_message


@pytest.mark.parametrize(("message", "level"), [
    ("QStandardPaths: XDG_RUNTIME_DIR not set, defaulting to '/tmp/runtime-advisor'", logging.DEBUG),
    # A runtime folder someone else could read is a real problem of the session: still a warning.
    ("QStandardPaths: wrong permissions on runtime directory /run/user/1000, 0755 instead of 0700",
     logging.WARNING),
    ("QFont::setPointSize: Point size <= 0 (0), must be greater than 0", logging.WARNING),
])
def test_quiet_start_qt_runtime_dir_note_is_debug_only(
        caplog: pytest.LogCaptureFixture, message: str, level: int) -> None:
    with caplog.at_level(logging.DEBUG, logger="qt"):
        _qt_message(QtMsgType.QtWarningMsg, None, message)
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [("qt", level, message)]
