"""Helpers for the wizard tests (and the Chromium end-to-end test): clicking, the stand-in browser,
free callback ports, and walking the wizard to the sign-in (waiting is ``tests.support.qt_loop.until``).

Imported as ``tests.ui.wizard.helpers``; ``conftest.py`` holds only fixtures and the loop hook.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget, QWizard

from tests.support.browser_by_http import approve_in_browser_async
from tests.support.qt_loop import until

if TYPE_CHECKING:
    from app.demo_org import DemoOrg
    from app.ui.wizard import SetupWizard
    from app.ui.wizard.page_signin import SignInPage

WizardFactory = Callable[..., Awaitable["SetupWizard"]]
KEY = "3MVG9IKwB5abcdEFGHijklMNOPqrstUVWXyz0123456789abcdEFGHijklMNOPqrstUVWXyz.0123456789_ab"
SECRET = "0123456789ABCDEF" * 4


def press(qtbot: Any, widget: QWidget) -> None:
    """Click a button the way a person does: on its text (radio buttons only react there)."""
    point = QPoint(min(10, widget.width() // 2), widget.height() // 2)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=point)


def click(qtbot: Any, wizard: SetupWizard, which: QWizard.WizardButton) -> None:
    button = wizard.button(which)
    assert button.isEnabled(), f"{button.objectName()} is disabled on {wizard.currentPage().objectName()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def free_callback_urls(count: int = 2) -> list[str]:
    """Callback addresses on ports free right now, so parallel test runs do not collide."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [f"http://localhost:{sock.getsockname()[1]}/callback" for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def demo_values(org: DemoOrg) -> dict[str, Any]:
    """What ``notebridge --demo`` hands the wizard."""
    info = org.info()
    return {key: info[key] for key in ("login_url", "consumer_key", "consumer_secret", "callback_urls",
                                       "ca_file", "username", "password")}


class Browser:
    """Stands in for the system browser: remembers what was opened, and can sign in over HTTP."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.sign_in_as: tuple[str, str] | None = None
        self.approve = True
        self.verify: str | bool = True
        self.results: list[asyncio.Task[str]] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        if self.sign_in_as and "/services/oauth2/authorize" in url:
            user, password = self.sign_in_as
            self.results.append(asyncio.ensure_future(
                approve_in_browser_async(url, user, password, follow=True, approve=self.approve,
                                         verify=self.verify)))
        return True


async def walk_demo_to_sign_in(qtbot: Any, wizard: SetupWizard) -> SignInPage:
    """Welcome → "Try the demo org" → the prefilled org, app and key pages → the sign-in page."""
    from app.ui.wizard import PageId
    from app.ui.wizard.page_signin import SignInPage

    press(qtbot, wizard.pages[PageId.WELCOME].buttons["demo"])  # type: ignore[attr-defined]
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PageId.ORG
    assert wizard.currentPage().message.plain_text().endswith("(the demo org on this computer)")  # type: ignore[attr-defined]
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PageId.CREATE_APP
    assert "demo org" in wizard.currentPage().demo_note.plain_text()  # type: ignore[attr-defined]
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentId() == PageId.CREDENTIALS
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    page = wizard.currentPage()
    assert isinstance(page, SignInPage)
    return page


async def sign_in(qtbot: Any, page: SignInPage) -> None:
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    await until(lambda: page.state in ("done", "failed"), "the sign-in finishes")
