"""Play the user's browser through an OAuth sign-in, over plain HTTP(S), for tests.

Real sign-in happens in a browser: the authorize URL shows a login form, then a consent form, then the
server redirects to the app's callback. This helper does the same with httpx — it parses whatever
HTML forms the pages contain (hidden fields included), fills the username/password inputs, presses the
approve (or deny) button, and stops at the first redirect that leaves the authorization server: that
Location is the callback URL with ``code``/``state`` or ``error``. It deliberately knows nothing about the
demo org's internals, so small changes to the pages do not break it, and it works against any server
with plain HTML forms.

    location = approve_in_browser(url, org.username, org.password, verify=org.ca_file or True)
    text = approve_in_browser(url, user, pw, follow=True)   # also GET the callback (a LoopbackReceiver)
"""

from __future__ import annotations

import asyncio
import html
import re
import ssl
from collections.abc import Generator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

MAX_STEPS = 10
_APPROVE_WORDS = ("approve", "allow", "authorize", "accept", "confirm")
_DENY_WORDS = ("deny", "cancel", "reject", "decline")


class BrowserFlowError(RuntimeError):
    """The sign-in did not reach a callback redirect (error page, failed login, unexpected page)."""

    def __init__(self, message: str, status: int | None = None, page: str = "") -> None:
        super().__init__(f"{message} (HTTP {status}): {_visible_text(page)[:500]}" if status else message)
        self.status = status
        self.page = page


