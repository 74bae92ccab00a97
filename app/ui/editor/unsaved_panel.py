"""What the editor window shows instead of closing when the text could not be saved.

Closing used to succeed on the second try even though the save had failed (a full disk), and the
text was gone.  Now the window stays, says why in plain words and offers ways to keep the text
that do not need the workspace: "Copy text", "Save as file…" — and, as an explicit choice only,
"Close without saving".  The autosave keeps retrying meanwhile; once a save works the panel hides
and closing works as usual.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.services.drafts import WriteFailure, WriteProblem
from app.ui import aio
from app.ui.widgets.inline_message import InlineMessage

log = logging.getLogger(__name__)

TextSource = Callable[[], str]


def _safe_file_name(title: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in " -_.,()" else " " for c in title).strip(" .")
    return " ".join(cleaned.split())[:80] or "Notebridge draft"


class UnsavedPanel(QWidget):
    """Hidden until :meth:`show_failure`.  ``text`` returns what to copy or write."""

    discard_requested = Signal()  # "Close without saving", chosen explicitly
    retry_requested = Signal()

    def __init__(self, text: TextSource, file_title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editorUnsaved")
        self._text = text
        self._file_title = file_title
        self.dialog: QFileDialog | None = None  # the open "Save as file…" dialog, if any
        self.shown_problem: WriteProblem | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 0)
        self.message = InlineMessage(name="editorUnsavedMessage")
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.copy_button = self._button("Copy text", "editorCopyText", self.copy_text)
        self.save_as_button = self._button("Save as file…", "editorSaveAs", aio.slot(self.save_as_file))
        self.retry_button = self._button("Try again", "editorRetrySave", self.retry_requested.emit)
        self.discard_button = self._button("Close without saving", "editorDiscard", self.discard_requested.emit)
        for button in (self.copy_button, self.save_as_button, self.retry_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        layout.addLayout(buttons)
        self.hide()

    def _button(self, label: str, name: str, handler: Callable[[], object]) -> QPushButton:
        button = QPushButton(label)
        button.setObjectName(name)
        button.clicked.connect(handler)
        return button

    def show_failure(self, failure: WriteFailure | None) -> None:
        self.shown_problem = failure.problem if failure is not None else None
        cause = failure.cause if failure is not None else "The last changes are not saved yet."
        self.message.show_message(
            "error", f"This window stays open: your text is not saved. {cause}",
            fix=(failure.fix + " " if failure is not None else "")
            + "To keep the text now, copy it or save it as a file.")
        self.show()

    def copy_text(self) -> None:
        QGuiApplication.clipboard().setText(self._text())
        self.message.show_message("info", "The text is on the clipboard; paste it somewhere safe.",
                                  fix="The window stays open until the text is saved or you close it.")

    async def save_as_file(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        self.dialog = dialog = QFileDialog(self, "Save your text as a file",
                                           str(Path(folder) / f"{_safe_file_name(self._file_title)}.md"),
                                           "Text files (*.md *.txt)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("md")
        try:
            if not await aio.run_dialog(dialog) or not dialog.selectedFiles():
                return
            path = Path(dialog.selectedFiles()[0])
        finally:
            self.dialog = None
            dialog.deleteLater()
        text = self._text()
        try:  # off the UI thread: the disk may be the very thing that is slow or full
            await asyncio.to_thread(path.write_text, text, encoding="utf-8")
        except OSError as exc:
            log.warning("Save as file failed: %s", exc)
            self.message.show_message("error", f"Could not write {path.name}: {exc.strerror or exc}.",
                                      fix="Choose another place, for example a USB stick, or copy the text.")
            return
        self.message.show_message("ok", f"Your text is saved in {path}.",
                                  fix="The window stays open until the draft is saved too, or you close it.")
