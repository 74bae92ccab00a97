"""A normal start says nothing on stderr (issue 21): the app, ``doctor`` and ``--self-test``, in a
session without XDG_RUNTIME_DIR (ssh, containers, sudo) and without NOTEBRIDGE_HOME, so everything
lives where an advisor's install puts it (a private HOME here).

platformdirs printed ``RuntimeDirWarning: XDG_RUNTIME_DIR is not set, falling back to /tmp/runtime-0``
on every such start. Only a real problem may be said; these starts have none, so stderr stays empty
and the log has no warning either.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.qt_loop import until

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0  # generous: a busy 2-core machine starting Qt


def advisor_env(home: Path) -> dict[str, str]:
    """A login session's environment with a fresh HOME: no XDG_RUNTIME_DIR, no NOTEBRIDGE_HOME, no
    XDG folder overrides, no keyring chosen for tests (the app finds what this machine has)."""
    dropped = ("XDG_RUNTIME_DIR", "NOTEBRIDGE_HOME", "PYTHON_KEYRING_BACKEND", "XDG_DATA_HOME", "XDG_CONFIG_HOME",
               "XDG_STATE_HOME", "XDG_CACHE_HOME", "PYTHONWARNINGS")
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("PYTEST")}
    home.mkdir(parents=True, exist_ok=True)
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return env


def run_app(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app", *args], env=advisor_env(home), cwd=str(ROOT),
                          capture_output=True, text=True, timeout=START_TIMEOUT)


def log_file(home: Path) -> Path:
    found = list(home.rglob("notebridge.log"))
    assert len(found) == 1, f"one log under the advisor's HOME, found {found}"
    return found[0]


def warnings_in(log: Path) -> list[str]:
    return [line for line in log.read_text(encoding="utf-8").splitlines()
            if " WARNING " in line or " ERROR " in line or " CRITICAL " in line]


@pytest.mark.skipif(sys.platform == "win32", reason="XDG_RUNTIME_DIR is a Unix desktop session's")
def test_quiet_start_self_test_prints_nothing_on_stderr(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = run_app(home, "--self-test")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    assert "self-test passed" in done.stdout
    log = log_file(home)
    assert "starting: self-test" in log.read_text(encoding="utf-8")
    assert "starting: gui" not in log.read_text(encoding="utf-8")
    assert warnings_in(log) == []


@pytest.mark.skipif(sys.platform == "win32", reason="XDG_RUNTIME_DIR is a Unix desktop session's")
def test_quiet_start_doctor_prints_nothing_on_stderr(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = run_app(home, "doctor")
    # Whether this machine has a keyring decides the exit code; either way nothing goes to stderr.
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert done.stderr == ""
    assert "[ ok ] Data folder:" in done.stdout
    # The runtime folder is Notebridge's own, private, under HOME — not a shared /tmp/runtime-<uid>.
    runtime = [p for p in home.rglob("run") if p.is_dir() and "notebridge" in str(p)]
    assert runtime, f"no runtime folder under {home}"
    assert runtime[0].stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(sys.platform == "win32", reason="no SIGTERM on Windows")
async def test_quiet_start_app_opens_and_quits_with_nothing_on_stderr(tmp_path: Path) -> None:
    """``python -m app``: the window opens on a fresh workspace (the wizard), SIGTERM closes it."""
    home = tmp_path / "home"
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "app"], env=advisor_env(home), cwd=str(ROOT),
                                stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        def opened() -> bool:
            logs = list(home.rglob("notebridge.log"))
            return proc.poll() is not None or (
                bool(logs) and "workspace opened" in logs[0].read_text(encoding="utf-8"))

        await until(opened, "the app opens its workspace", timeout=START_TIMEOUT)
        await asyncio.sleep(1.0)  # let the first window and its pages come up
        proc.send_signal(signal.SIGTERM)
        await until(lambda: proc.poll() is not None, "the app exits on SIGTERM", timeout=START_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
    assert proc.returncode == 0, stderr_path.read_text()
    assert stderr_path.read_text() == ""
    log = log_file(home)
    assert "closed cleanly" in log.read_text(encoding="utf-8")
    assert warnings_in(log) == []
