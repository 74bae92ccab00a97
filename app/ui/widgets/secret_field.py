"""A masked input with a Show/Hide toggle, for secrets the advisor pastes and wants to check."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget


class SecretField(QWidget):
    """``edit`` (object name ``name``) masked by default; ``toggle`` (``{name}Show``) reveals it."""

    def __init__(self, *, name: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Field")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.edit = QLineEdit()
        self.edit.setObjectName(name)
        self.edit.setAccessibleName(accessible_name)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.edit, 1)
        self.toggle = QPushButton("Show")
        self.toggle.setObjectName(f"{name}Show")
        self.toggle.setCheckable(True)
        self.toggle.setAutoDefault(False)
        self.toggle.setAccessibleName(f"Show {accessible_name}")
        metrics = self.toggle.fontMetrics()
        self.toggle.setMinimumWidth(max(metrics.horizontalAdvance(t) for t in ("Show", "Hide")) + 28)
        self.toggle.toggled.connect(self._set_visible)
        layout.addWidget(self.toggle)

    def _set_visible(self, visible: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if visible else QLineEdit.EchoMode.Password)
        self.toggle.setText("Hide" if visible else "Show")
        self.toggle.setAccessibleName(f"{'Hide' if visible else 'Show'} {self.edit.accessibleName()}")

    def is_revealed(self) -> bool:
        return self.edit.echoMode() == QLineEdit.EchoMode.Normal

    def text(self) -> str:
        return self.edit.text()

    def setText(self, text: str) -> None:
        self.edit.setText(text)
