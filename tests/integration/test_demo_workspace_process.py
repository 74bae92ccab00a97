"""`python -m app --demo` as a newcomer runs it: a real process, offscreen, a fresh data folder. It
signs in to the demo org and pulls its clients by itself (nobody clicks anything), into the demo's
own folder, and a SIGTERM closes it cleanly."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEADLINE = 120.0  # seconds: bounds a hang on a shared machine, not a performance claim


def _log_says(log_file: Path, text: str) -> bool:
    return log_file.exists() and text in log_file.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("keyring_backend", [None, "keyring.backends.fail.Keyring"],
                         ids=["keyring", "no-keyring"])
def test_demo_workspace_process_fills_the_demo_folder_with_no_one_asked(
        tmp_path: Path, keyring_backend: str | None) -> None:
    """Also on a fresh machine with no keyring at all: the demo's sign-in is then kept for the session."""
    home = tmp_path / "home"
    env = {**os.environ, "NOTEBRIDGE_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    if keyring_backend is not None:
        env["PYTHON_KEYRING_BACKEND"] = keyring_backend
    process = subprocess.Popen([sys.executable, "-m", "app", "--demo"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    log_file = home / "logs" / "notebridge.log"
    try:
        deadline = time.monotonic() + DEADLINE
        while not _log_says(log_file, "demo workspace ready") and process.poll() is None:
            assert time.monotonic() < deadline, "the demo workspace did not open"
            time.sleep(0.2)  # a test's wait outside any app loop
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    log = log_file.read_text(encoding="utf-8")
    assert "closed cleanly" in log
    assert "sign-in receiver listening" in log and "signed in to org" in log
    demo_database = home / "data" / "demo" / "data" / "workspace.sqlite3"
    with sqlite3.connect(demo_database) as db:
        assert db.execute("SELECT count(*) FROM connection").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM contact").fetchone()[0] >= 1000  # the app's demo seeds 1,000
    assert not (home / "data" / "workspace.sqlite3").exists(), "the real workspace is not touched"
