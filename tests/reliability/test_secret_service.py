"""The app's secrets against a real Secret Service (gnome-keyring on a private D-Bus), and with none.

Each step runs Notebridge in its own process with a desktop session's environment, so ``keyring``
finds its backend as it does for an advisor: sign in with ``notebridge connect``, a restart that
syncs and pushes (then dies hard), ``notebridge doctor``, a restart after the crash that pushes and
disconnects. After every step the raw bytes of every file the session wrote — the workspace and its
WAL, the DEBUG log, the crash file and report, the sync-log export, the settings, the keyring's own
files — and everything the processes printed are searched for every token the org issued, the
consumer secret and the demo password. Without any keyring the same sign-in works for the session
only, nothing is written, and the message names what to install.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from app.demo_org import DemoOrg
from app.logs import REDACTED
from app.salesforce.oauth import refresh_access_token
from app.salesforce.oauth_errors import OAuthError
from app.secrets import SERVICE
from tests.integration.salesforce.sf_org import make_org
from tests.reliability.keyring_app import CRASH_HEADLINE, SYNC_LOG_EXPORT
from tests.reliability.secret_service_env import SecretService, desktop_env, missing_programs, secret_service
from tests.support.browser_by_http import approve_in_browser

ROOT = Path(__file__).resolve().parents[2]
CHILD = "tests.reliability.keyring_app"
INSTALL_HINT = "sudo apt install gnome-keyring"
STEP_TIMEOUT = 60


@pytest.fixture
def org() -> Iterator[DemoOrg]:
    # Rotation makes every refresh write a new token through the keyring (update of a stored secret).
    with make_org(contacts=20, rotate_refresh_tokens=True) as running:
        yield running


@pytest.fixture
def service(tmp_path: Path) -> Iterator[SecretService]:
    missing = missing_programs()
    if missing:
        reason = f"no {', '.join(missing)} here (Debian: apt install dbus gnome-keyring; .ci/run installs them)"
        if os.environ.get("NOTEBRIDGE_REQUIRE_SECRET_SERVICE"):
            pytest.fail(reason)
        pytest.skip(reason)
    with secret_service(tmp_path / "desktop") as running:
        yield running


class Session:
    """One desktop session's processes and everything they printed."""

    def __init__(self, org: DemoOrg, env: dict[str, str], root: Path) -> None:
        self.org, self.env, self.root = org, env, root
        self.home = Path(env["NOTEBRIDGE_HOME"])
        self.report = root / "crash-dialog.txt"  # what the crash dialog showed
        self.printed: list[str] = []

    def connect(self) -> subprocess.CompletedProcess[str]:
        """`notebridge --debug connect`, the consumer secret on stdin, the test as the advisor's browser."""
        port = self.org.callback_urls[0].split(":")[2].split("/")[0]
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "--debug", "connect", "--login-url", self.org.login_url,
             "--consumer-key", self.org.consumer_key, "--consumer-secret-stdin", "--port", port, "--no-browser",
             "--timeout", str(STEP_TIMEOUT)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env, cwd=ROOT)
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(self.org.consumer_secret + "\n")
            process.stdin.close()
            first = process.stdout.readline()
            if first.startswith("Open this URL to sign in: "):  # no URL: connect refused before the browser step
                approve_in_browser(first.removeprefix("Open this URL to sign in: ").strip(), self.org.username,
                                   self.org.password, follow=True)
            process.wait(timeout=STEP_TIMEOUT)
            out, err = process.stdout.read(), process.stderr.read() if process.stderr else ""
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.printed += [first, out, err]
        return subprocess.CompletedProcess(process.args, process.returncode, first + out, err)

    def doctor(self) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "app", "--debug", "doctor"], capture_output=True, text=True,
                              env=self.env, cwd=ROOT, timeout=STEP_TIMEOUT, check=False)
        self.printed += [done.stdout, done.stderr]
        return done

    def app(self, phase: str) -> tuple[int, dict[str, Any], str]:
        """keyring_app PHASE: (exit code, its result, stderr)."""
        job = {"login_url": self.org.login_url, "consumer_key": self.org.consumer_key,
               "callback_urls": self.org.callback_urls, "username": self.org.username,
               "password": self.org.password, "report": str(self.report)}
        done = subprocess.run([sys.executable, "-m", CHILD, phase], input=json.dumps(job), capture_output=True,
                              text=True, env=self.env, cwd=ROOT, timeout=STEP_TIMEOUT, check=False)
        self.printed += [done.stdout, done.stderr]
        lines = [line for line in done.stdout.splitlines() if line.startswith("result ")]
        assert lines, f"{phase} printed no result (exit {done.returncode}):\n{done.stderr[-3000:]}"
        return done.returncode, json.loads(lines[-1].removeprefix("result ")), done.stderr

    def secrets(self) -> dict[str, str]:
        """Every secret of this sign-in: each code and token the org issued, the consumer secret, the
        password the advisor typed on Salesforce's page."""
        values = {f"issued token #{n}": value for n, value in enumerate(self.org.issued_tokens())}
        values.update({"consumer secret": self.org.consumer_secret, "demo password": self.org.password})
        return values

    def leaks(self) -> list[str]:
        """Where a secret appears, raw or URL-encoded, in a file under the session's folders or in output."""
        found = []
        places = [(str(p.relative_to(self.root)), p.read_bytes()) for p in sorted(self.root.rglob("*")) if p.is_file()]
        places += [(f"output #{n}", text.encode()) for n, text in enumerate(self.printed)]
        for name, value in self.secrets().items():
            forms = {value.encode(), quote(value, safe="").encode(), quote_plus(value).encode()}
            found += [f"{name} in {where}" for where, data in places if any(form in data for form in forms)]
        return found

    def file_text(self, path: Path) -> str:
        return path.read_text(encoding="utf-8", errors="replace")


