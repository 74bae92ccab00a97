"""The dialog an advisor sees when something breaks: plain words, details on demand, one-click copy."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

_open_dialogs: list[QDialog] = []


class CrashDialog(QDialog):
    def __init__(self, headline: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("Notebridge ran into a problem")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.headline, self.details = headline, details
        layout = QVBoxLayout(self)
        title = QLabel(headline)
        title.setObjectName("crashHeadline")
        title.setWordWrap(True)
        title.setStyleSheet("font-weight: 600; font-size: 12pt;")
        layout.addWidget(title)
        explain = QLabel(
            "Your notes and drafts are saved. If this keeps happening, copy the details and send them to "
            "support — they contain no passwords or sign-in tokens."
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        self.details_view = QPlainTextEdit(details)
        self.details_view.setObjectName("crashDetails")
        self.details_view.setReadOnly(True)
        self.details_view.setVisible(False)
        self.details_view.setMinimumHeight(200)
        layout.addWidget(self.details_view)
        buttons = QDialogButtonBox()
        self.toggle_button = QPushButton("Show details")
        self.toggle_button.setObjectName("showDetailsButton")
        self.toggle_button.clicked.connect(self._toggle)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setObjectName("copyDetailsButton")
        self.copy_button.clicked.connect(self.copy_details)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("closeButton")
        buttons.addButton(self.toggle_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 180)

    def _toggle(self) -> None:
        visible = not self.details_view.isVisible()
        self.details_view.setVisible(visible)
        self.toggle_button.setText("Hide details" if visible else "Show details")
        self.adjustSize()

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{self.headline}\n\n{self.details}")
        self.copy_button.setText("Copied")
        QTimer.singleShot(2000, self._reset_copy_label)

    def _reset_copy_label(self) -> None:
        self.copy_button.setText("Copy details")


def show_crash_dialog(headline: str, details: str, parent: QWidget | None = None) -> CrashDialog:
    """Non-blocking (`open()`, not `exec()`): safe to call from a coroutine or an excepthook."""
    dialog = CrashDialog(headline, details, parent)
    _open_dialogs.append(dialog)
    dialog.finished.connect(lambda _result: _open_dialogs.remove(dialog) if dialog in _open_dialogs else None)
    dialog.open()
    return dialog
