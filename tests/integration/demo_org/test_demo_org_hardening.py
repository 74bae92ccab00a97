"""The demo org's HTTP layer under abuse: raw sockets with bad framing, huge bodies, bad JSON and
thousands of idle connections; its controls only for whoever started it.  It must answer each
request (4xx, never a silent close or a crash) and keep serving."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.demo_org import DemoOrg, server


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoOrg]:
    with DemoOrg(contacts=20, seed=5) as running:
        yield running


def _raw(org: DemoOrg, data: bytes, *, half_close: bool = True, timeout: float = 15) -> bytes:
    """Send ``data`` on a fresh connection and read until the server closes (or ``timeout``)."""
    port = int(org.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # the server may answer and close before all is sent
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        received = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                received += chunk
    return received


def _status(response: bytes) -> int:
    assert response.startswith(b"HTTP/1."), response[:200]
    return int(response.split(b" ", 2)[1])


def _serves(org: DemoOrg) -> bool:
    with httpx.Client(trust_env=False, timeout=10) as client:
        return client.get(f"{org.base_url}/services/data/").status_code == 200


def _control(org: DemoOrg, token: str | None, scheme: str = "Bearer") -> httpx.Client:
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return httpx.Client(base_url=f"{org.base_url}/__demo__", trust_env=False, timeout=10, headers=headers)


@pytest.mark.parametrize("declared", [b"abc", b"-5", b"1, 2", b"0x10", b"99999999999999999999999999"])
def test_demo_org_bad_content_length_is_answered_400(demo: DemoOrg, declared: bytes) -> None:
    response = _raw(demo, b"POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: " + declared +
                    b"\r\n\r\ngrant_type=password")
    status = _status(response)
    assert status == (413 if declared.isdigit() else 400)
    assert b"Connection: close" in response
    assert _serves(demo)


def test_demo_org_two_content_lengths_are_answered_400(demo: DemoOrg) -> None:
    response = _raw(demo, b"POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                          b"Content-Length: 30\r\n\r\nabc")
    assert _status(response) == 400


def test_demo_org_body_over_the_cap_is_answered_413_before_it_is_read(demo: DemoOrg) -> None:
    declared = _raw(demo, b"POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + str(server.MAX_BODY + 1).encode() + b"\r\n\r\n" + b"x" * 1000)
    assert _status(declared) == 413
    # A chunk declaring 1 TB: a server that trusted the size would try to read (and hold) all of it.
    huge_chunk = _raw(demo, b"POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"10000000000\r\n" + b"x" * 1000)
    assert _status(huge_chunk) == 413
    assert _serves(demo)


def test_demo_org_chunked_body_is_capped_while_it_streams(demo: DemoOrg, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "MAX_BODY", 256 * 1024)  # the cap, made small enough to send past quickly
    port = int(demo.base_url.rsplit(":", 1)[1])
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(b"POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        with contextlib.suppress(OSError):  # the server stops listening once the cap is passed
            while sent < 64 * 1024 * 1024:
                sock.sendall(b"10000\r\n" + b"x" * 0x10000 + b"\r\n")
                sent += 0x10000
        response = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                response += chunk
    assert _status(response) == 413
    assert sent < 64 * 1024 * 1024, "the server hung up instead of taking everything sent"
    assert _serves(demo)


@pytest.mark.parametrize("chunking", [b"zz\r\nabc\r\n0\r\n\r\n", b"5\r\nab", b"3\r\nabcXY0\r\n\r\n", b"\r\n"])
def test_demo_org_broken_chunking_is_answered_400(demo: DemoOrg, chunking: bytes) -> None:
    response = _raw(demo, b"POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunking)
    assert _status(response) == 400
    assert _serves(demo)


def test_demo_org_controls_refuse_requests_without_the_control_token(demo: DemoOrg) -> None:
    for token, scheme in ((None, ""), ("guess", "Bearer"), (demo.control_token + "x", "Bearer"),
                          (demo.control_token, "Basic"), (demo.mint_tokens()["access_token"], "Bearer")):
        with _control(demo, token, scheme) as control:
            assert control.post("/fail_next", json={"n": 1}).status_code == 401
            info = control.get("/info")
            assert info.status_code == 401 and demo.consumer_secret not in info.text
    assert demo.faults.pending["failures"] == 0
    with _control(demo, demo.control_token) as control:
        assert control.get("/info").json()["consumer_key"] == demo.consumer_key


def test_demo_org_fail_next_with_a_huge_n_is_refused(demo: DemoOrg) -> None:
    with _control(demo, demo.control_token) as control:
        for n in (1e8, 10_001, -1, 1.5, "3", True):
            answer = control.post("/fail_next", json={"n": n})
            assert answer.status_code == 400, n
        for body in (b'{"n": 1e400}', b'{"n": -1e400}', b'{"n": NaN}', b'{"n": Infinity}'):  # what json.loads takes
            answer = control.post("/fail_next", content=body, headers={"Content-Type": "application/json"})
            assert answer.status_code == 400, body
        assert demo.faults.pending["failures"] == 0
        assert control.post("/drop_after_commit", json={"n": 1e8}).status_code == 400
        assert control.post("/set_latency", json={"ms": 1e12}).status_code == 400
        assert control.post("/fail_next", json={"n": 2}).status_code == 200
        assert control.post("/clear_faults").status_code == 200


def _connection_threads() -> int:
    return sum(1 for t in threading.enumerate() if "process_request_thread" in t.name)


def test_demo_org_idle_connections_do_not_each_get_a_thread() -> None:
    with DemoOrg(contacts=5, seed=2) as org:
        port = int(org.base_url.rsplit(":", 1)[1])
        idle: list[socket.socket] = []
        most = 0
        try:
            for _ in range(1000):  # 15 times the cap
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=10))
                if len(idle) % 100 == 0:
                    most = max(most, _connection_threads())
            time.sleep(0.5)  # a plain test thread: let the accept loop catch up
            most = max(most, _connection_threads())
            assert most <= server.MAX_CONNECTIONS, most
            assert _serves(org), "a real client still gets an answer"
        finally:
            for sock in idle:
                sock.close()


_PATHS = ["/services/data/v62.0/sobjects/Contact", "/services/data/v62.0/sobjects/Task/00T000000000001AAA",
          "/services/data/v62.0/composite", "/services/data/v62.0/composite/sobjects", "/services/oauth2/token",
          "/services/data/v62.0/query?q=SELECT+Id+FROM+Contact", "/__demo__/fail_next", "/__demo__/info", "/",
          "/services/oauth2/revoke"]
_JSONISH = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"{", b"[", b'{"n": 1e400}', b'{"LastName": "\\ud800"}', b"null", b'{"records": [{}]}',
                     b'{"allOrNone": true, "records": [{"attributes": {"type": "Contact"}, "LastName": 7}]}',
                     b'{"compositeRequest": [{"method": "GET", "url": "/x", "referenceId": "r"}]}',
                     b'{"LastName": "' + b"a" * 5000 + b'"}', b"\xff\xfe{}"]),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


@st.composite
def _malformed_requests(draw: st.DrawFn, token: str, control_token: str) -> bytes:
    method = draw(st.sampled_from([b"GET", b"POST", b"PATCH", b"DELETE", b"PUT", b"BREW", b"G\x00T", b""]))
    path = draw(st.sampled_from(_PATHS)).encode() + draw(st.sampled_from([b"", b"%", b"%ff", b"/..", b"?a=%zz"]))
    body = draw(_JSONISH)
    headers = [b"Host: 127.0.0.1"]
    auth = draw(st.sampled_from(["api", "control", "none", "junk"]))
    if auth != "none":
        value = {"api": token, "control": control_token, "junk": "\x7f\x80"}[auth]
        headers.append(b"Authorization: Bearer " + value.encode("latin-1"))
    headers.append(draw(st.sampled_from([b"Content-Type: application/json",
                                         b"Content-Type: application/x-www-form-urlencoded", b"X-Nothing: 1"])))
    framing = draw(st.sampled_from(["length", "short", "long", "garbage", "chunked", "bad-chunks", "none"]))
    if framing == "length":
        headers.append(b"Content-Length: %d" % len(body))
    elif framing == "short":
        headers.append(b"Content-Length: %d" % max(0, len(body) - draw(st.integers(1, 50))))
    elif framing == "long":
        headers.append(b"Content-Length: %d" % (len(body) + draw(st.integers(1, 10**12))))
    elif framing == "garbage":
        headers.append(b"Content-Length: " + draw(st.sampled_from([b"x", b"-1", b"1e3", b"", b" 5 5", b"\xff"])))
    elif framing in ("chunked", "bad-chunks"):
        headers.append(b"Transfer-Encoding: chunked")
        body = (b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n") if body else b"0\r\n\r\n"
        if framing == "bad-chunks":
            cut = draw(st.integers(0, len(body)))
            body = body[:cut] + draw(st.binary(max_size=20))
    version = draw(st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/9.9", b""]))
    head = method + b" " + path + (b" " + version if version else b"") + b"\r\n" + b"\r\n".join(headers)
    return head + b"\r\n\r\n" + body


def test_demo_org_malformed_requests_get_answers_and_it_stays_up(capfd: pytest.CaptureFixture[str]) -> None:
    with DemoOrg(contacts=10, seed=9) as org:
        token = org.mint_tokens()["access_token"]

        @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck))
        @given(raw=_malformed_requests(token, org.control_token))
        def one_request(raw: bytes) -> None:
            response = _raw(org, raw, timeout=20)
            assert response, "every request gets an answer, never just a closed connection"
            if response.startswith(b"HTTP/1."):
                assert _status(response) != 500, response[:600]
            else:  # an unknown HTTP version is answered the HTTP/0.9 way: the error page alone
                assert re.search(rb"Error code: (4\d\d|505)", response), response[:600]

        one_request()
        org.faults.clear()
        assert _serves(org)
    assert "Traceback" not in capfd.readouterr().err