def _note_titles(org: DemoOrg) -> list[str]:
    return sorted(r["Title"] for r in org.records("ContentNote") if not r.get("IsDeleted"))


async def test_secret_service_sign_in_push_restart_disconnect_leaves_no_secret(
    org: DemoOrg, service: SecretService, tmp_path: Path,
) -> None:
    session = Session(org, service.env, tmp_path / "desktop")
    titles_before = _note_titles(org)

    # 1. Sign in with `notebridge connect`: the secrets go to gnome-keyring, through keyring's own choice.
    connected = session.connect()
    assert connected.returncode == 0, connected.stderr
    assert f"({org.username})" in connected.stdout and "not saved" not in connected.stderr
    stored = service.items(SERVICE)
    # Filed under this workspace connection's own slot (never org:user, shared by every data folder).
    slots = {name.rsplit(":", 1)[0] for name in stored}
    assert len(slots) == 1 and re.fullmatch(r"connection:[0-9a-f]{32}", next(iter(slots))), stored
    key = next(iter(slots))
    assert set(stored) == {f"{key}:refresh_token", f"{key}:consumer_secret"}, stored
    assert stored[f"{key}:consumer_secret"] == org.consumer_secret
    first_refresh = stored[f"{key}:refresh_token"]
    assert first_refresh in org.issued_tokens()
    assert session.leaks() == []

    # 2. A restart: the sign-in comes back from the keyring; pull, push, export, a bug, then a hard crash.
    code, work, stderr = session.app("work")
    assert code == -signal.SIGABRT, stderr[-3000:]
    assert work["state"] == "connected" and work["pull_ok"] and work["log_rows"] >= 2
    assert (work["push_status"], work["pushed"]) == ("done", 1)
    assert _note_titles(org) == sorted([*titles_before, "Quarterly review"])
    stored = service.items(SERVICE)
    assert stored[f"{key}:refresh_token"] != first_refresh  # the rotated token was written to the keyring
    assert stored[f"{key}:consumer_secret"] == org.consumer_secret
    data = session.home / "data"
    assert (data / "workspace.sqlite3-wal").stat().st_size > 0  # the crash left the WAL: it is scanned too
    assert (data / "exports" / SYNC_LOG_EXPORT).read_text().count("\n") >= 3
    crash_file = session.home / "logs" / "last-crash.txt"
    assert "Fatal Python error: Aborted" in session.file_text(crash_file)
    assert session.leaks() == []

    # 3. `notebridge doctor` finds the Secret Service and a valid sign-in.
    doctor = session.doctor()
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "[ ok ] Keyring: stores and reads back a probe entry (keyring.backends.SecretService" in doctor.stdout
    assert "[ ok ] Salesforce sign-in: valid for" in doctor.stdout

    # 4. A restart after the crash: it is reported, the sign-in still works, a push, then Disconnect.
    code, last, stderr = session.app("disconnect")
    assert code == 0, stderr[-3000:]
    assert last["previous_crash"] and last["state"] == "connected" and last["tested"] == "connected"
    assert (last["push_status"], last["pushed"]) == ("done", 1)
    assert last["after_disconnect"] == "not_connected"
    assert "Follow-up call" in _note_titles(org)
    assert service.items(SERVICE) == {}  # Disconnect removed both secrets (and doctor left no probe)
    tokens = [t for t in org.issued_tokens() if t.startswith("5Aep")]
    assert len(tokens) >= 3
    with pytest.raises(OAuthError):  # revoked at Salesforce too, not just forgotten
        await refresh_access_token(org.login_url, org.consumer_key, tokens[-1])

    report = session.file_text(session.report)
    assert CRASH_HEADLINE in report and REDACTED in report  # the bug's secrets reached the hooks, redacted
    assert "closed unexpectedly" in report
    log_text = "".join(session.file_text(p) for p in (session.home / "logs").glob("notebridge.log*"))
    assert " DEBUG " in log_text and CRASH_HEADLINE in log_text
    assert session.leaks() == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Secret Service is the Linux keyring")
