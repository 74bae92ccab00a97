"""End to end: the wizard's sign-in done in a real browser (headless Chromium) against the demo org.

The wizard runs as in the app (qasync loop, real workspace, real keyring backend, real loopback
listener); the only difference is that "open the system browser" navigates a headless Chromium.
Chromium is driven over the Chrome DevTools Protocol through ``--remote-debugging-pipe`` (file
descriptors 3 and 4, NUL-separated JSON): no websocket library and no new dependency. A small
script evaluated in the page types the demo user's name and password and presses Allow, as a person
would; Chromium then follows Salesforce's redirect to ``http://localhost:PORT/callback`` itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlmodel import select

from app.demo_org import DemoOrg
from app.store import Database
from app.store.models import Connection
from app.sync.connection import ConnectionManager
from app.ui.wizard import SetupWizard
from tests.ui.wizard.helpers import (
    demo_values,
    free_callback_urls,
    new_qt_loop,
    until,
    walk_demo_to_sign_in,
)

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"needs headless Chromium at {CHROMIUM}"),
]

# Runs in the page. Idempotent per page: fills the login form once, presses Allow once, and reports
# where the browser is, so the test can see the flow move on.
DRIVER_JS = """
(() => {
  const user = %(user)s, password = %(password)s;
  const pw = document.querySelector('input[type=password]');
  if (pw && !window.__nbLogin) {
    window.__nbLogin = true;
    const name = pw.form.querySelector('input[type=text], input[type=email]');
    name.value = user; pw.value = password;
    const submit = pw.form.querySelector('[type=submit]');
    if (submit) { submit.click(); } else { pw.form.submit(); }
    return 'login';
  }
  const allow = document.querySelector('button[name=approve], input[name=approve]');
  if (allow && !window.__nbAllow) { window.__nbAllow = true; allow.click(); return 'allow'; }
  return 'at ' + location.href + ' | ' + document.title;
})()
"""


class Chromium:
    """Headless Chromium with the DevTools protocol on a pipe (fds 3/4 in the child)."""

    def __init__(self, profile: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_pipes() -> None:  # in the child, before exec: the protocol's fixed descriptors
            os.dup2(to_child_r, 100)
            os.dup2(from_child_w, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-proxy-server", f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            preexec_fn=wire_pipes, pass_fds=(3, 4),  # only dup2s before exec
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._next_id = 0
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._loop = asyncio.get_running_loop()
        self._reader = threading.Thread(target=self._read, name="cdp-reader", daemon=True)
        self._reader.start()
        self.session: str | None = None
        self.navigations: list[str] = []

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    self._loop.call_soon_threadsafe(self._resolve, message)

    def _resolve(self, message: dict[str, Any]) -> None:
        future = self._waiting.pop(message["id"], None)
        if future is not None and not future.done():
            future.set_result(message)

    def send(self, method: str, params: dict[str, Any] | None = None, *,
             session: bool = True) -> asyncio.Future[dict[str, Any]]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        future: asyncio.Future[dict[str, Any]] = self._loop.create_future()
        self._waiting[self._next_id] = future
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        return future

    async def call(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True) -> Any:
        reply = await asyncio.wait_for(self.send(method, params, session=session), 30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def attach(self) -> None:
        targets = await self.call("Target.getTargets", session=False)
        page = next(t for t in targets["targetInfos"] if t["type"] == "page")
        attached = await self.call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True},
                                   session=False)
        self.session = attached["sessionId"]

    def open(self, url: str) -> bool:
        """What the wizard calls instead of the system browser."""
        self.navigations.append(url)
        self.send("Page.navigate", {"url": url})
        return True

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_child)
        os.close(self._from_child)


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = new_qt_loop()
    asyncio.set_event_loop(event_loop)
    try:
        yield event_loop
    finally:
        asyncio.set_event_loop(None)
        event_loop.close()


def test_sign_in_through_headless_chromium(qtbot: QtBot, loop: asyncio.AbstractEventLoop, tmp_path: Path) -> None:
    loop.run_until_complete(_sign_in_through_chromium(qtbot, tmp_path))


async def _sign_in_through_chromium(qtbot: QtBot, tmp_path: Path) -> None:
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with DemoOrg(contacts=30, seed=11, callback_urls=free_callback_urls()) as org:
        db = await Database.open(tmp_path / "workspace.db")
        manager = ConnectionManager(db)
        browser = Chromium(profile)
        wizard: SetupWizard | None = None
        try:
            await browser.attach()
            await browser.call("Page.enable")
            wizard = SetupWizard(db, manager, demo=demo_values(org), open_url=browser.open)
            qtbot.addWidget(wizard)
            await wizard.restore()
            wizard.show()
            page = await walk_demo_to_sign_in(qtbot, wizard)
            qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
            await until(lambda: browser.navigations, "the wizard opens the browser")
            assert browser.navigations[0].startswith(org.login_url + "/services/oauth2/authorize?")

            script = DRIVER_JS % {"user": json.dumps(org.username), "password": json.dumps(org.password)}
            steps: list[str] = []
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 60
            while page.state == "waiting" and loop.time() < deadline:
                try:
                    step = await browser.evaluate(script)
                except RuntimeError:  # the page navigated away mid-evaluation: ask again
                    step = None
                if step and (not steps or steps[-1] != step):
                    steps.append(str(step))
                await asyncio.sleep(0.1)

            assert page.state == "done", f"{page.result.plain_text()} | browser steps: {steps}"
            assert "login" in steps and "allow" in steps
            connection = page.controller.connection
            assert connection is not None and connection.username == org.username
            row = await db.run(lambda s: s.exec(select(Connection)).one())
            assert row.org_id == org.org_id
            final = await browser.evaluate("document.title")
            assert final == "Signed in to Salesforce"  # Chromium landed on Notebridge's loopback page
        finally:
            if wizard is not None:
                wizard.reject()
                if wizard.finished_work is not None:
                    await wizard.finished_work
            browser.close()
            await manager.aclose()
            await db.close()
