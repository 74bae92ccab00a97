"""Drive headless Chromium through a sign-in with the DevTools protocol over a pipe (stdlib only).

``--remote-debugging-pipe`` makes Chromium read JSON commands on fd 3 and answer on fd 4, each message
ending in a NUL byte. That is enough to open the authorize URL, fill the login form, press Allow, and let
the real browser follow Salesforce's redirect to the app's loopback — exactly what an advisor does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
from typing import Any

_FILL_LOGIN = """(() => {
  const user = document.querySelector('input[name=username]');
  const pass = document.querySelector('input[type=password]');
  if (!user || !pass) return 'no-login';
  user.value = %s; pass.value = %s;
  const form = pass.form; const button = form.querySelector('[type=submit]');
  if (button) button.click(); else form.submit();
  return 'login';
})()"""
_APPROVE = """(() => {
  const buttons = [...document.querySelectorAll('button, input[type=submit]')];
  const allow = buttons.find(b => /approve|allow/i.test((b.name || '') + ' ' + (b.value || '') + ' ' + b.textContent));
  if (!allow) return 'no-consent';
  allow.click(); return 'approved';
})()"""


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Chromium:
    """One headless browser; ``sign_in(url, username, password)`` plays the advisor."""

    def __init__(self) -> None:
        self._proc: asyncio.subprocess.Process | None = None
        self._profile = tempfile.mkdtemp(prefix="nb-chromium-")
        self._reader: asyncio.StreamReader | None = None
        self._write_fd: int | None = None
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._pump: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Chromium:
        path = chromium_path()
        assert path, "chromium is not installed"
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        args = [path, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", f"--user-data-dir={self._profile}",
                "--proxy-server=direct://", "about:blank"]

        def wire_fds() -> None:  # in the child: our pipes become fds 3 and 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self._proc = await asyncio.create_subprocess_exec(
            *args, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            # close_fds runs after preexec_fn, so the dup2'd fds 3 and 4 must be listed to survive.
            stderr=asyncio.subprocess.DEVNULL, preexec_fn=wire_fds, pass_fds=(3, 4),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._write_fd = to_browser_w
        loop = asyncio.get_running_loop()
        self._reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self._reader),
                                     os.fdopen(from_browser_r, "rb", buffering=0))
        self._pump = asyncio.create_task(self._read_messages())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._pump:
            self._pump.cancel()
        if self._proc and self._proc.returncode is None:
            self._proc.kill()
            await self._proc.wait()
        if self._write_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._write_fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    async def _read_messages(self) -> None:
        assert self._reader is not None
        while True:
            try:
                raw = await self._reader.readuntil(b"\0")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                return
            message = json.loads(raw[:-1])
            future = self._pending.pop(message.get("id", -1), None)
            if future is not None and not future.done():
                future.set_result(message)

    async def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        assert self._write_fd is not None
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        answer = await asyncio.wait_for(future, 20)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    async def sign_in(self, url: str, username: str, password: str) -> None:
        """Open the sign-in page, log in, press Allow; the browser then follows the redirect itself."""
        target = (await self.send("Target.createTarget", {"url": url}))["targetId"]
        session = (await self.send("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        steps = {"login": False, "approved": False}
        for _ in range(200):
            if steps["approved"]:
                return
            state = await self._evaluate(session, "document.readyState")
            if state == "complete":
                script = (_APPROVE if steps["login"] else
                          _FILL_LOGIN % (json.dumps(username), json.dumps(password)))
                outcome = await self._evaluate(session, script)
                if outcome in steps:
                    steps[outcome] = True
            await asyncio.sleep(0.05)
        raise AssertionError("Chromium did not get through the sign-in pages")

    async def _evaluate(self, session: str, expression: str) -> Any:
        try:
            result = await self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                                     session)
        except RuntimeError:  # the page navigated away mid-call: try again on the next tick
            return None
        return result.get("result", {}).get("value")