def test_secret_service_absent_sign_in_is_session_only_writes_nothing_and_names_the_fix(
    org: DemoOrg, tmp_path: Path,
) -> None:
    runtime = Path(tempfile.mkdtemp(prefix="nb-nokr-"))  # no bus socket in it: no Secret Service at all
    try:
        env = desktop_env(tmp_path / "desktop", runtime)
        session = Session(org, env, tmp_path / "desktop")

        connected = session.connect()  # the CLI's only job is to save a connection: with no keyring it refuses
        assert connected.returncode == 3, connected.stderr
        assert "Not connected: nothing was saved" in connected.stderr and INSTALL_HINT in connected.stderr

        code, signed_in, stderr = session.app("sign-in")  # the wizard's sign-in, then a sync in that session
        assert code == 0, stderr[-3000:]
        assert signed_in["session_only"] and INSTALL_HINT in signed_in["keyring_problem"]
        assert signed_in["pull_ok"] and (signed_in["push_status"], signed_in["pushed"]) == ("done", 1)
        assert "Quarterly review" in _note_titles(org)

        code, restarted, stderr = session.app("disconnect")  # the next start: the sign-in is gone, and why
        assert code == 0, stderr[-3000:]
        assert restarted["state"] == "needs_attention" and INSTALL_HINT in restarted["fix"]

        doctor = session.doctor()
        assert doctor.returncode == 1
        line = next(x for x in doctor.stdout.splitlines() if "Keyring" in x)
        assert line.startswith("[FAIL]") and INSTALL_HINT in line

        written = [p.name for p in session.root.rglob("*") if p.is_file()]
        assert not [n for n in written if "keyring" in n.lower()], written  # no plaintext fallback file
        assert session.leaks() == []
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
