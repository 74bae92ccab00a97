"""An empty state: a picture, a headline, one sentence of what to do, and the button that does it.

Every screen that can be empty uses this, so an advisor is never left looking at a blank pane.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.ui.resources import svg_pixmap


class EmptyState(QWidget):
    action_clicked = Signal()
    TEXT_WIDTH = 460  # a comfortable line length; narrower panes get their own width (resizeEvent)

    def __init__(
        self,
        *,
        name: str,
        illustration: str | None,
        title: str,
        text: str,
        action: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.setSpacing(12)
        layout.addStretch(1)
        if illustration:
            picture = QLabel()
            picture.setObjectName(f"{name}Picture")
            picture.setPixmap(svg_pixmap(illustration, QSize(240, 140), ratio=self.devicePixelRatioF()))
            picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(picture)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("emptyStateTitle")
        self.title_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title_label.setWordWrap(True)
        self.title_label.setFixedWidth(self.TEXT_WIDTH)
        layout.addWidget(self.title_label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.text_label = QLabel(text)
        self.text_label.setObjectName("emptyStateText")
        self.text_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text_label.setWordWrap(True)
        self.text_label.setFixedWidth(self.TEXT_WIDTH)
        self.text_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        layout.addWidget(self.text_label, 0, Qt.AlignmentFlag.AlignHCenter)
        self.button: QPushButton | None = None
        if action:
            self.button = QPushButton(action)
            self.button.setObjectName(f"{name}Action")
            self.button.setProperty("class", "primary")
            self.button.setDefault(True)
            self.button.clicked.connect(self.action_clicked)
            layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Wrapped labels need a definite width: the reading width, or the pane's if that is narrower."""
        width = max(160, min(self.TEXT_WIDTH, self.width() - 32))
        self.title_label.setFixedWidth(width)
        self.text_label.setFixedWidth(width)
        super().resizeEvent(event)
