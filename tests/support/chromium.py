"""The one headless-Chromium driver of the test suite: a real browser playing the advisor at sign-in.

Chromium is driven over the Chrome DevTools Protocol through ``--remote-debugging-pipe``: it reads
JSON commands on file descriptor 3 and answers on 4, each message ending in a NUL byte — no websocket
library, no new dependency.  The answers are read on a thread and handed to the running loop, so the
driver works on asyncio's own loop and on the qasync loop alike (qasync runs no subprocess transports).

A small script evaluated in the page types the user's name and password and presses Allow, as a
person would; Chromium then follows Salesforce's redirect to the app's loopback address by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from typing import Any

CALL_TIMEOUT = 30.0
SIGN_IN_TIMEOUT = 60.0

# Runs in the page, again and again: fills the login form once, presses Allow once, and otherwise says
# where the browser is, so the driver (and a failing test's message) can see the flow move on.
_SIGN_IN_STEP = """
(() => {
  if (document.readyState !== 'complete') return 'loading ' + location.href;
  const user = %(user)s, password = %(password)s;
  const pw = document.querySelector('input[type=password]');
  if (pw && !window.__nbLogin) {
    const name = pw.form.querySelector('input[name=username], input[type=text], input[type=email]');
    if (!name) return 'no user name field at ' + location.href;
    window.__nbLogin = true;
    name.value = user; pw.value = password;
    const submit = pw.form.querySelector('[type=submit]');
    if (submit) { submit.click(); } else { pw.form.submit(); }
    return 'login';
  }
  const buttons = [...document.querySelectorAll('button, input[type=submit]')];
  const allow = buttons.find(b => b.name === 'approve') || buttons.find(
    b => /approve|allow/i.test((b.name || '') + ' ' + (b.value || '') + ' ' + b.textContent));
  if (allow && !window.__nbAllow) { window.__nbAllow = true; allow.click(); return 'allow'; }
  return 'at ' + location.href + ' | ' + document.title;
})()
"""


def chromium_path() -> str | None:
    """The installed Chromium (Debian's ``chromium`` package), or None: the tests that need it skip."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Chromium:
    """One headless Chromium with one page.  ``async with Chromium() as browser:``.

    * ``browser.open(url)`` — what the app calls instead of the system browser (returns at once);
    * ``await browser.sign_in(user, password, url=…, done=…)`` — log in and press Allow;
    * ``await browser.evaluate(js)`` — a value from the page.
    """

    def __init__(self) -> None:
        self.navigations: list[str] = []
        self._profile = tempfile.mkdtemp(prefix="nb-chromium-")
        self._process: subprocess.Popen[bytes] | None = None
        self._to_child = self._from_child = -1
        self._next_id = 0
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._session: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader: threading.Thread | None = None

    async def __aenter__(self) -> Chromium:
        path = chromium_path()
        assert path, "chromium is not installed"
        self._loop = asyncio.get_running_loop()
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_pipes() -> None:  # in the child, before exec: the protocol's fixed descriptors
            # Through 100/101 first: a pipe end may itself be fd 3 or 4 and must not be overwritten early.
            os.dup2(to_child_r, 100)
            os.dup2(from_child_w, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)

        self._process = subprocess.Popen(
            [path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-proxy-server", f"--user-data-dir={self._profile}", "--remote-debugging-pipe",
             "about:blank"],
            # close_fds runs after preexec_fn, so the dup2'd fds 3 and 4 must be listed to survive.
            preexec_fn=wire_pipes, pass_fds=(3, 4),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._reader = threading.Thread(target=self._read, name="cdp-reader", daemon=True)
        self._reader.start()
        try:
            targets = await self.call("Target.getTargets", session=False)
            page = next(t for t in targets["targetInfos"] if t["type"] == "page")
            attached = await self.call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True},
                                       session=False)
            self._session = attached["sessionId"]
            await self.call("Page.enable")
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                await asyncio.to_thread(self._process.wait, 10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                await asyncio.to_thread(self._process.wait)
        if self._reader is not None:  # it sees the end of the pipe once Chromium is gone
            await asyncio.to_thread(self._reader.join, 10)
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._to_child = self._from_child = -1
        shutil.rmtree(self._profile, ignore_errors=True)

    # -- the protocol ---------------------------------------------------------------------------------

    def _read(self) -> None:
        """On the reader thread: split the stream at NULs and hand each answer to the loop."""
        assert self._loop is not None
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with contextlib.suppress(RuntimeError):  # the loop may be closed already
                    self._loop.call_soon_threadsafe(self._fail_waiting)
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with contextlib.suppress(RuntimeError):
                        self._loop.call_soon_threadsafe(self._resolve, message)

    def _resolve(self, message: dict[str, Any]) -> None:
        future = self._waiting.pop(message["id"], None)
        if future is not None and not future.done():
            future.set_result(message)

    def _fail_waiting(self) -> None:
        """Chromium went away: nobody waits out a timeout for an answer that cannot come."""
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(RuntimeError("Chromium closed its DevTools pipe"))
        self._waiting.clear()

    def _send(self, method: str, params: dict[str, Any] | None, *, session: bool) -> asyncio.Future[dict[str, Any]]:
        assert self._loop is not None and self._to_child >= 0, "use the browser inside `async with`"
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self._session:
            message["sessionId"] = self._session
        future: asyncio.Future[dict[str, Any]] = self._loop.create_future()
        self._waiting[self._next_id] = future
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        return future

    async def call(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True) -> Any:
        """One DevTools command on the page (``session=False``: on the browser itself)."""
        reply = await asyncio.wait_for(self._send(method, params, session=session), CALL_TIMEOUT)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    # -- what a person does -----------------------------------------------------------------------------

    def open(self, url: str) -> bool:
        """What the app calls instead of the system browser: navigate the page, return at once."""
        self.navigations.append(url)
        sent = self._send("Page.navigate", {"url": url}, session=True)
        # Nobody awaits this answer; if Chromium dies the next call says so, not a stray-exception log.
        sent.add_done_callback(lambda f: f.cancelled() or f.exception())
        return True

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    async def sign_in(self, username: str, password: str, *, url: str | None = None,
                      done: Callable[[], bool] | None = None, timeout: float = SIGN_IN_TIMEOUT) -> list[str]:
        """Log in and press Allow on the page (after opening ``url``, if given).

        Returns the steps the page went through (``login``, ``allow``, then where it landed).  Stops once
        ``done()`` holds — or, without ``done``, once Allow is pressed (the browser then follows the
        redirect by itself) — or at the timeout; the caller asserts on what it needed.
        """
        if url is not None:
            self.navigations.append(url)
            await self.call("Page.navigate", {"url": url})
        script = _SIGN_IN_STEP % {"user": json.dumps(username), "password": json.dumps(password)}
        steps: list[str] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if done() if done is not None else "allow" in steps:
                break
            try:
                step = await self.evaluate(script)
            except RuntimeError:  # the page navigated away mid-evaluation: ask again
                step = None
            if step and (not steps or steps[-1] != step):
                steps.append(str(step))
            await asyncio.sleep(0.05)
        return steps
