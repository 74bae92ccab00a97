"""The app's keyring does not depend on the test extras, and the test extras do not change it (issue 21).

The test extras install ``keyrings.alt`` (a plain-text file keyring the test run chooses explicitly
with PYTHON_KEYRING_BACKEND) into the same venv the app runs from. Left to itself keyring then picks
that file wherever no system keyring is running, and ``doctor`` said ``[FAIL] Keyring: unusable
(keyrings.alt.file.PlaintextKeyring)`` — as if the file were the problem. The app uses only
keyring's own OS backends unless one is chosen explicitly, so with and without ``keyrings.alt``
importable it sees the same thing: a real Secret Service when the desktop has one, none when not.
Each run is a fresh process with a desktop session's environment (no PYTHON_KEYRING_BACKEND).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.secret_service_env import SecretService, desktop_env, missing_programs, secret_service

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Secret Service is Linux's keyring")

# The app's view of the keyring, printed as JSON; with "hide-alt", as if the test extras were not
# installed: keyrings.alt cannot be imported, so keyring's entry point for it fails to load.
_PROBE = """
import json, sys
if sys.argv[1] == "hide-alt":
    class _Hide:
        def find_spec(self, name, path=None, target=None):
            if name == "keyrings" or name.startswith("keyrings."):
                raise ModuleNotFoundError(name)
    sys.meta_path.insert(0, _Hide())
import logging
logging.disable(logging.CRITICAL)  # keyring logs the plugin it could not load; not what is tested here
from app import secrets
state = secrets.status()
print(json.dumps({"available": state.available, "backend": state.backend, "ignored": list(state.ignored)}))
"""


def app_view(env: dict[str, str], mode: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _PROBE, mode], env=env, cwd=str(ROOT), capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def bare_env(tmp_path: Path) -> dict[str, str]:
    """A session with no keyring running: no session bus at all."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = desktop_env(tmp_path / "bare", runtime)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    return env


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


def test_keyring_choice_without_a_keyring_is_the_same_with_or_without_test_extras(tmp_path: Path) -> None:
    env = bare_env(tmp_path)
    with_extras, without_extras = app_view(env, "as-installed"), app_view(env, "hide-alt")
    assert with_extras["available"] is False and without_extras["available"] is False
    assert with_extras["backend"] == without_extras["backend"] == "none"
    # What is installed but not used is named, so doctor can say so rather than blame it.
    assert with_extras["ignored"] == ["keyrings.alt.file.PlaintextKeyring"]
    assert without_extras["ignored"] == []  # keyrings.alt really was out of sight


def test_keyring_choice_with_a_secret_service_is_the_same_with_or_without_test_extras(
        service: SecretService) -> None:
    env = {**service.env, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    with_extras, without_extras = app_view(env, "as-installed"), app_view(env, "hide-alt")
    assert with_extras == without_extras == {
        "available": True, "backend": "keyring.backends.SecretService.Keyring", "ignored": []}


def test_keyring_choice_doctor_tells_the_truth_without_a_keyring(tmp_path: Path) -> None:
    """README's commands in one venv (app and test extras): doctor fails because this session has no
    keyring, and says so — not that the plain-text file it would never use is "unusable"."""
    done = subprocess.run([sys.executable, "-m", "app", "doctor"], env=bare_env(tmp_path), cwd=str(ROOT),
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr == ""
    line = next(x for x in done.stdout.splitlines() if "Keyring" in x)
    assert line.startswith("[FAIL] Keyring: unusable: no secure keyring on this computer "
                           "(keyrings.alt.file.PlaintextKeyring is installed, but Notebridge uses it only when "
                           "it is chosen explicitly"), line
    assert "sudo apt install gnome-keyring" in line
    assert done.stdout.splitlines()[-1] == "1 check failed."


def test_keyring_choice_doctor_with_a_secret_service_passes(service: SecretService, tmp_path: Path) -> None:
    env = {**service.env, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "app", "doctor"], env=env, cwd=str(ROOT),
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.stderr == ""
    line = next(x for x in done.stdout.splitlines() if "Keyring" in x)
    assert line == "[ ok ] Keyring: stores and reads back a probe entry (keyring.backends.SecretService.Keyring)"
