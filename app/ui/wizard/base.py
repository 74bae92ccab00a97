"""What every wizard page shares: page ids, a scrolling body under a heading, and async hooks.

Pages scroll rather than clip: at 150 % scaling on a 1280×800 screen the wizard has about 850×530
logical pixels, and the Create-the-app page is long by nature. The heading is part of the page (not
QWizard's header) so it looks the same on every platform style and in both themes.
"""

from __future__ import annotations

import asyncio
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.ui import aio
from app.ui.widgets.illustration import Illustration

if TYPE_CHECKING:
    from app.ui.wizard.controller import WizardController


class PageId(IntEnum):
    WELCOME = 0
    ORG = 1
    CREATE_APP = 2
    CREDENTIALS = 3
    SIGN_IN = 4
    PREFERENCES = 5
    FIRST_SYNC = 6


PAGE_KEYS: dict[PageId, str] = {
    PageId.WELCOME: "welcome",
    PageId.ORG: "org",
    PageId.CREATE_APP: "create_app",
    PageId.CREDENTIALS: "credentials",
    PageId.SIGN_IN: "sign_in",
    PageId.PREFERENCES: "preferences",
    PageId.FIRST_SYNC: "first_sync",
}
PAGE_BY_KEY = {key: page for page, key in PAGE_KEYS.items()}
STEP_TITLES: dict[PageId, str] = {
    PageId.WELCOME: "Welcome",
    PageId.ORG: "Your org",
    PageId.CREATE_APP: "Create the app",
    PageId.CREDENTIALS: "Consumer key",
    PageId.SIGN_IN: "Sign in",
    PageId.PREFERENCES: "Preferences",
    PageId.FIRST_SYNC: "First sync",
}
ILLUSTRATION_SIZE = QSize(168, 105)


def heading(text: str, name: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setProperty("class", "wizardSectionTitle")
    label.setWordWrap(True)
    return label


def paragraph(text: str, name: str | None = None, *, rich: bool = False) -> QLabel:
    label = QLabel(text)
    if name:
        label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if rich:
        label.setOpenExternalLinks(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    return label


def choice(button: QWidget, description: str, name: str) -> QWidget:
    """A radio button with its explanation right under it, indented to the button's text."""
    holder = QWidget()
    holder.setObjectName(f"{name}Choice")
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 2)
    layout.setSpacing(0)
    layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
    note = paragraph(description, f"{name}Description")
    note.setProperty("class", "wizardChoiceNote")
    note.setContentsMargins(24, 0, 0, 0)
    layout.addWidget(note)
    return holder


def indented(widget: QWidget, left: int = 26) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(left, 0, 0, 0)
    layout.addWidget(widget)
    return holder


class _ScrollContent(QWidget):
    """Scroll content whose height follows its width (wrapped text), so no needless scroll bar.

    Word-wrapped labels report their minimum height at their narrowest width; QScrollArea would
    take that as the content's minimum height and scroll even when everything fits. Height for
    the actual width is what matters, and the layout provides it through heightForWidth.
    """

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), 0)


class WizardPageBase(QWizardPage):
    """A page with a heading, an optional illustration, and a scrolling body (``self.body``)."""

    navigate_requested = Signal(int)  # PageId the advisor should go to to fix something

    page_id: PageId

    def __init__(
        self,
        controller: WizardController,
        *,
        title: str,
        subtitle: str = "",
        illustration: str | None = None,
        illustration_text: str = "",
    ) -> None:
        super().__init__()
        self.controller = controller
        key = PAGE_KEYS[self.page_id]
        self.setObjectName(f"wizardPage_{key}")
        self.setAccessibleName(title)
        self._tasks: set[asyncio.Task[Any]] = set()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName(f"wizardScroll_{key}")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = _ScrollContent()
        content.setObjectName(f"wizardContent_{key}")
        self.scroll_area.setWidget(content)
        outer.addWidget(self.scroll_area)

        column = QVBoxLayout(content)
        column.setContentsMargins(4, 0, 12, 8)
        column.setSpacing(10)
        top = QHBoxLayout()
        top.setSpacing(16)
        texts = QVBoxLayout()
        texts.setSpacing(6)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("wizardPageTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setAccessibleName(title)
        texts.addWidget(self.title_label)
        self.subtitle_label = paragraph(subtitle, "wizardPageSubtitle")
        self.subtitle_label.setVisible(bool(subtitle))
        texts.addWidget(self.subtitle_label)
        texts.addStretch(1)
        top.addLayout(texts, 1)
        self.illustration: Illustration | None = None
        if illustration:
            self.illustration = Illustration(
                illustration, ILLUSTRATION_SIZE, name=f"wizardPicture_{key}", description=illustration_text
            )
            top.addWidget(self.illustration, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)
        self.body = QVBoxLayout()
        self.body.setSpacing(10)
        column.addLayout(self.body)
        column.addStretch(1)

    # -- async work owned by the page ------------------------------------------------------------
    def run(self, coro: Any, name: str) -> asyncio.Task[Any]:
        task = aio.start(coro, name=f"wizard-{name}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def cancel_work(self) -> None:
        """The wizard is closing: stop what this page started (sign-in listener, sync)."""
        for task in list(self._tasks):
            task.cancel()

    async def wait_ready(self) -> None:
        """Resume-after-restart waits on this before moving past the page (e.g. data loading)."""

    def focus_first(self) -> None:
        """Put keyboard focus on the page's first input when it is shown."""
