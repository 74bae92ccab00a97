"""The list of steps beside the wizard: where the advisor is, what is done, what is skipped."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.ui.wizard.base import STEP_TITLES, PageId


class StepsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wizardSteps")
        self.setAccessibleName("Setup steps")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 14, 12, 12)
        layout.setSpacing(4)
        self.labels: dict[PageId, QLabel] = {}
        for number, page in enumerate(PageId, start=1):
            label = QLabel()
            label.setObjectName(f"wizardStep_{page.name.lower()}")
            label.setProperty("step", "todo")
            self.labels[page] = label
            layout.addWidget(label)
            label.setText(f"{number}. {STEP_TITLES[page]}")
        layout.addStretch(1)
        self.hidden: set[PageId] = set()
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        bold = QFont(self.font())
        bold.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(bold)
        widest = max(metrics.horizontalAdvance(label.text()) for label in self.labels.values())
        self.setFixedWidth(widest + 2 * 8 + 2 * 12 + 8)  # text + label padding + panel margins + air

    def set_hidden(self, pages: set[PageId]) -> None:
        """Steps this advisor never sees (a firm's setup file answered them): not listed, not counted."""
        self.hidden = set(pages)
        for page, label in self.labels.items():
            label.setVisible(page not in self.hidden)

    def show_position(self, current: int, visited: list[int], skipped: set[PageId]) -> None:
        shown = [(page, label) for page, label in self.labels.items() if page not in self.hidden]
        for number, (page, label) in enumerate(shown, start=1):
            title = STEP_TITLES[page]
            if page in skipped:
                state, text = "skipped", f"{number}. {title}"
            elif int(page) == current:
                state, text = "current", f"{number}. {title}"
            elif int(page) in visited:
                state, text = "done", f"✓ {title}"
            else:
                state, text = "todo", f"{number}. {title}"
            label.setText(text)
            spoken = {"current": "current step", "done": "done", "skipped": "skipped", "todo": "to do"}[state]
            label.setAccessibleName(f"Step {number}, {title}: {spoken}")
            label.setToolTip("Skipped: your admin already created the app" if state == "skipped" else "")
            if label.property("step") != state:
                label.setProperty("step", state)
                label.style().unpolish(label)
                label.style().polish(label)