@dataclass
class _Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden and prefilled inputs
    text_inputs: list[str] = field(default_factory=list)
    password_inputs: list[str] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, label)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._button: list[str] | None = None  # name, value, collected label

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "form":
            self._form = _Form(a.get("action", ""), (a.get("method") or "get").upper())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind, name = a.get("type", "text").lower(), a.get("name", "")
            if not name or "disabled" in a:
                return
            if kind == "password":
                self._form.password_inputs.append(name)
            elif kind in ("text", "email", "tel", ""):
                self._form.text_inputs.append(name)
                if a.get("value"):
                    self._form.fields.append((name, a["value"]))
            elif kind in ("submit", "image"):
                self._form.buttons.append((name, a.get("value", ""), a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            else:  # hidden and anything else that carries a value
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self._form is not None:
            name, value, label = self._button
            self._form.buttons.append((name, value, label.strip()))
            self._button = None
        elif tag == "form":
            self._form = None


def _visible_text(page: str) -> str:
    """The page's text without markup, for error messages."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, f"{(parts.hostname or '').lower()}:{port}"


def _pick_button(buttons: list[tuple[str, str, str]], approve: bool) -> tuple[str, str] | None:
    words = _APPROVE_WORDS if approve else _DENY_WORDS
    for name, value, label in buttons:
        haystack = f"{name} {value} {label}".lower()
        if any(word in haystack for word in words):
            return name, value
    return None


_Step = tuple[str, str, "list[tuple[str, str]] | None"]


def _flow(authorize_url: str, username: str, password: str, approve: bool) -> Generator[_Step, httpx.Response, str]:
    """The browser's decisions, independent of sync/async I/O: yields requests, receives responses,
    returns the callback Location."""
    server = _origin(authorize_url)
    response = yield ("GET", authorize_url, None)
    logins = 0
    for _ in range(MAX_STEPS):
        page_url = str(response.url)
        if response.is_redirect:
            location = urljoin(page_url, response.headers["location"])
            if _origin(location) != server:
                return location
            response = yield ("GET", location, None)
            continue
        forms = _FormParser()
        forms.feed(response.text)
        if response.status_code != 200 or not forms.forms:
            raise BrowserFlowError("no sign-in form on the page", response.status_code, response.text)
        login = next((f for f in forms.forms if f.password_inputs), None)
        if login is not None:
            logins += 1
            if logins > 1:
                raise BrowserFlowError("login failed: the login form came back", response.status_code, response.text)
            data = [(n, v) for n, v in login.fields if n not in login.text_inputs]
            user_field = next((n for n in login.text_inputs if "user" in n.lower() or "email" in n.lower()),
                              login.text_inputs[0] if login.text_inputs else None)
            if user_field is None:
                raise BrowserFlowError("login form has no username input", response.status_code, response.text)
            data += [(user_field, username), (login.password_inputs[0], password)]
            if login.buttons and login.buttons[0][0]:
                data.append(login.buttons[0][:2])
            response = yield (login.method, urljoin(page_url, login.action), data)
            continue
        chosen = None
        for form in forms.forms:
            button = _pick_button(form.buttons, approve)
            if button is not None:
                chosen = (form, button)
                break
        if chosen is None:
            raise BrowserFlowError("no approve/deny button on the page", response.status_code, response.text)
        form, (name, value) = chosen
        data = list(form.fields) + ([(name, value)] if name else [])
        response = yield (form.method, urljoin(page_url, form.action), data)
    raise BrowserFlowError(f"sign-in did not finish within {MAX_STEPS} steps")


def _verify(verify: str | bool) -> ssl.SSLContext | bool:
    return ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify


def _request_kwargs(method: str, data: list[tuple[str, str]] | None) -> dict[str, object]:
    if data is None or method == "GET":
        return {"params": data} if data else {}
    return {"content": urlencode(data).encode(), "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


def approve_in_browser(authorize_url: str, username: str, password: str, *, verify: str | bool = True,
                       approve: bool = True, follow: bool = False, timeout: float = 15.0) -> str:
    """Sign in and approve (or deny) at ``authorize_url``.

    Returns the callback Location (with ``code``/``state`` or ``error``) without requesting it — or,
    with ``follow=True``, requests it and returns the callback server's response text. ``verify`` is
    a CA bundle path (e.g. the demo org's ``ca_file``) or a bool. Raises BrowserFlowError when no
    callback redirect is reached (e.g. a redirect_uri_mismatch error page or a failed login).
    """
    with httpx.Client(verify=_verify(verify), follow_redirects=False, trust_env=False, timeout=timeout) as client:
        flow = _flow(authorize_url, username, password, approve)
        step = next(flow)
        try:
            while True:
                method, url, data = step
                step = flow.send(client.request(method, url, **_request_kwargs(method, data)))  # type: ignore[arg-type]
        except StopIteration as done:
            location: str = done.value
    if not follow:
        return location
    with httpx.Client(trust_env=False, timeout=timeout, verify=_verify(verify)) as client:
        return client.get(location).text


async def approve_in_browser_async(authorize_url: str, username: str, password: str, *,
                                   verify: str | bool = True, approve: bool = True, follow: bool = False,
                                   timeout: float = 15.0) -> str:
    """The asyncio twin of ``approve_in_browser`` — use it when the callback receiver runs on the same
    event loop as the test (a blocking GET would deadlock it)."""
    async with httpx.AsyncClient(verify=_verify(verify), follow_redirects=False, trust_env=False,
                                 timeout=timeout) as client:
        flow = _flow(authorize_url, username, password, approve)
        step = next(flow)
        try:
            while True:
                method, url, data = step
                response = await client.request(method, url, **_request_kwargs(method, data))  # type: ignore[arg-type]
                step = flow.send(response)
        except StopIteration as done:
            location: str = done.value
    if not follow:
        return location

    def follow_redirect() -> str:
        # In a thread, with the blocking client: the callback receiver on this loop still answers, and
        # no connection attempt is left on the loop ("localhost" races ::1 against 127.0.0.1, and the
        # losing attempt finished after a test's loop had ended: "no running event loop").
        with httpx.Client(trust_env=False, timeout=timeout, verify=_verify(verify)) as client:
            return client.get(location).text

    return await asyncio.to_thread(follow_redirect)
