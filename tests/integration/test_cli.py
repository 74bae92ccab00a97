"""The command line as a user runs it: a real subprocess, a real data folder, a real keyring backend."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app import __version__


def run_app(*args: str, home: Path, env_extra: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["NOTEBRIDGE_HOME"] = str(home)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, env=env,
                          input=stdin, timeout=timeout, check=False)


def test_version(tmp_path: Path) -> None:
    result = run_app("--version", home=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"Notebridge {__version__}"


def test_doctor_passes_with_a_working_keyring(tmp_path: Path) -> None:
    result = run_app("doctor", home=tmp_path / "home")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("[ ok ] Python") for line in lines)
    assert any(line.startswith("[ ok ] Qt: Qt 6.") for line in lines)
    assert any(line.startswith("[ ok ] Workspace database: opens, journal mode wal") for line in lines)
    assert any(line.startswith("[ ok ] Keyring: stores and reads back a probe entry") for line in lines)
    assert any(line.startswith("[ ok ] Salesforce connection: none yet") for line in lines)
    assert lines[-1] == "All checks passed."
    assert (tmp_path / "home" / "data" / "workspace.sqlite3").exists()  # --data-dir/NOTEBRIDGE_HOME respected


def test_doctor_fails_clearly_without_a_keyring(tmp_path: Path) -> None:
    result = run_app("doctor", home=tmp_path / "home",
                     env_extra={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert result.returncode == 1
    keyring_line = next(line for line in result.stdout.splitlines() if "Keyring" in line)
    assert keyring_line.startswith("[FAIL] Keyring: unusable")
    assert "Fix:" in keyring_line and "gnome-keyring" in keyring_line
    assert result.stdout.splitlines()[-1] == "1 check failed."


def test_doctor_fails_when_data_dir_is_not_writable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data folder should be")
    result = run_app("--data-dir", str(blocker / "home"), "doctor", home=tmp_path / "unused")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    data_line = next(line for line in result.stdout.splitlines() if "Data folder" in line)
    assert data_line.startswith("[FAIL] Data folder:") and "Fix: choose another folder with --data-dir" in data_line
    gui = run_app("--data-dir", str(blocker / "home"), home=tmp_path / "unused",
                  env_extra={"QT_QPA_PLATFORM": "offscreen"})
    assert gui.returncode == 2
    assert "cannot write to its data folder" in gui.stderr and "Traceback" not in gui.stderr


def test_self_test_reports_everything_and_writes_nothing_to_stderr(tmp_path: Path) -> None:
    result = run_app("--self-test", home=tmp_path / "home", env_extra={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "resources:" in result.stdout
    assert "database: migrated and opened, journal mode wal" in result.stdout
    assert "keyring: " in result.stdout
    assert result.stdout.strip().endswith("self-test passed")
