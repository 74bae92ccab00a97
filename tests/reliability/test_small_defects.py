"""Small reliability defects, each reproduced on real parts: a real workspace file, the real search,
the real ``notebridge connect`` subprocess and the real demo org over sockets."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.demo_org import DemoOrg, server
from app.store import Database, OpenProblem, WorkspaceOpenError, contacts
from app.store.search_text import parse_query
from tests.integration.salesforce.sf_org import make_org
from tests.integration.test_cli import run_app
from tests.support.browser_by_http import approve_in_browser
from tests.unit.store.store_helpers import add_connection
from tests.unit.store.test_store_contacts import PEOPLE, person

# ------------------------------------------------------------------------------------ search


def _filled_workspace(path: Path) -> int:
    async def fill() -> int:
        db = await Database.open(path)
        try:
            cid = await add_connection(db)
            await db.run(lambda s: contacts.upsert_many(s, cid, PEOPLE))
            return cid
        finally:
            await db.close()

    return asyncio.run(fill())


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[sqlite3.Connection, int]]:
    path = tmp_path_factory.mktemp("search") / "workspace.db"
    cid = _filled_workspace(path)
    conn = sqlite3.connect(path, isolation_level=None)
    yield conn, cid
    conn.close()


@pytest.mark.parametrize("typed", ["\ud800", "jo\udc00", "\udfff smith", "555\ud83d", "\ud83d\ude00 jo"])
def test_search_with_a_lone_surrogate_answers_instead_of_raising(
        searchable: tuple[sqlite3.Connection, int], typed: str) -> None:
    conn, cid = searchable
    hits = contacts.search(conn, cid, typed)
    without = typed.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    assert [h.contact.sf_id for h in hits] == [h.contact.sf_id for h in contacts.search(conn, cid, without)]


def test_search_surrogate_pair_split_in_two_is_joined_into_its_character() -> None:
    assert parse_query("zo\ud83d\ude00").key == parse_query("zo\U0001f600").key


_TYPED = st.text(
    st.one_of(
        st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # surrogates, paired or not
        st.characters(exclude_categories=()),  # anything at all, control characters included
        st.sampled_from("jo smith 555-() @.'\"*^:ëØ\x00\t"),  # what search syntax is made of
    ),
    max_size=240,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=_TYPED)
def test_search_any_typed_text_never_raises(searchable: tuple[sqlite3.Connection, int], typed: str) -> None:
    conn, cid = searchable
    hits = contacts.search(conn, cid, typed, 20)
    assert len(hits) <= 20
    assert all(hit.contact.sf_id for hit in hits)


# ------------------------------------------------------------------- workspace open problems


@contextmanager
def _tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A real, small filesystem of our own (a full disk or a read-only one without touching the host's).
    Needs root (mount); callers skip with a reason when it cannot be had."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a small filesystem of our own needs root to mount it")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


async def _new_workspace(path: Path, people: int = 0) -> None:
    db = await Database.open(path)
    try:
        if people:
            cid = await add_connection(db)
            rows = [person(f"003{n:012d}AAA", f"First{n}", f"Last{n}", email=f"p{n}@example.com",
                           phone=f"(555) {n % 1000:03d}-{n % 10000:04d}", mailing_city="Boston")
                    for n in range(people)]
            await db.run(lambda s: contacts.upsert_many(s, cid, rows))
    finally:
        await db.close()


def _assert_no_move_aside_advice(error: WorkspaceOpenError, path: Path) -> None:
    assert "aside" not in str(error) and "damaged" not in str(error)
    assert path.exists() and not list(path.parent.glob("*.damaged-*")), "a healthy file is never moved"


async def test_workspace_read_only_folder_says_read_only_not_damaged(tmp_path: Path) -> None:
    path = tmp_path / "data" / "workspace.db"
    if os.geteuid() != 0:
        await _new_workspace(path)
        path.parent.chmod(0o500)
        try:
            with pytest.raises(WorkspaceOpenError) as caught:
                await Database.open(path)
        finally:
            path.parent.chmod(0o700)
    else:  # root writes through chmod: a read-only filesystem is the fault root cannot write through
        with _tmpfs(tmp_path / "mnt", "8m") as mnt:
            path = mnt / "workspace.db"
            await _new_workspace(path)
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            with pytest.raises(WorkspaceOpenError) as caught:
                await Database.open(path)
            _assert_no_move_aside_advice(caught.value, path)
    assert caught.value.problem is OpenProblem.READ_ONLY
    assert "read-only" in caught.value.what and "--data-dir" in caught.value.fix


async def test_workspace_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "mnt", "4m") as mnt:
        path = mnt / "workspace.db"
        await _new_workspace(path)
        with contextlib.suppress(OSError), (mnt / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        with pytest.raises(WorkspaceOpenError) as caught:
            await Database.open(path)
        _assert_no_move_aside_advice(caught.value, path)
    assert caught.value.problem is OpenProblem.DISK_FULL
    assert "disk" in caught.value.what and "full" in caught.value.what and "Free some space" in caught.value.fix


async def test_workspace_held_by_another_program_says_locked(tmp_path: Path) -> None:
    path = tmp_path / "workspace.db"
    await _new_workspace(path)
    holder = sqlite3.connect(path)  # like a database viewer that took the file for itself
    try:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("COMMIT")
        with pytest.raises(WorkspaceOpenError) as caught:
            await Database.open(path)
        _assert_no_move_aside_advice(caught.value, path)
    finally:
        holder.close()
    assert caught.value.problem is OpenProblem.LOCKED
    assert "Another program" in caught.value.what and "Close the other program" in caught.value.fix
    db = await Database.open(path)  # once the other program lets go, it opens as it was
    await db.close()


async def test_workspace_four_problems_get_four_different_messages(tmp_path: Path) -> None:
    from app.store.open_checks import explain

    messages = {problem: explain(problem, tmp_path / "w.db", "detail", tmp_path / "kept")
                for problem in OpenProblem}
    assert len({str(m) for m in messages.values()}) == len(OpenProblem)
    assert all(m.problem is p for p, m in messages.items())
    assert [p for p, m in messages.items() if "aside" in str(m)] == [OpenProblem.DAMAGED]


def _btree_page_in_the_middle(path: Path) -> int:
    """A b-tree page (not a free page, whose content nobody reads) near the middle of the file."""
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size
    for number in sorted(range(2, pages + 1), key=lambda n: abs(n - pages // 2)):
        if data[(number - 1) * page_size] in (0x02, 0x05, 0x0A, 0x0D):
            return number
    raise AssertionError("no b-tree page found")


async def test_workspace_scribbled_middle_page_is_found_at_open_and_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "workspace.db"
    await _new_workspace(path, people=3000)
    page_size = int.from_bytes(path.read_bytes()[16:18], "big")
    number = _btree_page_in_the_middle(path)
    assert number > 10 and number < path.stat().st_size // page_size - 10, "really a middle page"
    with path.open("r+b") as f:
        f.seek((number - 1) * page_size)
        f.write(random.Random(7).randbytes(page_size))
    scribbled = path.read_bytes()

    with pytest.raises(WorkspaceOpenError) as caught:
        await Database.open(path)
    error = caught.value
    assert error.problem is OpenProblem.DAMAGED
    assert "damaged" in error.what and error.kept_at is not None and str(error.kept_at) in error.fix
    assert error.kept_at.read_bytes() == scribbled, "the damaged file is kept byte for byte, never deleted"
    assert not path.exists()

    db = await Database.open(path)  # next start: a new, empty workspace
    try:
        assert await db.read(lambda c: c.execute("SELECT count(*) FROM contact").fetchone()[0]) == 0
    finally:
        await db.close()
    assert error.kept_at.exists()


async def test_workspace_sound_file_passes_the_start_up_check_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "workspace.db"
    await _new_workspace(path, people=500)
    db = await Database.open(path)
    try:
        assert await db.read(lambda c: c.execute("SELECT count(*) FROM contact").fetchone()[0]) == 500
    finally:
        await db.close()
    assert not list(tmp_path.glob("*.damaged-*"))


# ------------------------------------------------------------------------- notebridge connect


def _connect(org: DemoOrg, home: Path, env_extra: dict[str, str] | None = None,
             before_approving: Callable[[], None] | None = None) -> tuple[int, str, str, bool]:
    """Run `notebridge connect` as an admin would; approve in the browser if it asks.  Returns
    (exit status, stdout, stderr, whether it asked for the sign-in)."""
    port = org.callback_urls[0].split(":")[2].split("/")[0]
    env = dict(os.environ, NOTEBRIDGE_HOME=str(home), **(env_extra or {}))
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "connect", "--login-url", org.login_url, "--consumer-key", org.consumer_key,
         "--consumer-secret-stdin", "--port", port, "--no-browser", "--timeout", "60"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        process.stdin.write(org.consumer_secret + "\n")
        process.stdin.close()
        first = process.stdout.readline()
        asked = first.startswith("Open this URL to sign in: ")
        if asked:
            if before_approving is not None:
                before_approving()
            approve_in_browser(first.removeprefix("Open this URL to sign in: ").strip(), org.username,
                               org.password, follow=True)
        process.wait(timeout=60)
        return process.returncode, first + process.stdout.read(), process.stderr.read(), asked
    finally:
        if process.poll() is None:
            process.kill()


def _saved_connections(home: Path) -> list[tuple[str, str]]:
    path = home / "data" / "workspace.sqlite3"
    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT username, status FROM connection").fetchall()
    except sqlite3.OperationalError:  # never migrated
        return []
    finally:
        conn.close()


def test_connect_without_a_working_keyring_says_nothing_was_saved_and_exits_non_zero(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with make_org(contacts=5) as org:
        code, out, err, asked = _connect(org, home, {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert code != 0
    assert "Not connected: nothing was saved" in err and "keyring" in err and "What to do:" in err
    assert "Traceback" not in err and "Connected as" not in out
    assert not asked, "checked before the advisor signs in for nothing"
    assert org.consumer_secret not in out + err


def test_connect_with_a_workspace_it_cannot_open_says_why_and_exits_non_zero(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with make_org(contacts=5) as org:
        assert run_app("doctor", home=home).returncode == 0  # a workspace exists
        holder = sqlite3.connect(home / "data" / "workspace.sqlite3")  # another program holds it
        try:
            holder.execute("PRAGMA locking_mode = EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("COMMIT")
            code, out, err, asked = _connect(org, home)
        finally:
            holder.close()
    assert code != 0
    assert "Not connected: nothing was saved, because the workspace cannot be opened" in err
    assert "Close the other program" in err and "Traceback" not in err
    assert not asked and "Connected as" not in out


def test_connect_when_the_workspace_cannot_be_written_after_sign_in_says_so(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with _tmpfs(home / "data", "2m") as data, make_org(contacts=5) as org:

        def fill_the_disk() -> None:  # while the advisor is in the browser
            with contextlib.suppress(OSError), (data / "filler").open("wb") as filler:
                while True:
                    filler.write(b"\0" * 16384)
                    filler.flush()

        code, out, err, asked = _connect(org, home, before_approving=fill_the_disk)
        (data / "filler").unlink()
        saved = _saved_connections(home)
    assert asked
    assert code != 0, out + err
    assert "Not connected: nothing was saved, because you signed in, but the workspace could not be written" in err
    assert "full" in err and "Free some space" in err and "Traceback" not in err
    assert "Connected as" not in out
    assert saved == []


# ------------------------------------------------------------------------------- the demo org


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


def test_workspace_damaged_at_start_up_the_advisor_is_told_in_a_window(qapp: Any, tmp_path: Path) -> None:
    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app import paths
    from app.ui import aio
    from app.ui.gui import gui_main
    from app.ui.main_window import MainWindow
    from app.ui.single_instance import SingleInstance

    paths.set_data_dir(tmp_path / "home")
    app_paths = paths.paths().ensure()
    app_paths.database.write_bytes(b"SQLite format 3\x00" + random.Random(3).randbytes(40_000))
    instance = SingleInstance(app_paths.data)
    assert instance.acquire()
    seen: dict[str, object] = {}

    def answer_the_message() -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.objectName() == "workspaceOpenError" and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(20, answer_the_message)
            return
        seen["text"], seen["fix"] = box.text(), box.informativeText()
        seen["main window"] = any(isinstance(w, MainWindow) and w.isVisible() for w in QApplication.topLevelWidgets())
        box.button(QMessageBox.StandardButton.Ok).click()

    loop = qasync.QEventLoop(qapp)
    try:
        QTimer.singleShot(20, answer_the_message)
        result = loop.run_until_complete(asyncio.wait_for(gui_main(qapp, instance, None, app_paths=app_paths), 60))
        loop.run_until_complete(aio.cancel_all())
    finally:
        loop.close()
        instance.release()
        paths.set_data_dir(None)
    assert result == 2
    assert "damaged" in str(seen["text"]) and "moved it aside" in str(seen["fix"])
    assert seen["main window"] is False
    assert list(app_paths.data.glob("workspace.sqlite3.damaged-*")), "kept aside, not deleted"
