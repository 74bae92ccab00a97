"""A value to paste somewhere else, with a Copy button that says "Copied" when it worked.

Advisors copy values from Notebridge into Salesforce's Setup screens; a typo there (a missing
``https://``, ``127.0.0.1`` instead of ``localhost``) breaks the sign-in much later and far from its
cause. So values are shown read-only, copied whole, and the button confirms the copy in words —
feedback that is visible, announced to screen readers, and does not rely on colour.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWidget

COPY_TEXT = "Copy"
COPIED_TEXT = "Copied"
EMPTY_TEXT = "Nothing to copy"
FEEDBACK_MS = 2000


class CopyButton(QPushButton):
    """A button that copies ``text()`` (given by a callable) and says "✓ Copied" for two seconds."""

    copied = Signal(str)
    nothing_to_copy = Signal(str)  # the value is empty: what to type instead (advisor words)

    def __init__(self, get_text: Callable[[], str], *, name: str, what: str, label: str = COPY_TEXT,
                 empty_hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self._label = label
        self._what = what
        self._get_text = get_text
        self.empty_hint = empty_hint or f"There is nothing to copy yet: fill in {what} first."
        self.setObjectName(name)
        self.setAccessibleName(f"{label} {what}" if label == COPY_TEXT else label)
        self.setToolTip(f"Copy {what} to the clipboard")
        self.setAutoDefault(False)  # Enter in the wizard means Next, never "copy"
        metrics = self.fontMetrics()
        widest = max(metrics.horizontalAdvance(t) for t in (label, "✓ " + COPIED_TEXT, EMPTY_TEXT))
        self.setMinimumWidth(widest + 28)  # the button never jumps when its text changes
        self.clicked.connect(self.copy)
        self._reset = QTimer(self)
        self._reset.setSingleShot(True)
        self._reset.setInterval(FEEDBACK_MS)
        self._reset.timeout.connect(self._restore)

    def copy(self) -> None:
        text = self._get_text()
        if not text.strip():  # never "✓ Copied" over an empty clipboard: say what to type instead
            self.setText(EMPTY_TEXT)
            self.setAccessibleDescription(self.empty_hint)
            self._reset.start()
            self.nothing_to_copy.emit(self.empty_hint)
            return
        QGuiApplication.clipboard().setText(text)
        self.setText("✓ " + COPIED_TEXT)
        self.setAccessibleDescription(f"{self._what} copied to the clipboard")
        self._reset.start()
        self.copied.emit(text)

    def is_showing_copied(self) -> bool:
        return self.text().endswith(COPIED_TEXT)

    def _restore(self) -> None:
        self.setText(self._label)
        self.setAccessibleDescription("")


class CopyField(QWidget):
    """``label`` above a read-only (or editable) line and a Copy button.

    Object names derive from ``name``: the widget itself, ``{name}Value`` (the line edit) and
    ``{name}Copy`` (the button), so UI automation can find each part.
    """

    copied = Signal(str)

    def __init__(
        self,
        label: str,
        value: str = "",
        *,
        name: str,
        editable: bool = False,
        hint: str = "",
        empty_hint: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        self.label = QLabel(label)
        self.label.setObjectName(f"{name}Label")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)

        row = QHBoxLayout()
        row.setSpacing(6)
        self.edit = QLineEdit(value)
        self.edit.setObjectName(f"{name}Value")
        self.edit.setReadOnly(not editable)
        self.edit.setAccessibleName(label)
        if hint:
            self.edit.setAccessibleDescription(hint)
        self.edit.setToolTip(hint or value)
        self.edit.setCursorPosition(0)
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.label.setBuddy(self.edit)
        row.addWidget(self.edit, 1)

        self.button = CopyButton(self.edit.text, name=f"{name}Copy", what=label, empty_hint=empty_hint)
        self.button.copied.connect(self.copied)
        self.button.nothing_to_copy.connect(self._say_what_to_type)
        row.addWidget(self.button, 0)
        layout.addLayout(row)
        self.empty_note = QLabel("")
        self.empty_note.setObjectName(f"{name}Empty")
        self.empty_note.setWordWrap(True)
        self.empty_note.setVisible(False)
        layout.addWidget(self.empty_note)
        self.edit.textChanged.connect(lambda _text: self.empty_note.setVisible(False))

    def _say_what_to_type(self, hint: str) -> None:
        self.empty_note.setText(hint)
        self.empty_note.setVisible(True)
        if self.edit.isReadOnly():
            return
        self.edit.setFocus()

    def value(self) -> str:
        return self.edit.text()

    def set_value(self, value: str) -> None:
        if value != self.edit.text():
            self.edit.setText(value)
            self.edit.setCursorPosition(0)
            if self.edit.isReadOnly():
                self.edit.setToolTip(value)

    def copy(self) -> None:
        self.button.copy()

    def is_showing_copied(self) -> bool:
        return self.button.is_showing_copied()

